import { expect, test } from 'vitest';
import { renderHtmlReport } from './html-report.js';
import type { StressReport } from './stress-report.js';
import { TraceSample } from './trace-sample.js';

const report: StressReport = {
  mode: 'total',
  program: 'chatserver',
  servers: 2,
  clients: 2,
  rooms: 1,
  messagesPerClient: 1,
  load: 'window 1',
  proxy: null,
  posted: 2,
  postedPerSecond: 1000,
  deliveries: 4,
  deliveriesPerSecond: 2000,
  lost: 0,
  refusedPosts: 0,
  duplicates: 0,
  fifoViolations: 0,
  totalOrderViolations: 0,
  unexpectedDatagrams: 0,
  clientDrops: 0,
  serverDrops: 0,
  warmupMs: 0,
  latencyMs: { p50: 0.3, p90: 0.4, p99: 0.5, max: 0.5 },
  generatorCeilingPostedPerSecond: null,
  generatorCores: 0.1,
  serverCores: 0.2,
  otherCores: 0,
  guaranteesBroken: [],
};

test('renders one self-contained page with a histogram and a space-time diagram', () => {
  const sample = new TraceSample([0, 1], [1, 1], 2, 1);
  sample.start(0);
  for (const sender of [0, 1]) {
    sample.recordPosted(sender, 0, sender * 0.1);
    for (const receiver of [0, 1]) sample.recordDelivered(receiver, sender, 0, 0.4 + sender * 0.1);
  }
  const html = renderHtmlReport(report, Float64Array.from([0.3, 0.4, 0.5, 0.5]), sample.data());
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).not.toMatch(/<script|<link|src=|href=/i);
  expect(html.match(/<svg /g)).toHaveLength(2);
  // Two messages, each to both members: four arrows.
  expect(html.match(/<path d="M[\d.]+,[\d.]+ Q/g)).toHaveLength(4);
  expect(html).toContain('server 2');
});

test('escapes text taken from the run', () => {
  const html = renderHtmlReport(
    { ...report, program: '<b>&"' },
    new Float64Array(),
    new TraceSample([0], [1], 1, 1).data(),
  );
  expect(html).toContain('&#60;b&#62;&#38;&#34;');
  expect(html).not.toContain('<b>');
});
