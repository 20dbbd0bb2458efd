#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { renderHtmlReport } from './html-report.js';
import {
  STRESS_HELP,
  STRESS_USAGE,
  parseStressArguments,
  type StressArguments,
} from './stress-arguments.js';
import { buildReport, formatReport } from './stress-report.js';
import { runStress, type StressRunOptions, type StressRunResult } from './stress-run.js';
import type { WorkloadProgress } from './workload.js';

const parsed = parseStressArguments(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(`${STRESS_HELP}\n`);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`chatstress: ${parsed.error}\n${STRESS_USAGE}\n`);
  process.exit(2);
}
const args = parsed.value;

const showProgress = process.stderr.isTTY && !args.json;
const progress = (label: string) => (p: WorkloadProgress) => {
  if (!showProgress) return;
  process.stderr.write(
    `\r${label}: posted ${p.posted}/${p.postTarget}, delivered ${p.deliveries}/${p.expectedDeliveries}   `,
  );
};

/** Deliveries the ceiling run is sized to: long enough to measure, small enough to be quick. */
const CEILING_DELIVERIES = 2_000_000;

async function run(
  label: string,
  cluster: StressRunOptions['cluster'],
  program: StressArguments['program'],
  proxy: StressArguments['proxy'],
  workload: Pick<
    StressRunOptions['workload'],
    'messagesPerClient' | 'ratePerSecond' | 'warmupMs' | 'traceSample'
  >,
): Promise<StressRunResult> {
  const result = await runStress({
    program,
    mode: args.mode,
    cluster,
    proxy,
    keyed: args.keyed,
    generator: args.generator,
    workload: {
      ...workload,
      clientCount: args.clientCount,
      roomCount: args.roomCount,
      windowPerClient: args.windowPerClient,
      idleTimeoutMs: args.idleTimeoutMs,
      onProgress: progress(label),
    },
  });
  if (showProgress) process.stderr.write('\n');
  return result;
}

try {
  // The ceiling is how fast this generator goes, so it runs closed loop whatever the run's load.
  const largestRoom = Math.ceil(args.clientCount / args.roomCount);
  const ceilingMessages = Math.max(
    args.messagesPerClient,
    Math.floor(CEILING_DELIVERIES / (args.clientCount * largestRoom)),
  );
  const ceiling = args.measureCeiling
    ? await run('generator ceiling', { serverCount: 1 }, 'chatrelay', undefined, {
        messagesPerClient: Math.min(ceilingMessages, 1_000_000),
        ratePerSecond: undefined,
        warmupMs: args.warmupMs,
        traceSample: false,
      })
    : undefined;
  const source = args.cluster;
  const cluster: StressRunOptions['cluster'] =
    source.kind === 'generated'
      ? { serverCount: source.serverCount }
      : { configPath: source.configPath, running: source.kind === 'running' };
  const result = await run(args.program, cluster, args.program, args.proxy, {
    messagesPerClient: args.messagesPerClient,
    ratePerSecond: args.ratePerSecond,
    warmupMs: args.warmupMs,
    traceSample: args.reportPath !== undefined,
  });
  const report = buildReport(args, result, ceiling);
  process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  if (args.reportPath !== undefined && result.trace !== undefined) {
    writeFileSync(args.reportPath, renderHtmlReport(report, result.latenciesMs, result.trace));
  }
  process.exitCode = report.guaranteesBroken.length === 0 ? 0 : 1;
} catch (error) {
  if (showProgress) process.stderr.write('\n');
  process.stderr.write(`chatstress: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
