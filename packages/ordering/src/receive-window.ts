import type { LogEntry } from './messages.js';
import type { EngineLimits, EngineTiming } from './options.js';
import { ringSlotsFor } from './ring-slots.js';

export type InsertResult = 'new' | 'duplicate' | 'out-of-window';

/** A run of missing seqs to ask for again. */
export interface MissingRange {
  readonly first: number;
  readonly last: number;
}

/** NAK at most this many separate holes per round; later holes wait for the next round. */
const NAK_RANGES_PER_ROUND_MAX = 16;

/**
 * What this node holds of one peer's log in one view. Everything up to `contiguousSeq` has arrived
 * (and is acknowledged); entries beyond it wait until the gap before them is filled. Arrived entries
 * are handed up in seq order by `takeNext`, and kept after that until `release` (until every member
 * holds them), so that if the peer fails, a view change can hand them to members that lack them.
 * Gaps are NAKed once they have persisted for `nakDelayMs` (so plain reordering costs nothing), then
 * again with backoff until repaired.
 */
export class ReceiveWindow {
  /**
   * Held entries, entry `seq` at slot `seq & #slotMask`. The ring always covers
   * `#releasedSeq + 1 .. #releasedSeq + slots`, so those seqs have distinct slots: a ring rather than
   * a Map, since entries mostly arrive in order and leave in order. It starts with room for a post
   * window (a peer's unstable posts) and doubles when an entry arrives further ahead than it covers.
   */
  #ring: (LogEntry | undefined)[];
  #slotMask: number;
  #heldCount = 0;
  #contiguousSeq = 0;
  /** The last entry handed up; at most `#contiguousSeq`. */
  #takenSeq = 0;
  /** Entries up to here are dropped; at most `#takenSeq`. */
  #releasedSeq = 0;
  /** No NAK asks beyond this (a view change's cut), if set. */
  #nakCeilingSeq = Number.POSITIVE_INFINITY;
  /** The highest seq we know the peer has written: from its entries and its status messages. */
  #knownHighestSeq = 0;
  #nakDeadline: number | undefined;
  #nakIntervalMs: number;

  constructor(
    private readonly limits: EngineLimits,
    private readonly timing: EngineTiming,
  ) {
    const slots = ringSlotsFor(
      Math.min(limits.postWindowEntriesMax, limits.receiveWindowEntriesMax),
    );
    this.#ring = new Array<LogEntry | undefined>(slots);
    this.#slotMask = slots - 1;
    this.#nakIntervalMs = timing.retryIntervalMs;
  }

  get contiguousSeq(): number {
    return this.#contiguousSeq;
  }

  get heldCount(): number {
    return this.#heldCount;
  }

  get takenSeq(): number {
    return this.#takenSeq;
  }

  /** Taken entries kept for a view change. */
  get retainedCount(): number {
    return this.#takenSeq - this.#releasedSeq;
  }

  insert(now: number, entry: LogEntry): InsertResult {
    const { seq } = entry;
    if (seq <= this.#contiguousSeq || this.#holds(seq)) return 'duplicate';
    if (seq > this.#takenSeq + this.limits.receiveWindowEntriesMax) {
      // Dropped, but the gap before it is real: NAK what fits in the window.
      this.learnHighest(now, seq);
      return 'out-of-window';
    }
    while (seq - this.#releasedSeq > this.#slotMask + 1) this.#growRing();
    this.#ring[seq & this.#slotMask] = entry;
    this.#heldCount += 1;
    if (seq === this.#contiguousSeq + 1) {
      do this.#contiguousSeq += 1;
      while (this.#holds(this.#contiguousSeq + 1));
      // Progress: the next NAK (if a gap remains) waits a fresh delay at the base interval.
      this.#nakIntervalMs = this.timing.retryIntervalMs;
      this.#nakDeadline = this.#hasGap() ? now + this.timing.nakDelayMs : undefined;
    }
    this.learnHighest(now, seq);
    return 'new';
  }

  /** Takes the next entry in seq order, if it has arrived (it stays retained until released). */
  takeNext(): LogEntry | undefined {
    if (this.#takenSeq >= this.#contiguousSeq) return undefined;
    const entry = this.#ring[(this.#takenSeq + 1) & this.#slotMask];
    this.#heldCount -= 1;
    this.#takenSeq += 1;
    return entry;
  }

  /** Entry `seq` if it is held or retained. */
  get(seq: number): LogEntry | undefined {
    if (seq <= this.#releasedSeq) return undefined;
    const entry = this.#ring[seq & this.#slotMask];
    return entry?.seq === seq ? entry : undefined;
  }

  /** Every member holds the entries up to `seq`: drop those already taken. */
  release(seq: number): void {
    const last = Math.min(seq, this.#takenSeq);
    for (let next = this.#releasedSeq + 1; next <= last; next++) {
      this.#ring[next & this.#slotMask] = undefined;
    }
    this.#releasedSeq = Math.max(this.#releasedSeq, last);
  }

  /** A view change needs the entries up to `seq`: NAK up to it, and never beyond. */
  want(now: number, seq: number): void {
    this.#nakCeilingSeq = seq;
    this.#knownHighestSeq = Math.max(this.#knownHighestSeq, seq);
    if (!this.#hasGap()) return;
    // Asked for now, and from now on at the base interval: the NAKs go to a member that holds the
    // entries (the backoff grew while they went to a writer that may be gone), and a view change
    // waits on them. The ceiling may also have hidden a gap already known of.
    this.#nakIntervalMs = this.timing.retryIntervalMs;
    this.#nakDeadline = Math.min(
      this.#nakDeadline ?? Number.POSITIVE_INFINITY,
      now + this.timing.nakDelayMs,
    );
  }

  /** The peer has written at least up to `seq`. */
  learnHighest(now: number, seq: number): void {
    if (seq <= this.#knownHighestSeq) return;
    this.#knownHighestSeq = seq;
    if (this.#hasGap()) this.#nakDeadline ??= now + this.timing.nakDelayMs;
  }

  /** When the NAK timer is due: the holes to ask for (bounded), and the timer backed off. */
  takeDueNak(now: number): MissingRange[] {
    if (this.#nakDeadline === undefined || this.#nakDeadline > now) return [];
    if (!this.#hasGap()) {
      this.#nakDeadline = undefined;
      return [];
    }
    const ranges = this.#missingRanges();
    this.#nakDeadline = now + this.#nakIntervalMs;
    this.#nakIntervalMs = Math.min(this.#nakIntervalMs * 2, this.timing.retryIntervalMsMax);
    return ranges;
  }

  nextDeadline(): number | undefined {
    return this.#nakDeadline;
  }

  /** Whether entry `seq` is held; any seq, also one beyond what the ring covers. */
  #holds(seq: number): boolean {
    return this.#ring[seq & this.#slotMask]?.seq === seq;
  }

  /** Doubles the ring, moving each held entry to its slot for the new mask. */
  #growRing(): void {
    const ring = new Array<LogEntry | undefined>(this.#ring.length * 2);
    const slotMask = ring.length - 1;
    for (const entry of this.#ring) if (entry !== undefined) ring[entry.seq & slotMask] = entry;
    this.#ring = ring;
    this.#slotMask = slotMask;
  }

  #hasGap(): boolean {
    return Math.min(this.#knownHighestSeq, this.#nakCeilingSeq) > this.#contiguousSeq;
  }

  #missingRanges(): MissingRange[] {
    const ranges: MissingRange[] = [];
    let budget = this.limits.retransmitEntriesPerNakMax;
    let seq = this.#contiguousSeq + 1;
    const end = Math.min(
      this.#knownHighestSeq,
      this.#nakCeilingSeq,
      this.#takenSeq + this.limits.receiveWindowEntriesMax,
    );
    while (seq <= end && budget > 0 && ranges.length < NAK_RANGES_PER_ROUND_MAX) {
      if (this.#holds(seq)) {
        seq += 1;
        continue;
      }
      const first = seq;
      while (seq <= end && budget > 0 && !this.#holds(seq)) {
        seq += 1;
        budget -= 1;
      }
      ranges.push({ first, last: seq - 1 });
    }
    return ranges;
  }
}
