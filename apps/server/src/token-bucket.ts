/**
 * A token bucket, sans-IO: the caller passes the time. It holds at most `tokensMax` tokens and
 * gains `tokensPerSecond` a second; each `take` spends one. A client may send a burst of
 * `tokensMax` datagrams at once and then `tokensPerSecond` a second for as long as it likes.
 *
 * Kept as one time instead of a count (the generic cell rate algorithm): `fullAtMs`, when the
 * bucket would be full again, and a take is one token's worth of time later. Every field holds a
 * time from the start, so the count never turns from a whole number into a fraction under load,
 * which would make V8 throw away the optimized code of the client path that inlines `take`.
 */
export class TokenBucket {
  /** Time one token takes to come back. */
  private readonly tokenMs: number;
  /** How far ahead of now `fullAtMs` may be when a token is taken: all tokens but one spent. */
  private readonly aheadMsMax: number;
  private fullAtMs: number;

  constructor(
    readonly tokensPerSecond: number,
    readonly tokensMax: number,
    nowMs: number,
  ) {
    if (!(tokensPerSecond > 0) || !(tokensMax >= 1)) {
      throw new RangeError(`a token bucket needs a rate > 0 and room for >= 1 token`);
    }
    this.tokenMs = 1000 / tokensPerSecond;
    this.aheadMsMax = (tokensMax - 1) * this.tokenMs;
    this.fullAtMs = nowMs;
  }

  /** Spends a token if there is one. A clock that went backwards adds nothing. */
  take(nowMs: number): boolean {
    const fullAtMs = Math.max(this.fullAtMs, nowMs);
    if (fullAtMs - nowMs > this.aheadMsMax) return false;
    this.fullAtMs = fullAtMs + this.tokenMs;
    return true;
  }
}
