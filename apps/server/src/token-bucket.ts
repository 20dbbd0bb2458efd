/**
 * A token bucket, sans-IO: the caller passes the time. It holds at most `tokensMax` tokens and
 * gains `tokensPerSecond` a second; each `take` spends one. A client may send a burst of
 * `tokensMax` datagrams at once and then `tokensPerSecond` a second for as long as it likes.
 */
export class TokenBucket {
  private tokens: number;
  private refilledMs: number;

  constructor(
    readonly tokensPerSecond: number,
    readonly tokensMax: number,
    nowMs: number,
  ) {
    if (!(tokensPerSecond > 0) || !(tokensMax >= 1)) {
      throw new RangeError(`a token bucket needs a rate > 0 and room for >= 1 token`);
    }
    this.tokens = tokensMax;
    this.refilledMs = nowMs;
  }

  /** Spends a token if there is one. A clock that went backwards adds nothing. */
  take(nowMs: number): boolean {
    const elapsedMs = nowMs - this.refilledMs;
    if (elapsedMs > 0) {
      this.tokens = Math.min(
        this.tokensMax,
        this.tokens + (elapsedMs * this.tokensPerSecond) / 1000,
      );
      this.refilledMs = nowMs;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
