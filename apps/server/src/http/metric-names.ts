/**
 * Stats keys (`server.clientDatagrams`, `engine.logDepth`, ...) as Prometheus metric names:
 * `chat_` + the key in snake case, with `_total` for counters. A key is a gauge (a current value)
 * when it is a depth or a level; every other key counts events since the start.
 */

const GAUGE_KEYS = new Set(['clients', 'websocket.connections', 'websocket.bufferedBytes']);
const GAUGE_PREFIXES = ['view.', 'memory.'];
const GAUGE_SUFFIXES = ['Depth', 'Pending'];

export type MetricKind = 'counter' | 'gauge';

export function metricKind(key: string): MetricKind {
  if (GAUGE_KEYS.has(key)) return 'gauge';
  if (GAUGE_PREFIXES.some((prefix) => key.startsWith(prefix))) return 'gauge';
  if (GAUGE_SUFFIXES.some((suffix) => key.endsWith(suffix))) return 'gauge';
  return 'counter';
}

export function metricName(key: string): string {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
  return `chat_${snake}${metricKind(key) === 'counter' ? '_total' : ''}`;
}
