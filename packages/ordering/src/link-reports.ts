import type { NodeId } from './messages.js';

/**
 * Which nodes to leave out of views because they cannot hear a node that others hear, decided from
 * the two lists every heartbeat carries (`HeartbeatMessage.unheard` and `leftOut`).
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
 *   stays down longer than that and comes back in between moves the view at each turn.
 * - Only a node that hears every node present knows every list the rule needs: one that does not
 *   hear a node does not know whom that node hears. So a node that hears every node present goes
 *   by its own answer, and names the nodes it leaves out (itself too) in its heartbeats; a node
 *   that does not names none, and goes by the nodes it hears instead: it leaves out every node
 *   one of them names. A node left out works alone, leaves no view change to anyone else, and
 *   takes part in none, until it is merged back once the rule keeps it.
 *
 * A forged heartbeat makes its sender conflict with the nodes it names: it leaves out its sender,
 * or a node it names in a tie. Peers must be authenticated (as `chatserver` does) anyway.
 */
export class LinkReports {
  /** Row `reporter`, column `node`: 1 when `reporter`'s last heartbeat named `node` as unheard. */
  readonly #named: Uint8Array;
  /** Row `reporter`, column `node`: 1 when `reporter`'s last heartbeat named `node` as left out. */
  readonly #namedLeftOut: Uint8Array;
  /** By node: whether the list of its current run is known. */
  readonly #reported: boolean[];
  /** By node: how many nodes its last heartbeat named, in both lists. */
  readonly #namedCount: number[];
  /** By node: whether it is left out now, by this node's own answer. */
  readonly #ownLeftOut: boolean[];
  /** By node: whether it is left out now, by the answer this node goes by (see the class comment). */
  readonly #leftOut: boolean[];
  /** Whether this node heard every node present at the last `update`: its answer is its own. */
  #knowsAll = false;
  /** When `update` last worked the answer out, and whether a list has changed since. */
  #updatedAtMs = Number.NEGATIVE_INFINITY;
  #listsChanged = true;
  /** By node: since when the rule has said to leave it out, while it is still kept. */
  readonly #ruledOutSinceMs: (number | undefined)[];

  constructor(
    readonly self: NodeId,
    readonly nodeCount: number,
    private readonly leaveOutAfterMs: number,
    private readonly updateEveryMs: number,
  ) {
    this.#named = new Uint8Array((nodeCount + 1) * (nodeCount + 1));
    this.#reported = new Array<boolean>(nodeCount + 1).fill(false);
    this.#namedCount = new Array<number>(nodeCount + 1).fill(0);
    this.#namedLeftOut = new Uint8Array((nodeCount + 1) * (nodeCount + 1));
    this.#ownLeftOut = new Array<boolean>(nodeCount + 1).fill(false);
    this.#leftOut = new Array<boolean>(nodeCount + 1).fill(false);
    this.#ruledOutSinceMs = new Array<number | undefined>(nodeCount + 1).fill(undefined);
  }

  /**
   * `reporter`'s heartbeat named `unheard` as the nodes it does not hear, and `leftOut` as those it
   * leaves out (both ascending node ids).
   */
  record(reporter: NodeId, unheard: readonly NodeId[], leftOut: readonly NodeId[]): void {
    const namedCount = unheard.length + leftOut.length;
    // Most heartbeats name nobody, as the last one from the same node did: nothing changes.
    if (this.#reported[reporter] && namedCount === 0 && this.#namedCount[reporter] === 0) return;
    const row = reporter * (this.nodeCount + 1);
    this.#named.fill(0, row, row + this.nodeCount + 1);
    for (const node of unheard) this.#named[row + node] = 1;
    this.#namedLeftOut.fill(0, row, row + this.nodeCount + 1);
    for (const node of leftOut) this.#namedLeftOut[row + node] = 1;
    this.#reported[reporter] = true;
    this.#namedCount[reporter] = namedCount;
    this.#listsChanged = true;
  }

  /** `reporter` runs anew: the lists of its earlier run no longer hold. */
  forget(reporter: NodeId): void {
    this.#reported[reporter] = false;
    this.#listsChanged = true;
  }

  /** Whether `node` was left out at the last `update`. */
  isLeftOut(node: NodeId): boolean {
    return this.#leftOut[node]!;
  }

  /**
   * What this node's heartbeat names as left out, ascending: the nodes its own answer leaves out
   * (itself too) if it heard every node present at the last `update`, else none.
   */
  leftOutToName(): NodeId[] {
    if (!this.#knowsAll) return [];
    return this.#ownLeftOut.flatMap((out, node) => (out ? [node] : []));
  }

  /**
   * By node id, whether it is left out now, given whom this node hears, by the answer this node
   * goes by (see the class comment). Call it whenever the view is looked at, and at least every
   * heartbeat: it also moves each node's standing on. Worked out again when a list has changed,
   * else at most every `updateEveryMs` (whom this node hears changes with time alone).
   */
  update(now: number, hears: (node: NodeId) => boolean): readonly boolean[] {
    if (!this.#listsChanged && now - this.#updatedAtMs < this.updateEveryMs) return this.#leftOut;
    this.#listsChanged = false;
    this.#updatedAtMs = now;
    const nodeCount = this.nodeCount;
    const heard = new Array<boolean>(nodeCount + 1).fill(false);
    // Most of the time this node hears every node, and no list names any: nobody is left out.
    let quiet = true;
    for (let node = 1; node <= nodeCount; node++) {
      heard[node] = hears(node);
      if (!heard[node] || this.#namedCount[node]! > 0) quiet = false;
    }
    if (quiet) {
      this.#ruledOutSinceMs.fill(undefined);
      this.#ownLeftOut.fill(false);
      this.#leftOut.fill(false);
      this.#knowsAll = true;
      return this.#leftOut;
    }
    const present = new Array<boolean>(nodeCount + 1).fill(false);
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
      this.#ownLeftOut[node] = since !== undefined && now - since >= this.leaveOutAfterMs;
    }
    this.#knowsAll = present.every((isPresent, node) => !isPresent || heard[node]);
    for (let node = 1; node <= nodeCount; node++) {
      this.#leftOut[node] = this.#knowsAll
        ? this.#ownLeftOut[node]!
        : heard.some(
            (isHeard, reporter) =>
              isHeard &&
              reporter !== this.self &&
              this.#namedLeftOut[reporter * (nodeCount + 1) + node] === 1,
          );
    }
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
