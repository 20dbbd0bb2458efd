import { describe, expect, it } from 'vitest';
import { OwnPostTimes } from './own-post-times.js';

describe('OwnPostTimes', () => {
  it('measures a post from when it was taken to its delivery, once', () => {
    const times = new OwnPostTimes(10);
    times.posted(1, 100);
    times.posted(2, 150);
    expect(times.delivered(2, 160)).toBe(10);
    expect(times.delivered(1, 400)).toBe(300);
    expect(times.delivered(1, 500)).toBeUndefined();
    expect(times.size).toBe(0);
  });

  it('forgets the oldest posts past its bound', () => {
    const times = new OwnPostTimes(2);
    times.posted(1, 0);
    times.posted(2, 0);
    times.posted(3, 0);
    expect(times.size).toBe(2);
    expect(times.delivered(1, 5)).toBeUndefined();
    expect(times.delivered(3, 5)).toBe(5);
  });
});
