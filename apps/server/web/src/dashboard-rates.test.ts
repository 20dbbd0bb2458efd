import { describe, expect, it } from 'vitest';
import type { ServerStatsSnapshot } from '../../src/http/web-api.js';
import { meanLatencyMs, ratePerSecond, type Sample } from './dashboard-rates.js';

const sample = (atMs: number, deliveries: number, count = 0, sumSeconds = 0): Sample => ({
  atMs,
  snapshot: {
    index: 1,
    mode: 'total',
    uptimeSeconds: 1,
    stats: { 'engine.deliveries': deliveries },
    view: null,
    latency: { count, sumSeconds },
  } satisfies ServerStatsSnapshot,
});

describe('dashboard rates', () => {
  it('divides a counter`s growth by the time between two samples', () => {
    expect(ratePerSecond('engine.deliveries', sample(2000, 150), sample(1000, 50))).toBe('100');
    expect(ratePerSecond('engine.deliveries', sample(2000, 150), undefined)).toBe('…');
    // A restart resets the counters: no negative rate.
    expect(ratePerSecond('engine.deliveries', sample(2000, 5), sample(1000, 50))).toBe('…');
  });

  it('averages the latency of the posts measured between two samples', () => {
    expect(meanLatencyMs(sample(2000, 0, 12, 0.03), sample(1000, 0, 2, 0.01))).toBe('2.0');
    expect(meanLatencyMs(sample(2000, 0, 2, 0.01), sample(1000, 0, 2, 0.01))).toBe('—');
  });
});
