#!/usr/bin/env node
/**
 * The benchmark suite behind `pnpm bench`: runs chatserver and the baseline relay (chatrelay) under
 * the same loads in the same run and writes BENCHMARKS.md with every figure and its ratio to the
 * baseline. Repeated figures are medians; chatserver and baseline runs alternate, so a slow phase of
 * the machine hits both.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { percentile } from './delivery-ledger.js';
import { machineBusyCores } from './machine-cpu.js';
import type { OrderingMode, ProxySettings, ServerProgram } from './stress-arguments.js';
import { guaranteesBroken, otherCores } from './stress-report.js';
import { runStress } from './stress-run.js';

const MODES: readonly OrderingMode[] = ['unordered', 'fifo', 'total'];
/** Runs per figure that is given as a median. */
const REPEATS = 3;
/**
 * The sustained-rate search: fixed-rate runs at these shares of the closed-loop rate, highest
 * first, until one keeps up with nothing lost, refused or out of order.
 */
const SUSTAINED_SHARES = [0.9, 0.8, 0.7, 0.6, 0.5] as const;
/** Seconds at the full rate, after the WARMUP_MS ramp. */
const SUSTAINED_STEADY_SECONDS = 2;
/** A fixed-rate run that reaches less than this share of the rate asked did not keep up. */
const KEPT_UP_SHARE = 0.97;
const RATIO_TARGETS: Record<OrderingMode, number> = { unordered: 0.8, fifo: 0.8, total: 0.5 };
const P50_TARGET_MS = 0.5;
const P99_TARGET_MS = 2;
/** Servers run as deployed: with a cluster key, so every server-to-server datagram is authenticated. */
const KEYED = true;

interface Load {
  readonly servers: number;
  readonly clients: number;
  readonly rooms: number;
  readonly messagesPerClient: number;
  /** Fixed total rate; undefined = closed loop with `window`. */
  readonly ratePerSecond?: number;
  readonly window?: number;
  readonly proxy?: ProxySettings;
  /** Ramp up over WARMUP_MS and leave it out of the figures (the default). */
  readonly warmup?: boolean;
}

interface Figures {
  readonly postedPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly lost: number;
  /** Posts the servers refused (`-ERR Server busy`): not lost, but not sustained either. */
  readonly refused: number;
  readonly violations: number;
  /** Average CPU cores busy during the run. */
  readonly serverCores: number;
  readonly generatorCores: number;
  /** Cores busy with anything else: the proxy, or other jobs on the machine (which spoil a run). */
  readonly otherCores: number;
  /** Datagrams the kernel dropped for full receive buffers: at the clients / at the servers. */
  readonly clientDrops: number;
  readonly serverDrops: number;
}

const outputPath = process.argv[2] ?? 'BENCHMARKS.md';
/** BENCHMARKS.md from this line on is not this suite's: it is written by hand from other runs. */
const KEPT_SECTIONS_MARKER = '<!-- pnpm bench keeps what follows -->';
const THROUGHPUT: Load = {
  servers: 3,
  clients: 12,
  rooms: 3,
  messagesPerClient: 8_000,
  window: 16,
};
const AT_2000: Load = {
  servers: 3,
  clients: 12,
  rooms: 3,
  messagesPerClient: 500,
  ratePerSecond: 2_000,
};
/**
 * Runs ramp their load up over the first second and leave it out of their rates and latencies
 * (not out of the checks): the servers' JIT compiler is warming up.
 */
const WARMUP_MS = 1_000;
const PROXY: ProxySettings = { delayMsMax: 5, loss: 0, duplicate: 0, seed: 1 };
const SCALE: Load = {
  servers: 10,
  clients: 250,
  rooms: 10,
  messagesPerClient: 60,
  window: 2,
  // Too short a run to leave a second out.
  warmup: false,
};
/**
 * Before each run the machine must be idle (below this many busy cores): a benchmark sharing the
 * CPU with another job measures that job. It waits at most QUIET_WAIT_MS_MAX, then runs anyway and
 * counts the run as disturbed.
 */
const QUIET_CORES_MAX = 0.25;
const QUIET_SAMPLE_MS = 250;
const QUIET_WAIT_MS_MAX = 60_000;
const RUN_ATTEMPTS_MAX = 3;
const startedMs = performance.now();
let anyBroken = false;
let disturbedRuns = 0;
let rerunRuns = 0;
let quietWaitMs = 0;

/** Waits until nothing else keeps the machine's CPU busy; false if it never became quiet. */
async function waitForQuietMachine(): Promise<boolean> {
  const waitStartedMs = performance.now();
  for (;;) {
    const busy = await machineBusyCores(QUIET_SAMPLE_MS);
    if (busy === undefined || busy < QUIET_CORES_MAX) break;
    if (performance.now() - waitStartedMs > QUIET_WAIT_MS_MAX) {
      quietWaitMs += performance.now() - waitStartedMs;
      return false;
    }
  }
  quietWaitMs += performance.now() - waitStartedMs;
  return true;
}

/**
 * One run, on a quiet machine. A run that another job disturbed anyway (other processes busy on
 * average for more than QUIET_CORES_MAX cores, with no proxy) is run again, at most
 * RUN_ATTEMPTS_MAX times in all; the last attempt counts whatever happened.
 */
async function measure(program: ServerProgram, mode: OrderingMode, load: Load): Promise<Figures> {
  for (let attempt = 1; ; attempt++) {
    const quiet = await waitForQuietMachine();
    const figures = await measureOnce(program, mode, load);
    const disturbed = !quiet || (load.proxy === undefined && figures.otherCores > QUIET_CORES_MAX);
    if (!disturbed) return figures;
    if (attempt === RUN_ATTEMPTS_MAX) {
      disturbedRuns += 1;
      return figures;
    }
    rerunRuns += 1;
  }
}

async function measureOnce(
  program: ServerProgram,
  mode: OrderingMode,
  load: Load,
): Promise<Figures> {
  const result = await runStress({
    program,
    mode,
    cluster: { serverCount: load.servers },
    proxy: load.proxy,
    keyed: KEYED,
    workload: {
      clientCount: load.clients,
      roomCount: load.rooms,
      messagesPerClient: load.messagesPerClient,
      ratePerSecond: load.ratePerSecond,
      windowPerClient: load.window ?? 1,
      idleTimeoutMs: 5_000,
      warmupMs: load.warmup === false ? 0 : WARMUP_MS,
    },
  });
  const broken = guaranteesBroken(mode, program, result);
  if (broken.length > 0) {
    // The baseline has no repair, so its losses are a figure; chatserver's are a failure.
    if (program === 'chatserver') anyBroken = true;
    process.stderr.write(`bench: ${program} ${mode} broke: ${broken.join(', ')}\n`);
  }
  const ordered = program === 'chatserver';
  return {
    postedPerSecond: result.postedPerSecond,
    deliveredPerSecond: result.deliveredPerSecond,
    p50Ms: percentile(result.latenciesMs, 0.5),
    p99Ms: percentile(result.latenciesMs, 0.99),
    lost: result.lost - result.refusedDeliveries,
    refused: result.busyReplies,
    violations:
      result.duplicates +
      (ordered && mode !== 'unordered' ? result.fifoViolations : 0) +
      (ordered && mode === 'total' ? result.totalOrderViolations : 0),
    serverCores: (result.serverCpuMs ?? Number.NaN) / result.deliveringMs,
    generatorCores: result.generatorCpuMs / result.deliveringMs,
    otherCores: otherCores(result) ?? Number.NaN,
    clientDrops: result.clientDrops ?? Number.NaN,
    serverDrops: result.serverDrops ?? Number.NaN,
  };
}

/** Each figure's median over the runs; losses and violations are summed, not hidden. */
function medianFigures(runs: readonly Figures[]): Figures {
  const median = (pick: (figures: Figures) => number): number => {
    const values = runs.map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)]!;
  };
  const sum = (pick: (figures: Figures) => number): number =>
    runs.reduce((total, figures) => total + pick(figures), 0);
  return {
    postedPerSecond: median((f) => f.postedPerSecond),
    deliveredPerSecond: median((f) => f.deliveredPerSecond),
    p50Ms: median((f) => f.p50Ms),
    p99Ms: median((f) => f.p99Ms),
    lost: sum((f) => f.lost),
    refused: sum((f) => f.refused),
    violations: sum((f) => f.violations),
    serverCores: median((f) => f.serverCores),
    generatorCores: median((f) => f.generatorCores),
    otherCores: median((f) => f.otherCores),
    clientDrops: sum((f) => f.clientDrops),
    serverDrops: sum((f) => f.serverDrops),
  };
}

function progress(what: string): void {
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(0);
  process.stderr.write(`bench [${seconds} s]: ${what}\n`);
}

/** REPEATS rounds of: the baseline, then chatserver in each mode. */
async function repeated(
  name: string,
  load: Load,
): Promise<{ baseline: Figures; servers: Record<OrderingMode, Figures> }> {
  const baselineRuns: Figures[] = [];
  const serverRuns: Record<OrderingMode, Figures[]> = { unordered: [], fifo: [], total: [] };
  for (let round = 1; round <= REPEATS; round++) {
    progress(`${name}, round ${round} of ${REPEATS}`);
    baselineRuns.push(await measure('chatrelay', 'unordered', load));
    for (const mode of MODES) serverRuns[mode].push(await measure('chatserver', mode, load));
  }
  return {
    baseline: medianFigures(baselineRuns),
    servers: {
      unordered: medianFigures(serverRuns.unordered),
      fifo: medianFigures(serverRuns.fifo),
      total: medianFigures(serverRuns.total),
    },
  };
}

const ceilingRuns: Figures[] = [];
for (let round = 1; round <= REPEATS; round++) {
  progress(`generator ceiling, round ${round} of ${REPEATS}`);
  ceilingRuns.push(await measure('chatrelay', 'unordered', { ...THROUGHPUT, servers: 1 }));
}
const ceiling = medianFigures(ceilingRuns);

const throughput = await repeated('throughput', THROUGHPUT);

interface Sustained {
  /** The highest rate that kept up, or the last one tried if none did. */
  readonly ratePerSecond: number;
  readonly share: number;
  readonly figures: Figures;
  readonly keptUp: boolean;
  /** Rates tried above it that did not keep up. */
  readonly failedRates: readonly number[];
}

/** The highest fixed rate, as a share of the closed-loop rate, that keeps up with no loss. */
async function sustained(
  program: ServerProgram,
  mode: OrderingMode,
  closedLoop: Figures,
): Promise<Sustained> {
  const failedRates: number[] = [];
  const { servers, clients, rooms } = THROUGHPUT;
  let last: Sustained | undefined;
  for (const share of SUSTAINED_SHARES) {
    const ratePerSecond = Math.floor(closedLoop.postedPerSecond * share);
    // The ramp posts half a warm-up's worth at the full rate.
    const seconds = WARMUP_MS / 2000 + SUSTAINED_STEADY_SECONDS;
    const messagesPerClient = Math.ceil((ratePerSecond * seconds) / clients);
    const figures = await measure(program, mode, {
      servers,
      clients,
      rooms,
      ratePerSecond,
      messagesPerClient,
    });
    const keptUp =
      figures.postedPerSecond >= ratePerSecond * KEPT_UP_SHARE &&
      figures.lost === 0 &&
      figures.refused === 0 &&
      figures.violations === 0;
    last = { ratePerSecond, share, figures, keptUp, failedRates: [...failedRates] };
    if (keptUp) return last;
    failedRates.push(ratePerSecond);
  }
  return last!;
}
progress('sustained rate search');
const sustainedBaseline = await sustained('chatrelay', 'unordered', throughput.baseline);
const sustainedServers = {} as Record<OrderingMode, Sustained>;
for (const mode of MODES) {
  sustainedServers[mode] = await sustained('chatserver', mode, throughput.servers[mode]);
}

const at2000 = await repeated('latency at 2,000 posted/s', AT_2000);

progress('latency at 2,000 posted/s through chatproxy 0-5 ms');
const proxied = {
  baseline: await measure('chatrelay', 'unordered', { ...AT_2000, proxy: PROXY }),
  servers: {} as Record<OrderingMode, Figures>,
};
for (const mode of MODES) {
  proxied.servers[mode] = await measure('chatserver', mode, { ...AT_2000, proxy: PROXY });
}

progress('scale: 10 servers, 250 clients, 10 rooms');
const scale = {
  baseline: await measure('chatrelay', 'unordered', SCALE),
  server: await measure('chatserver', 'total', SCALE),
};

// ---- the page ----

const rate = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '-');
const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '-');
const coreCount = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '-');
const cores = (f: Figures): string =>
  `${coreCount(f.serverCores)} / ${coreCount(f.generatorCores)} / ${coreCount(f.otherCores)}`;
const met = (ok: boolean): string => (ok ? 'yes' : '**no**');

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const runSeconds = Math.round((performance.now() - startedMs) / 1000);
const quietNote =
  `Before each run the suite waited until the rest of the machine used under ${QUIET_CORES_MAX} cores ` +
  `(${Math.round(quietWaitMs / 1000)} s of waiting in all), and ran again any run that another job ` +
  `disturbed anyway (${rerunRuns} reruns)` +
  (disturbedRuns > 0
    ? `; **${disturbedRuns} runs stayed disturbed after ${RUN_ATTEMPTS_MAX} attempts**`
    : '') +
  '.';
const b = throughput.baseline;
const lines = [
  '# Benchmarks',
  '',
  'Written by `pnpm bench` (apps/stress/src/bench.ts, `node apps/stress/dist/bench.js BENCHMARKS.md`); do not edit by hand.',
  '',
  `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the suite took ${runSeconds} s.`,
  `- Everything runs on this one machine over 127.0.0.1: with ${cpus().length} cores, the servers, the proxy and the load generator share the CPU, so the "CPU" columns (average cores busy: all servers / the load generator / everything else, such as the proxy or other jobs) show who had it. "Other" well above 0 without a proxy means another job competed and that run's figures are low. ${quietNote}`,
  "- Baseline: `chatrelay`, a minimal Node relay doing only the datagram hops of a post (client → its server → the other servers → the room's clients) with no protocol, ordering or checks, measured in the same run under the same load. Ratios are chatserver / baseline (for latency, lower is better).",
  `- Load generator ceiling (median of ${REPEATS}): ${rate(ceiling.postedPerSecond)} posted/s, ${rate(ceiling.deliveredPerSecond)} delivered datagrams/s against one chatrelay process, using ${ceiling.generatorCores.toFixed(2)} cores: the most this generator drives here. Its CPU share in every other run is in the CPU columns.`,
  "- Drops: datagrams the kernel dropped because a receive buffer was full, at the clients' sockets (the generator read too slowly: a loss there is the generator's) and at the servers' sockets (a server fell behind; between servers the protocol repairs it with a NAK round trip). Refused: posts a server turned away with `-ERR Server busy` when its window of entries not yet acknowledged by every peer was full.",
  '- Clients: client i talks to server i mod S and is in room floor(i·G/C)+1, so rooms are equal and span every server. Latency is from a client sending a post to each member of the room (the poster included) receiving it; a message counts as lost unless every member got it.',
  `- chatserver runs ${KEYED ? 'with a fresh random cluster key, so every server-to-server datagram is authenticated (HMAC-SHA256), as deployed' : 'without a cluster key'}. Any row can be rerun by hand with chatstress, e.g. \`node apps/stress/dist/main.js -o total --window 16 --messages 8000 --warmup-ms 1000\` or \`-o fifo --rate 2000 --messages 500 --warmup-ms 1000\`.`,
  '',
  '## Summary',
  '',
  '| mode | closed-loop posted/s (× baseline) | sustained posted/s (× baseline) | p50 / p99 ms at 2,000/s | throughput target | latency target |',
  '| --- | ---: | ---: | ---: | --- | --- |',
  ...MODES.map((mode) => {
    const closed = throughput.servers[mode];
    const kept = sustainedServers[mode];
    const latency = at2000.servers[mode];
    const closedRatio = closed.postedPerSecond / b.postedPerSecond;
    const sustainedRatio = kept.figures.postedPerSecond / sustainedBaseline.figures.postedPerSecond;
    const throughputMet = closedRatio >= RATIO_TARGETS[mode] && kept.keptUp;
    const latencyMet = latency.p50Ms < P50_TARGET_MS && latency.p99Ms < P99_TARGET_MS;
    return `| ${mode} | ${rate(closed.postedPerSecond)} (${closedRatio.toFixed(2)}) | ${kept.keptUp ? '' : 'not kept up at '}${rate(kept.figures.postedPerSecond)} (${sustainedRatio.toFixed(2)}) | ${ms(latency.p50Ms)} / ${ms(latency.p99Ms)} | ${met(throughputMet)} (≥ ${RATIO_TARGETS[mode]}) | ${met(latencyMet)} |`;
  }),
  `| baseline | ${rate(b.postedPerSecond)} | ${rate(sustainedBaseline.figures.postedPerSecond)} | ${ms(at2000.baseline.p50Ms)} / ${ms(at2000.baseline.p99Ms)} | | |`,
  '',
  `## Throughput: 3 servers, 12 clients, 3 rooms (closed loop, median of ${REPEATS})`,
  '',
  `Each client keeps ${THROUGHPUT.window} own posts unechoed and posts the next when one comes back, ${THROUGHPUT.messagesPerClient} posts per client (the window grows from 1 over the first ${WARMUP_MS / 1000} s, left out): the most the cluster moves when clients wait for their own echoes. Targets: unordered and FIFO ≥ 0.8 × baseline, total ≥ 0.5 ×.`,
  '',
  '| mode | chatserver posted/s | baseline posted/s | ratio | target met | delivered/s | p50 ms | p99 ms | lost | refused | violations | drops at clients / servers | CPU servers / generator / other |',
  '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  `| baseline | ${rate(b.postedPerSecond)} | ${rate(b.postedPerSecond)} | 1.00 | | ${rate(b.deliveredPerSecond)} | ${ms(b.p50Ms)} | ${ms(b.p99Ms)} | ${b.lost} | ${b.refused} | ${b.violations} | ${b.clientDrops} / ${b.serverDrops} | ${cores(b)} |`,
  ...MODES.map((mode) => {
    const f = throughput.servers[mode];
    const r = f.postedPerSecond / b.postedPerSecond;
    return `| ${mode} | ${rate(f.postedPerSecond)} | ${rate(b.postedPerSecond)} | ${r.toFixed(2)} | ${met(r >= RATIO_TARGETS[mode])} | ${rate(f.deliveredPerSecond)} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${f.lost} | ${f.refused} | ${f.violations} | ${f.clientDrops} / ${f.serverDrops} | ${cores(f)} |`;
  }),
  '',
  '### Highest sustained rate (fixed rate)',
  '',
  `The same clients post at a fixed total rate, round-robin, ramping up from 0 over ${WARMUP_MS / 1000} s and then holding it for ${SUSTAINED_STEADY_SECONDS} s, starting at ${Math.round(SUSTAINED_SHARES[0] * 100)}% of the closed-loop figure above and stepping down by 10 points until a run keeps up: at least ${Math.round(KEPT_UP_SHARE * 100)}% of the rate reached with nothing lost, no post refused (\`-ERR Server busy\`) and no violation. Open loop is harder than closed loop: posts keep coming while a server falls behind. Rates and latencies leave out the ramp; refusals count all of it.`,
  '',
  '| program | sustained posted/s | share of closed loop | ratio to baseline | kept up | not kept up at /s | p50 ms | p99 ms | p99 ratio | lost | refused | violations | drops at clients / servers | CPU servers / generator / other |',
  '| --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...[
    ['baseline', sustainedBaseline] as const,
    ...MODES.map((mode) => [`chatserver ${mode}`, sustainedServers[mode]] as const),
  ].map(([name, s]) => {
    const f = s.figures;
    const base = sustainedBaseline;
    return `| ${name} | ${rate(f.postedPerSecond)} | ${Math.round(s.share * 100)}% | ${ratio(f.postedPerSecond, base.figures.postedPerSecond)} | ${met(s.keptUp)} | ${s.failedRates.map(rate).join(', ') || '-'} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${ratio(f.p99Ms, base.figures.p99Ms)} | ${f.lost} | ${f.refused} | ${f.violations} | ${f.clientDrops} / ${f.serverDrops} | ${cores(f)} |`;
  }),
  '',
  `## Latency at 2,000 posted/s: 3 servers, 12 clients, 3 rooms (median of ${REPEATS})`,
  '',
  `Posts at a fixed total rate, round-robin over the clients, ${AT_2000.messagesPerClient} per client, ramped up over the first ${WARMUP_MS / 1000} s (left out). Targets: p50 < ${P50_TARGET_MS} ms and p99 < ${P99_TARGET_MS} ms.`,
  '',
  '| mode | p50 ms | p99 ms | baseline p50 / p99 ms | ratio p50 / p99 | target met | lost | refused | violations | drops at clients / servers | CPU servers / generator / other |',
  '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ...MODES.map((mode) => {
    const f = at2000.servers[mode];
    const base = at2000.baseline;
    return `| ${mode} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${ms(base.p50Ms)} / ${ms(base.p99Ms)} | ${ratio(f.p50Ms, base.p50Ms)} / ${ratio(f.p99Ms, base.p99Ms)} | ${met(f.p50Ms < P50_TARGET_MS && f.p99Ms < P99_TARGET_MS)} | ${f.lost} | ${f.refused} | ${f.violations} | ${f.clientDrops} / ${f.serverDrops} | ${cores(f)} |`;
  }),
  '',
  `## Latency at 2,000 posted/s through chatproxy, 0-${PROXY.delayMsMax} ms delay per server-to-server datagram (one run each)`,
  '',
  '| mode | p50 ms | p99 ms | baseline p50 / p99 ms | ratio p50 / p99 | lost | refused | violations | drops at clients / servers | CPU servers / generator / other |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...MODES.map((mode) => {
    const f = proxied.servers[mode];
    const base = proxied.baseline;
    return `| ${mode} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${ms(base.p50Ms)} / ${ms(base.p99Ms)} | ${ratio(f.p50Ms, base.p50Ms)} / ${ratio(f.p99Ms, base.p99Ms)} | ${f.lost} | ${f.refused} | ${f.violations} | ${f.clientDrops} / ${f.serverDrops} | ${cores(f)} |`;
  }),
  '',
  '## Scale: 10 servers, 250 clients, 10 rooms, total order (one run each)',
  '',
  `Closed loop, each client keeping ${SCALE.window} own posts unechoed, ${SCALE.messagesPerClient} posts per client; every post goes to 25 clients on 10 servers. The 10 servers share ${cpus().length} cores.`,
  '',
  '| program | posted/s | ratio | delivered/s | p50 ms | p99 ms | p99 ratio | lost | refused | violations | drops at clients / servers | CPU servers / generator / other |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...[['baseline', scale.baseline] as const, ['chatserver total', scale.server] as const].map(
    ([name, f]) =>
      `| ${name} | ${rate(f.postedPerSecond)} | ${ratio(f.postedPerSecond, scale.baseline.postedPerSecond)} | ${rate(f.deliveredPerSecond)} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${ratio(f.p99Ms, scale.baseline.p99Ms)} | ${f.lost} | ${f.refused} | ${f.violations} | ${f.clientDrops} / ${f.serverDrops} | ${cores(f)} |`,
  ),
  '',
];
// Sections measured by other means (the lab's, between hosts) follow this marker; keep them.
const existing = existsSync(outputPath) ? readFileSync(outputPath, 'utf8') : '';
const keptAt = existing.indexOf(KEPT_SECTIONS_MARKER);
const kept = keptAt >= 0 ? `\n${existing.slice(keptAt)}` : '';
writeFileSync(outputPath, lines.join('\n') + kept);
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = anyBroken ? 1 : 0;
