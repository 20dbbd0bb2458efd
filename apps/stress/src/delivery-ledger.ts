/**
 * Accounts for every delivery a stress run sees: loss, duplicates, FIFO and total-order violations and
 * post-to-delivery latency. Pure bookkeeping: times are passed in.
 *
 * A message is identified by its sender (client index) and its seq (0-based, in posting order).
 */
export interface LedgerSummary {
  readonly posted: number;
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly fifoViolations: number;
  /** Receivers whose sequence for their room differs from another receiver's in that room. */
  readonly totalOrderViolations: number;
  /** Post-to-delivery latencies in ms, sorted ascending. */
  readonly latenciesMs: Float64Array;
}

export class DeliveryLedger {
  readonly #clientRooms: readonly number[];
  readonly #messagesPerClient: number;
  readonly #sentAtMs: Float64Array;
  /** Per receiver: one byte per (sender, seq), set once delivered. */
  readonly #seen: Uint8Array[];
  /** Per receiver: the highest seq delivered so far from each sender (-1 = none). */
  readonly #lastSeq: Int32Array[];
  /** Per receiver: message ids (sender * messagesPerClient + seq) in delivery order. */
  readonly #order: number[][];
  readonly #latenciesMs: number[] = [];
  #posted = 0;
  #duplicates = 0;
  #fifoViolations = 0;

  constructor(clientRooms: readonly number[], messagesPerClient: number) {
    const clients = clientRooms.length;
    this.#clientRooms = clientRooms;
    this.#messagesPerClient = messagesPerClient;
    this.#sentAtMs = new Float64Array(clients * messagesPerClient).fill(Number.NaN);
    this.#seen = Array.from({ length: clients }, () => new Uint8Array(clients * messagesPerClient));
    this.#lastSeq = Array.from({ length: clients }, () => new Int32Array(clients).fill(-1));
    this.#order = Array.from({ length: clients }, () => []);
  }

  get expectedDeliveries(): number {
    const members = new Map<number, number>();
    for (const room of this.#clientRooms) members.set(room, (members.get(room) ?? 0) + 1);
    let expected = 0;
    for (const count of members.values()) expected += count * count * this.#messagesPerClient;
    return expected;
  }

  recordPosted(sender: number, seq: number, nowMs: number): void {
    const id = sender * this.#messagesPerClient + seq;
    if (Number.isNaN(this.#sentAtMs[id]!)) this.#posted += 1;
    this.#sentAtMs[id] = nowMs;
  }

  /** Returns false for a delivery that cannot be (unknown sender/seq, or another room's message). */
  recordDelivered(receiver: number, sender: number, seq: number, nowMs: number): boolean {
    const clients = this.#clientRooms.length;
    if (!(sender >= 0 && sender < clients && seq >= 0 && seq < this.#messagesPerClient))
      return false;
    if (this.#clientRooms[sender] !== this.#clientRooms[receiver]) return false;
    const id = sender * this.#messagesPerClient + seq;
    const seen = this.#seen[receiver]!;
    if (seen[id] === 1) {
      this.#duplicates += 1;
      return true;
    }
    seen[id] = 1;
    const lastSeq = this.#lastSeq[receiver]!;
    if (seq < lastSeq[sender]!) this.#fifoViolations += 1;
    else lastSeq[sender] = seq;
    this.#order[receiver]!.push(id);
    this.#latenciesMs.push(nowMs - this.#sentAtMs[id]!);
    return true;
  }

  summary(): LedgerSummary {
    let deliveries = 0;
    for (const order of this.#order) deliveries += order.length;
    const expectedDeliveries = this.expectedDeliveries;
    return {
      posted: this.#posted,
      expectedDeliveries,
      deliveries,
      lost: expectedDeliveries - deliveries,
      duplicates: this.#duplicates,
      fifoViolations: this.#fifoViolations,
      totalOrderViolations: this.#totalOrderViolations(),
      latenciesMs: Float64Array.from(this.#latenciesMs).sort(),
    };
  }

  #totalOrderViolations(): number {
    const referenceByRoom = new Map<number, number[]>();
    let violations = 0;
    this.#order.forEach((order, receiver) => {
      const room = this.#clientRooms[receiver]!;
      const reference = referenceByRoom.get(room);
      if (reference === undefined) {
        referenceByRoom.set(room, order);
        return;
      }
      // Compare on the messages both received, so a loss is not also counted as disorder.
      const common = new Set(order);
      const theirs = reference.filter((id) => common.has(id));
      const shared = new Set(theirs);
      const ours = order.filter((id) => shared.has(id));
      if (ours.some((id, index) => theirs[index] !== id)) violations += 1;
    });
    return violations;
  }
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}
