import type { LogEntry, NodeId } from './messages.js';
import { ringSlotsFor } from './ring-slots.js';

/**
 * This node's own log: entries numbered from 1, kept until every peer has acknowledged them (then
 * they are stable and dropped), so that a NAK can be answered. Lost tails need no timer here: every
 * status (and a node sends one at least every heartbeat) names the sender's highest seq, and a peer
 * that lacks entries up to it NAKs them.
 */
export class SendLog {
  /**
   * The unstable entries, `#stableSeq + 1 .. #highestSeq`, entry `seq` at slot `seq & #slotMask`: a
   * ring rather than a Map, since seqs are dense and leave in the order they came. It doubles
   * whenever the unstable entries outgrow it.
   */
  #ring: (LogEntry | undefined)[];
  #slotMask: number;
  readonly #peers: readonly NodeId[];
  /** Indexed by node id: the highest seq the peer holds without gaps, as far as we know. */
  readonly #ackedSeq: number[];
  #highestSeq = 0;
  #stableSeq = 0;

  /** `entriesExpected`: how many unstable entries to make room for at once (the post window). */
  constructor(
    readonly self: NodeId,
    members: readonly NodeId[],
    entriesExpected: number,
  ) {
    const slots = ringSlotsFor(entriesExpected);
    this.#ring = new Array<LogEntry | undefined>(slots);
    this.#slotMask = slots - 1;
    this.#peers = members.filter((id) => id !== self);
    this.#ackedSeq = new Array<number>(Math.max(0, ...members) + 1).fill(0);
  }

  get highestSeq(): number {
    return this.#highestSeq;
  }

  /** Every peer holds this node's entries up to this seq. */
  get stableSeq(): number {
    return this.#stableSeq;
  }

  /** Entries not yet held by every peer. */
  get unstableCount(): number {
    return this.#highestSeq - this.#stableSeq;
  }

  /** The seq the next appended entry must have. */
  get nextSeq(): number {
    return this.#highestSeq + 1;
  }

  /**
   * Appends `entry`, whose seq is `nextSeq`. The caller builds the entry, so that entries have the
   * same shape as decoded ones and stay monomorphic on the hot path.
   */
  append(entry: LogEntry): void {
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
  }

  get(seq: number): LogEntry | undefined {
    if (seq <= this.#stableSeq || seq > this.#highestSeq) return undefined;
    return this.#ring[seq & this.#slotMask];
  }

  /** A peer told us it holds our entries up to `seq`. */
  acknowledge(peer: NodeId, seq: number): void {
    const acked = Math.min(seq, this.#highestSeq);
    if (acked <= this.#ackedSeq[peer]!) return;
    this.#ackedSeq[peer] = acked;
    this.#collectStable();
  }

  #collectStable(): void {
    let stable = this.#highestSeq;
    for (const peer of this.#peers) stable = Math.min(stable, this.#ackedSeq[peer]!);
    for (let seq = this.#stableSeq + 1; seq <= stable; seq++) {
      this.#ring[seq & this.#slotMask] = undefined;
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
}
