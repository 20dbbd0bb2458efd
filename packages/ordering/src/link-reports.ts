import type { NodeId } from './messages.js';

/**
 * Which nodes to leave out of views because they cannot hear a node that others hear, decided from
 * the `unheard` lists of the heartbeats.
 *
 * The failure detector alone never leaves such a node out. When a link fails one way (node 3 stops
 * hearing node 1, while 1 and 2 still hear 3), only node 3 suspects anyone, and it leaves view
 * changes to the lowest node it hears, which hears everyone and sees nothing to change; the same
 * holds for two nodes that stop hearing each other while a third hears both. Node 3 then delivers
 * nothing (it misses every message of node 1), and the others' post windows fill up for good.
 *
 * The rule, which every node works out from what it knows:
 *
 * - A node is *present* when this node hears it, or when a node it hears does not name it as
 *   unheard. A node that nobody hears is down, not cut off: naming it leaves nobody out.
 * - Two present nodes *conflict* when either names the other as unheard. Both know it: the one
 *   that does not hear from its own list, the other from that one's heartbeats (or from its own
 *   list, when neither hears the other), as does every node that hears them both.
 * - The node with the most conflicts is left out, then the next among the rest, until no two
 *   nodes kept conflict (`nodesToLeaveOut`); of a tie, the higher-numbered node. So a node that
 *   stops hearing several peers is left out, not those peers, and of two nodes with no conflict
 *   but theirs, the higher-numbered, whichever of them does not hear the other.
 * - A node is left out only once the rule has said so for `leaveOutAfterMs`, every time it was
 *   asked (at least every heartbeat), and kept again as soon as the rule keeps it. When a node
 *   crashes, restarts, or comes back from a pause or a partition, nodes hear it (or stop hearing
 *   it) at moments up to a suspicion timeout apart, and the rule leaves out a node it should not
 *   for that long: the wait must outlast it (the engine waits two suspicion timeouts). A link that
 *   flaps faster than that moves no view either.
 * - A node that does not hear every node present knows less than the others (it does not know
 *   whom the nodes it does not hear hear), and its own answer about itself is not to be trusted.
 *   So every heartbeat also names the nodes its sender leaves out, and a node takes itself for
 *   left out when a node it hears (and keeps) names it, or when it hears every node present and
 *   its own answer says so. It then works alone, and leaves no view change to anyone else, until
 *   it is merged back once the rule keeps it.
 *
 * A forged heartbeat makes its sender conflict with the nodes it names: it leaves out its sender,
 * or a node it names in a tie. Peers must be authenticated (as `chatserver` does) anyway.
 */
export class LinkReports {
  /** Row `reporter`, column `node`: 1 when `reporter`'s last heartbeat named `node` as unheard. */
  readonly #named: Uint8Array;
  /** By node: whether its last heartbeat named this node as left out. */
  readonly #leavesThisNodeOut: boolean[];
  /** By node: whether the list of its current run is known. */
  readonly #reported: boolean[];
  /** By node: whether it is left out now. */
  readonly #leftOut: boolean[];
  /** By node: since when the rule has said to leave it out, while it is still kept. */
  readonly #ruledOutSinceMs: (number | undefined)[];

  constructor(
    readonly self: NodeId,
    readonly nodeCount: number,
    private readonly leaveOutAfterMs: number,
  ) {
    this.#named = new Uint8Array((nodeCount + 1) * (nodeCount + 1));
    this.#reported = new Array<boolean>(nodeCount + 1).fill(false);
    this.#leavesThisNodeOut = new Array<boolean>(nodeCount + 1).fill(false);
    this.#leftOut = new Array<boolean>(nodeCount + 1).fill(false);
    this.#ruledOutSinceMs = new Array<number | undefined>(nodeCount + 1).fill(undefined);
  }

  /**
   * `reporter`'s heartbeat named `unheard` as the nodes it does not hear, and `leftOut` as those it
   * leaves out (both ascending node ids).
   */
  record(reporter: NodeId, unheard: readonly NodeId[], leftOut: readonly NodeId[]): void {
    const row = reporter * (this.nodeCount + 1);
    this.#named.fill(0, row, row + this.nodeCount + 1);
    for (const node of unheard) this.#named[row + node] = 1;
    this.#reported[reporter] = true;
    this.#leavesThisNodeOut[reporter] = leftOut.includes(this.self);
  }

  /** `reporter` runs anew: the lists of its earlier run no longer hold. */
  forget(reporter: NodeId): void {
    this.#reported[reporter] = false;
    this.#leavesThisNodeOut[reporter] = false;
  }

  /** Whether `node` was left out at the last `update`. */
  isLeftOut(node: NodeId): boolean {
    return this.#leftOut[node]!;
  }

  /** The nodes other than this one left out at the last `update`, ascending: for a heartbeat. */
  leftOutOthers(): NodeId[] {
    return this.#leftOut.flatMap((out, node) => (out && node !== this.self ? [node] : []));
  }

  /**
   * By node id, whether it is left out now, given whom this node hears (for this node itself, see
   * the class comment). Call it whenever the view is looked at, and at least every heartbeat: it
   * also moves each node's standing on.
   */
  update(now: number, hears: (node: NodeId) => boolean): readonly boolean[] {
    const nodeCount = this.nodeCount;
    const heard = new Array<boolean>(nodeCount + 1).fill(false);
    const present = new Array<boolean>(nodeCount + 1).fill(false);
    for (let node = 1; node <= nodeCount; node++) heard[node] = hears(node);
    for (let reporter = 1; reporter <= nodeCount; reporter++) {
      if (!heard[reporter]) continue;
      present[reporter] = true;
      if (reporter === this.self || !this.#reported[reporter]) continue;
      const row = reporter * (nodeCount + 1);
      for (let node = 1; node <= nodeCount; node++) {
        if (this.#named[row + node] === 0) present[node] = true;
      }
    }
    // Whether `a` does not hear `b`, as far as this node knows: its own hearing, or a's last list.
    const deafTo = (a: NodeId, b: NodeId): boolean => {
      if (a === this.self) return !heard[b];
      return heard[a]! && this.#reported[a]! && this.#named[a * (nodeCount + 1) + b] === 1;
    };
    const ruledOut = nodesToLeaveOut(nodeCount, present, (a, b) => deafTo(a, b) || deafTo(b, a));
    for (let node = 1; node <= nodeCount; node++) {
      const since = ruledOut[node] ? (this.#ruledOutSinceMs[node] ?? now) : undefined;
      this.#ruledOutSinceMs[node] = since;
      this.#leftOut[node] = since !== undefined && now - since >= this.leaveOutAfterMs;
    }
    // This node's own answer is complete when it hears every node present (it knows all their
    // lists); otherwise it goes by the nodes it hears.
    const knowsAll = present.every((isPresent, node) => !isPresent || heard[node]);
    const told = this.#leavesThisNodeOut.some(
      (says, reporter) =>
        says && reporter !== this.self && heard[reporter] && !this.#leftOut[reporter],
    );
    this.#leftOut[this.self] = told || (knowsAll && this.#leftOut[this.self]!);
    return this.#leftOut;
  }
}

/**
 * By node id, the present nodes to leave out so that no two nodes kept conflict: the node with the
 * most conflicts among the nodes still kept goes first (the higher-numbered of a tie), until no
 * conflict is left. So one node that hears none of the others is left out, not all of them, and
 * of two nodes that conflict only with each other, the higher-numbered.
 */
export function nodesToLeaveOut(
  nodeCount: number,
  present: readonly boolean[],
  conflict: (a: NodeId, b: NodeId) => boolean,
): boolean[] {
  const leftOut = new Array<boolean>(nodeCount + 1).fill(false);
  const conflicting: NodeId[][] = Array.from({ length: nodeCount + 1 }, () => []);
  for (let a = 1; a <= nodeCount; a++) {
    if (!present[a]) continue;
    for (let b = a + 1; b <= nodeCount; b++) {
      if (!present[b] || !conflict(a, b)) continue;
      conflicting[a]!.push(b);
      conflicting[b]!.push(a);
    }
  }
  for (;;) {
    let worst = 0;
    let worstCount = 0;
    for (let node = 1; node <= nodeCount; node++) {
      if (leftOut[node]) continue;
      const count = conflicting[node]!.filter((other) => !leftOut[other]).length;
      if (count > 0 && count >= worstCount) {
        worst = node;
        worstCount = count;
      }
    }
    if (worst === 0) return leftOut;
    leftOut[worst] = true;
  }
}
