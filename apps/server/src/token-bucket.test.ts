import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

/** How many of `count` takes at `nowMs` succeed. */
function takeMany(bucket: TokenBucket, count: number, nowMs: number): number {
  let taken = 0;
  for (let i = 0; i < count; i++) if (bucket.take(nowMs)) taken++;
  return taken;
}

describe('TokenBucket', () => {
  it('allows a burst of tokensMax, then refuses', () => {
    const bucket = new TokenBucket(100, 200, 0);
    expect(takeMany(bucket, 1000, 0)).toBe(200);
    expect(bucket.take(0)).toBe(false);
  });

  it('refills at tokensPerSecond, never above tokensMax', () => {
    const bucket = new TokenBucket(100, 200, 0);
    takeMany(bucket, 200, 0);
    expect(takeMany(bucket, 1000, 500)).toBe(50);
    expect(takeMany(bucket, 1000, 10_500)).toBe(200);
  });

  it('sustains exactly its rate over time', () => {
    const bucket = new TokenBucket(1000, 1, 0);
    let taken = 0;
    // Ten attempts per millisecond for ten seconds: one per millisecond gets through.
    for (let nowMs = 1; nowMs <= 10_000; nowMs++) taken += takeMany(bucket, 10, nowMs);
    expect(taken).toBe(10_000);
  });

  it('keeps fractions of a token between calls', () => {
    const bucket = new TokenBucket(1, 1, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(800)).toBe(false);
    expect(bucket.take(1000)).toBe(true);
  });

  it('gains nothing from a clock that goes backwards', () => {
    const bucket = new TokenBucket(1000, 1, 5000);
    expect(bucket.take(5000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(4999)).toBe(false);
    expect(bucket.take(5001)).toBe(true);
  });

  it('refuses a rate or capacity that could never pass anything', () => {
    expect(() => new TokenBucket(0, 10, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(10, 0.5, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN, 10, 0)).toThrow(RangeError);
  });
});
