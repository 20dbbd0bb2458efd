import type { Member, NodeId } from './messages.js';

/**
 * Which configured nodes are alive, as far as this node can tell: a node is alive while it has been
 * heard from within `suspectMs` (any message of its current run counts; an idle node sends
 * heartbeats), and in the run (incarnation) heard last. A node that fails to take part in a view
 * change is set aside for a while (`exclude`), so that a node heard but unable to complete one (a
 * link that works one way only) does not stop every attempt.
 */
export class FailureDetector {
  /** By node id: when last heard from; undefined = never. */
  readonly #heardAtMs: (number | undefined)[];
  /** By node id: the latest incarnation heard of. */
  readonly #incarnation: number[];
  /** By node id: not taken as alive before this time. */
  readonly #excludedUntilMs: number[];

  constructor(
    readonly self: Member,
    readonly nodeCount: number,
    private readonly suspectMs: number,
  ) {
    this.#heardAtMs = new Array<number | undefined>(nodeCount + 1).fill(undefined);
    this.#incarnation = new Array<number>(nodeCount + 1).fill(0);
    this.#excludedUntilMs = new Array<number>(nodeCount + 1).fill(Number.NEGATIVE_INFINITY);
    this.#incarnation[self.id] = self.incarnation;
  }

  /**
   * Heard from `node` in run `incarnation`. Returns 'restarted' when that is a newer run than the
   * one known (its earlier run is gone), 'stale' for an older run (a message from before a restart,
   * or a replay: ignored), and 'current' otherwise.
   */
  heard(now: number, node: NodeId, incarnation: number): 'current' | 'restarted' | 'stale' {
    const known = this.#incarnation[node]!;
    if (incarnation < known) return 'stale';
    this.#heardAtMs[node] = now;
    if (incarnation === known) return 'current';
    this.#incarnation[node] = incarnation;
    return 'restarted';
  }

  /** Heard from `node` in its current run (a message of a view it shares with this node). */
  heardCurrent(now: number, node: NodeId): void {
    this.#heardAtMs[node] = now;
  }

  /**
   * `node` runs as `incarnation` (a view change's coordinator heard that run): taken as its run if
   * newer than the one known, without counting as hearing from it. Returns whether it was newer.
   */
  learnRun(node: NodeId, incarnation: number): boolean {
    if (incarnation <= this.#incarnation[node]!) return false;
    this.#incarnation[node] = incarnation;
    return true;
  }

  incarnationOf(node: NodeId): number {
    return this.#incarnation[node]!;
  }

  /** Not taken as alive for `forMs`, whatever is heard from it meanwhile. */
  exclude(now: number, node: NodeId, forMs: number): void {
    this.#excludedUntilMs[node] = now + forMs;
  }

  isAlive(now: number, node: NodeId): boolean {
    return this.hears(now, node) && this.#excludedUntilMs[node]! <= now;
  }

  /** Whether `node` has been heard from within `suspectMs` (this node always hears itself). */
  hears(now: number, node: NodeId): boolean {
    if (node === this.self.id) return true;
    const heardAtMs = this.#heardAtMs[node];
    return heardAtMs !== undefined && now - heardAtMs <= this.suspectMs;
  }

  /** The other nodes not heard from within `suspectMs`, ascending: what a heartbeat reports. */
  unheard(now: number): NodeId[] {
    const unheard: NodeId[] = [];
    for (let node = 1; node <= this.nodeCount; node++) {
      if (!this.hears(now, node)) unheard.push(node);
    }
    return unheard;
  }

  /** The nodes alive now, ascending, with their incarnations: the view this node would want. */
  aliveMembers(now: number): Member[] {
    const alive: Member[] = [];
    for (let node = 1; node <= this.nodeCount; node++) {
      if (this.isAlive(now, node)) alive.push({ id: node, incarnation: this.#incarnation[node]! });
    }
    return alive;
  }

  /** When the next node would be suspected if not heard from (for the timer). */
  nextSuspicionMs(now: number): number | undefined {
    let next: number | undefined;
    for (let node = 1; node <= this.nodeCount; node++) {
      const heardAtMs = this.#heardAtMs[node];
      if (node === this.self.id || heardAtMs === undefined) continue;
      const at = heardAtMs + this.suspectMs + 1;
      if (at > now && (next === undefined || at < next)) next = at;
    }
    return next;
  }
}
