/**
 * The checks every delivery test makes of what clients received: nothing lost or twice, each
 * sender's lines in order (FIFO), and one order per room (total). Posted lines are
 * `<cN> cN #SEQ`: sender `cN`'s SEQth line.
 */

/** A client and everything it received, in order. */
export interface ReceivingMember {
  /** Names the member in failure messages, e.g. `c3@S2`. */
  readonly label: string;
  readonly room: number;
  readonly received: readonly string[];
}

/** Lines missing from and extra in (duplicates, strays) what a member received. */
export function compareWithExpected(
  received: readonly string[],
  expected: readonly string[],
): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const line of expected) counts.set(line, (counts.get(line) ?? 0) + 1);
  const extra: string[] = [];
  for (const line of received) {
    const left = counts.get(line) ?? 0;
    if (left === 0) extra.push(line);
    else counts.set(line, left - 1);
  }
  const missing = [...counts].flatMap(([line, left]) => Array<string>(left).fill(line));
  return { missing, extra };
}

const POSTED = /^<(c\d+)> \1 #(\d+)$/;

/** Places where a sender's line arrived after a later line of the same sender. */
export function fifoViolations(received: readonly string[]): string[] {
  const highest = new Map<string, number>();
  const violations: string[] = [];
  for (const line of received) {
    const match = POSTED.exec(line);
    if (match === null) continue;
    const [, sender = '', numberText = ''] = match;
    const n = Number(numberText);
    const seen = highest.get(sender) ?? 0;
    if (n < seen) violations.push(`${line} after #${seen}`);
    else highest.set(sender, n);
  }
  return violations;
}

/** Members, per room, whose order differs from the room's first member's. */
export function orderDifferences(members: readonly ReceivingMember[]): string[] {
  const differences: string[] = [];
  for (const room of new Set(members.map((member) => member.room))) {
    const [first, ...others] = members.filter((member) => member.room === room);
    for (const other of others) {
      const at = other.received.findIndex((line, i) => line !== first?.received[i]);
      if (at >= 0) {
        differences.push(`room ${room}: ${other.label} differs from ${first?.label} at ${at}`);
      }
    }
  }
  return differences;
}
