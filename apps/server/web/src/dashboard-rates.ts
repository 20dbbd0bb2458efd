import type { ServerStatsSnapshot } from '../../src/http/web-api.js';

/** One poll of one server, with when the page received it. */
export interface Sample {
  readonly atMs: number;
  readonly snapshot: ServerStatsSnapshot;
}

/** Per-second rate of a counter between two samples, as text; `…` until there are two. */
export function ratePerSecond(key: string, now: Sample, before: Sample | undefined): string {
  if (before === undefined || now.atMs <= before.atMs) return '…';
  const delta = (now.snapshot.stats[key] ?? 0) - (before.snapshot.stats[key] ?? 0);
  // A restarted server starts its counters again from zero.
  if (delta < 0) return '…';
  return String(Math.round((delta * 1000) / (now.atMs - before.atMs)));
}

/** Mean post-to-delivery latency of own posts between two samples, in ms. */
export function meanLatencyMs(now: Sample, before: Sample | undefined): string {
  if (before === undefined) return '…';
  const posts = now.snapshot.latency.count - before.snapshot.latency.count;
  if (posts <= 0) return '—';
  const seconds = now.snapshot.latency.sumSeconds - before.snapshot.latency.sumSeconds;
  return ((seconds * 1000) / posts).toFixed(1);
}

export const rateColumns: readonly {
  title: string;
  value: (now: Sample, before: Sample | undefined) => string;
}[] = [
  {
    title: 'Datagrams in/s',
    value: (now, before) => ratePerSecond('socket.datagramsReceived', now, before),
  },
  {
    title: 'Datagrams out/s',
    value: (now, before) => ratePerSecond('socket.datagramsSent', now, before),
  },
  {
    title: 'Deliveries/s',
    value: (now, before) => ratePerSecond('engine.deliveries', now, before),
  },
  {
    title: 'Lines to clients/s',
    value: (now, before) => ratePerSecond('server.deliveryDatagrams', now, before),
  },
  {
    title: 'Retransmissions/s',
    value: (now, before) => ratePerSecond('engine.retransmissions', now, before),
  },
  { title: 'Latency ms (own posts)', value: meanLatencyMs },
];
