#!/usr/bin/env node
/**
 * The benchmark suite behind `pnpm bench`: runs chatserver and the baseline relay (chatrelay) under the
 * same loads in the same run and writes BENCHMARKS.md with every figure and its ratio to the baseline.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { LocalCluster, type ServerProgram } from './local-cluster.js';
import { percentile } from './delivery-ledger.js';
import { runWorkload, type WorkloadResult } from './workload.js';

const MODES = ['unordered', 'fifo', 'total'] as const;
type Mode = (typeof MODES)[number];

interface Load {
  readonly servers: number;
  readonly clients: number;
  readonly rooms: number;
  readonly messagesPerClient: number;
  readonly ratePerSecond?: number;
  readonly window?: number;
  readonly proxyDelayMsMax?: number;
}

interface Figures {
  readonly postedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly lost: number;
  readonly violations: number;
}

const outputPath = process.argv[2] ?? 'BENCHMARKS.md';

async function measure(program: ServerProgram, mode: Mode, load: Load): Promise<Figures> {
  await using cluster = await LocalCluster.start({
    serverCount: load.servers,
    program,
    mode,
    ...(load.proxyDelayMsMax !== undefined && {
      proxy: { delayMsMax: load.proxyDelayMsMax, loss: 0, duplicate: 0, seed: 1 },
    }),
  });
  const result: WorkloadResult = await runWorkload({
    servers: cluster.servers,
    clientCount: load.clients,
    roomCount: load.rooms,
    messagesPerClient: load.messagesPerClient,
    ratePerSecond: load.ratePerSecond,
    windowPerClient: load.window ?? 8,
    idleTimeoutMs: 5_000,
  });
  const violations =
    result.duplicates +
    (mode === 'unordered' ? 0 : result.fifoViolations) +
    (mode === 'total' ? result.totalOrderViolations : 0);
  return {
    postedPerSecond: (result.posted * 1000) / result.postingMs,
    p50Ms: percentile(result.latenciesMs, 0.5),
    p99Ms: percentile(result.latenciesMs, 0.99),
    lost: result.lost - result.refusedDeliveries,
    violations,
  };
}

const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => value.toFixed(2);
const ratio = (a: number, b: number): string => (a / b).toFixed(2);

interface Row {
  readonly name: string;
  readonly server: Figures;
  readonly baseline: Figures;
}

async function compare(name: string, mode: Mode, load: Load): Promise<Row> {
  process.stderr.write(`bench: ${name}\n`);
  const baseline = await measure('chatrelay', mode, load);
  const server = await measure('chatserver', mode, load);
  return { name, server, baseline };
}

const THROUGHPUT: Load = { servers: 3, clients: 12, rooms: 3, messagesPerClient: 3_000, window: 16 };
const AT_2000: Load = { servers: 3, clients: 12, rooms: 3, messagesPerClient: 500, ratePerSecond: 2_000 };
const SCALE: Load = { servers: 10, clients: 250, rooms: 10, messagesPerClient: 100, window: 4 };

const rows: Row[] = [];
for (const mode of MODES) rows.push(await compare(`${mode}: throughput, 3 servers, 12 clients, 3 rooms`, mode, THROUGHPUT));
for (const mode of MODES) rows.push(await compare(`${mode}: latency at 2,000 posted/s`, mode, AT_2000));
for (const mode of MODES) {
  rows.push(await compare(`${mode}: latency at 2,000 posted/s, proxy 0-5 ms`, mode, { ...AT_2000, proxyDelayMsMax: 5 }));
}
rows.push(await compare('total: scale, 10 servers, 250 clients, 10 rooms', 'total', SCALE));
process.stderr.write('bench: generator ceiling\n');
const ceiling = await measure('chatrelay', 'unordered', { ...THROUGHPUT, servers: 1 });

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  '# Benchmarks',
  '',
  'Written by `pnpm bench` (apps/stress/src/bench.ts); do not edit by hand.',
  '',
  `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  '- Baseline: `chatrelay`, a minimal relay doing only the datagram hops of a post (client → its server → the other servers → the room\'s clients), measured in the same run under the same load. Ratios are chatserver / baseline (for latency, lower is better).',
  `- Load generator ceiling: ${rate(ceiling.postedPerSecond)} posted/s against one relay process (the most this generator drives here).`,
  '- Throughput rows: every client keeps a window of own unechoed posts and posts the next when one echoes (closed loop), so the rate is the highest the system sustains; "lost" and "violations" must be 0.',
  '',
  '| load | chatserver posted/s | baseline posted/s | ratio | p50 ms | p99 ms | baseline p50 / p99 ms | lost | violations |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    ({ name, server, baseline }) =>
      `| ${name} | ${rate(server.postedPerSecond)} | ${rate(baseline.postedPerSecond)} | ${ratio(server.postedPerSecond, baseline.postedPerSecond)} | ${ms(server.p50Ms)} | ${ms(server.p99Ms)} | ${ms(baseline.p50Ms)} / ${ms(baseline.p99Ms)} | ${server.lost} | ${server.violations} |`,
  ),
  '',
];
writeFileSync(outputPath, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\n`);
