/**
 * When each of this server's own posts was taken, by its sequence number, until the engine
 * delivers it here: the post-to-delivery latency of the server's own clients, measured on one
 * clock. Bounded: past `entriesMax` outstanding posts the oldest is forgotten (its latency goes
 * unmeasured), so posts that never come back (a refused or lost cluster) cannot grow it.
 */
export class OwnPostTimes {
  /** Insertion order is sequence order, so the first key is the oldest. */
  private readonly postedMs = new Map<number, number>();

  constructor(private readonly entriesMax: number) {
    if (!(entriesMax >= 1)) throw new RangeError('OwnPostTimes needs room for at least one post');
  }

  get size(): number {
    return this.postedMs.size;
  }

  posted(seq: number, nowMs: number): void {
    if (this.postedMs.size >= this.entriesMax) {
      const oldest = this.postedMs.keys().next();
      if (oldest.done !== true) this.postedMs.delete(oldest.value);
    }
    this.postedMs.set(seq, nowMs);
  }

  /** Milliseconds since the post was taken, or undefined when it is not (or no longer) known. */
  delivered(seq: number, nowMs: number): number | undefined {
    const postedMs = this.postedMs.get(seq);
    if (postedMs === undefined) return undefined;
    this.postedMs.delete(seq);
    return nowMs - postedMs;
  }
}
