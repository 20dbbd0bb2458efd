#!/usr/bin/env node
import { LocalCluster } from './local-cluster.js';
import { parseStressArguments, STRESS_USAGE, type StressArguments } from './stress-arguments.js';
import { buildReport, formatReport } from './stress-report.js';
import { runWorkload, type WorkloadProgress, type WorkloadResult } from './workload.js';

const parsed = parseStressArguments(process.argv.slice(2));
if (!parsed.ok) {
  process.stderr.write(`chatstress: ${parsed.error}\n${STRESS_USAGE}\n`);
  process.exit(2);
}
const args = parsed.value;

const showProgress = process.stderr.isTTY && !args.json;
const progress = (label: string) => (p: WorkloadProgress) => {
  if (showProgress) {
    process.stderr.write(
      `\r${label}: posted ${p.posted}/${p.postTarget}, delivered ${p.deliveries}/${p.expectedDeliveries}   `,
    );
  }
};

async function run(
  program: StressArguments['program'],
  serverCount: number,
  label: string,
  withProxy: boolean,
): Promise<WorkloadResult> {
  await using cluster = await LocalCluster.start({
    serverCount,
    program,
    mode: args.mode,
    ...(withProxy && args.proxy !== undefined && { proxy: args.proxy }),
  });
  const result = await runWorkload({
    servers: cluster.servers,
    clientCount: args.clientCount,
    roomCount: args.roomCount,
    messagesPerClient: args.messagesPerClient,
    ratePerSecond: args.ratePerSecond,
    windowPerClient: args.windowPerClient,
    idleTimeoutMs: args.idleTimeoutMs,
    onProgress: progress(label),
  });
  if (showProgress) process.stderr.write('\n');
  return result;
}

try {
  const ceiling = args.measureCeiling
    ? await run('chatrelay', 1, 'generator ceiling', false)
    : undefined;
  const result = await run(args.program, args.serverCount, args.program, true);
  const report = buildReport(args, result, ceiling);
  process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  process.exitCode = report.guaranteesBroken.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`chatstress: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
