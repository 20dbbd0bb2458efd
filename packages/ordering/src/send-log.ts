import type { LogEntry, NodeId } from './messages.js';
import type { EngineTiming } from './options.js';

/** Ring slots to start with; the ring doubles whenever the unstable entries outgrow it. */
const RING_SLOTS_INITIAL = 256;

/**
 * This node's own log: entries numbered from 1, kept until every peer has acknowledged them (then
 * they are stable and dropped), and the per-peer retry timers that recover lost tails.
 *
 * A peer that is behind and silent for a retry interval is sent the highest entry again: if it lacked
 * the tail, it now sees the gap and NAKs; if only its acknowledgement was lost, the duplicate makes it
 * acknowledge again. The interval doubles while the peer stays silent.
 */
export class SendLog {
  /**
   * The unstable entries, `#stableSeq + 1 .. #highestSeq`, entry `seq` at slot `seq & #slotMask`: a
   * ring rather than a Map, since seqs are dense and leave in the order they came.
   */
  #ring: (LogEntry | undefined)[] = new Array<LogEntry | undefined>(RING_SLOTS_INITIAL);
  #slotMask = RING_SLOTS_INITIAL - 1;
  readonly #peers: readonly NodeId[];
  /** Indexed by node id: the highest seq the peer holds without gaps, as far as we know. */
  readonly #ackedSeq: number[];
  readonly #retryDeadline: (number | undefined)[];
  readonly #retryIntervalMs: number[];
  #highestSeq = 0;
  #stableSeq = 0;
  #unstablePosts = 0;

  constructor(
    readonly self: NodeId,
    nodeCount: number,
    private readonly timing: EngineTiming,
  ) {
    this.#peers = Array.from({ length: nodeCount }, (_, i) => i + 1).filter((id) => id !== self);
    this.#ackedSeq = new Array<number>(nodeCount + 1).fill(0);
    this.#retryDeadline = new Array<number | undefined>(nodeCount + 1).fill(undefined);
    this.#retryIntervalMs = new Array<number>(nodeCount + 1).fill(timing.retryIntervalMs);
  }

  get highestSeq(): number {
    return this.#highestSeq;
  }

  /** Entries not yet held by every peer. */
  get unstableCount(): number {
    return this.#highestSeq - this.#stableSeq;
  }

  /** Posts (not proposals) among them. */
  get unstablePostCount(): number {
    return this.#unstablePosts;
  }

  /** The seq the next appended entry must have. */
  get nextSeq(): number {
    return this.#highestSeq + 1;
  }

  /**
   * Appends `entry`, whose seq is `nextSeq`. The caller builds the entry, so that entries have the
   * same shape as decoded ones and stay monomorphic on the hot path.
   */
  append(now: number, entry: LogEntry): void {
    if (entry.seq !== this.#highestSeq + 1) {
      throw new RangeError(`append: seq ${entry.seq} is not the next seq ${this.#highestSeq + 1}`);
    }
    this.#highestSeq = entry.seq;
    if (this.#peers.length === 0) {
      this.#stableSeq = this.#highestSeq;
      return;
    }
    if (this.#highestSeq - this.#stableSeq > this.#slotMask) this.#growRing();
    this.#ring[entry.seq & this.#slotMask] = entry;
    if (entry.kind === 'post') this.#unstablePosts += 1;
    for (const peer of this.#peers) {
      this.#retryDeadline[peer] ??= now + this.#retryIntervalMs[peer]!;
    }
  }

  get(seq: number): LogEntry | undefined {
    if (seq <= this.#stableSeq || seq > this.#highestSeq) return undefined;
    return this.#ring[seq & this.#slotMask];
  }

  /** A peer told us it holds our entries up to `seq`. Returns true when that was news. */
  acknowledge(now: number, peer: NodeId, seq: number): boolean {
    const acked = Math.min(seq, this.#highestSeq);
    if (acked <= this.#ackedSeq[peer]!) return false;
    this.#ackedSeq[peer] = acked;
    this.#retryIntervalMs[peer] = this.timing.retryIntervalMs;
    this.#retryDeadline[peer] =
      acked < this.#highestSeq ? now + this.timing.retryIntervalMs : undefined;
    this.#collectStable();
    return true;
  }

  #collectStable(): void {
    let stable = this.#highestSeq;
    for (const peer of this.#peers) stable = Math.min(stable, this.#ackedSeq[peer]!);
    for (let seq = this.#stableSeq + 1; seq <= stable; seq++) {
      const slot = seq & this.#slotMask;
      if (this.#ring[slot]?.kind === 'post') this.#unstablePosts -= 1;
      this.#ring[slot] = undefined;
    }
    this.#stableSeq = Math.max(this.#stableSeq, stable);
  }

  /** Doubles the ring, keeping each unstable entry at its slot for the new mask. */
  #growRing(): void {
    const ring = new Array<LogEntry | undefined>(this.#ring.length * 2);
    const slotMask = ring.length - 1;
    for (let seq = this.#stableSeq + 1; seq < this.#highestSeq; seq++) {
      ring[seq & slotMask] = this.#ring[seq & this.#slotMask];
    }
    this.#ring = ring;
    this.#slotMask = slotMask;
  }

  /** Peers whose retry timer is due; each gets its timer backed off. */
  takeDueRetries(now: number): NodeId[] {
    const due: NodeId[] = [];
    for (const peer of this.#peers) {
      const deadline = this.#retryDeadline[peer];
      if (deadline === undefined || deadline > now) continue;
      due.push(peer);
      const interval = Math.min(this.#retryIntervalMs[peer]! * 2, this.timing.retryIntervalMsMax);
      this.#retryIntervalMs[peer] = interval;
      this.#retryDeadline[peer] = now + interval;
    }
    return due;
  }

  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const peer of this.#peers) {
      const deadline = this.#retryDeadline[peer];
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    }
    return next;
  }
}
