import { percentile } from './delivery-ledger.js';
import type { StressArguments } from './stress-arguments.js';
import type { WorkloadResult } from './workload.js';

export interface StressReport {
  readonly mode: string;
  readonly program: string;
  readonly servers: number;
  readonly clients: number;
  readonly rooms: number;
  readonly messagesPerClient: number;
  readonly load: string;
  readonly proxy: NonNullable<StressArguments['proxy']> | null;
  readonly posted: number;
  readonly postedPerSecond: number;
  readonly deliveries: number;
  readonly deliveriesPerSecond: number;
  readonly lost: number;
  readonly refusedPosts: number;
  readonly duplicates: number;
  readonly fifoViolations: number;
  readonly totalOrderViolations: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** The same load against one trivial relay process: what this generator can drive at most. */
  readonly generatorCeilingPostedPerSecond: number | null;
  /** Which of the mode's guarantees were broken (empty = none). */
  readonly guaranteesBroken: readonly string[];
}

export function buildReport(
  args: StressArguments,
  result: WorkloadResult,
  ceiling: WorkloadResult | undefined,
): StressReport {
  const perSecond = (count: number, ms: number): number =>
    ms > 0 ? (count * 1000) / ms : Number.NaN;
  const lost = result.lost - result.refusedDeliveries;
  const broken: string[] = [];
  if (lost > 0) broken.push('loss');
  if (result.duplicates > 0) broken.push('duplicates');
  if (args.mode !== 'unordered' && result.fifoViolations > 0) broken.push('fifo');
  if (args.mode === 'total' && result.totalOrderViolations > 0) broken.push('total order');
  return {
    mode: args.mode,
    program: args.program,
    servers: result.serverCount,
    clients: result.clientCount,
    rooms: result.roomCount,
    messagesPerClient: args.messagesPerClient,
    load:
      args.ratePerSecond === undefined
        ? `window ${args.windowPerClient}`
        : `rate ${args.ratePerSecond}/s`,
    proxy: args.proxy ?? null,
    posted: result.posted,
    postedPerSecond: perSecond(result.posted, result.postingMs),
    deliveries: result.deliveries,
    deliveriesPerSecond: perSecond(result.deliveries, result.deliveringMs),
    lost,
    refusedPosts: result.busyReplies,
    duplicates: result.duplicates,
    fifoViolations: result.fifoViolations,
    totalOrderViolations: result.totalOrderViolations,
    latencyMs: {
      p50: percentile(result.latenciesMs, 0.5),
      p90: percentile(result.latenciesMs, 0.9),
      p99: percentile(result.latenciesMs, 0.99),
      max: percentile(result.latenciesMs, 1),
    },
    generatorCeilingPostedPerSecond:
      ceiling === undefined ? null : perSecond(ceiling.posted, ceiling.postingMs),
    guaranteesBroken: broken,
  };
}

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';
const whole = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';

export function formatReport(report: StressReport): string {
  const proxy =
    report.proxy === null
      ? 'no proxy'
      : `proxy 0-${report.proxy.delayMsMax} ms, loss ${report.proxy.loss}, dup ${report.proxy.duplicate}`;
  const { p50, p90, p99, max } = report.latencyMs;
  const rows: [string, string][] = [
    [
      'run',
      `${report.program} ${report.mode}, ${report.servers} servers, ${report.clients} clients, ${report.rooms} rooms, ${report.messagesPerClient} msgs/client, ${report.load}, ${proxy}`,
    ],
    ['posted', `${whole(report.posted)} msgs, ${whole(report.postedPerSecond)} msgs/s`],
    [
      'delivered',
      `${whole(report.deliveries)} datagrams, ${whole(report.deliveriesPerSecond)} datagrams/s`,
    ],
    ['lost', whole(report.lost)],
    ['refused (busy)', whole(report.refusedPosts)],
    ['duplicates', whole(report.duplicates)],
    ['FIFO violations', whole(report.fifoViolations)],
    ['total-order violations', `${whole(report.totalOrderViolations)} receivers`],
    [
      'latency ms',
      `p50 ${fixed(p50, 3)}  p90 ${fixed(p90, 3)}  p99 ${fixed(p99, 3)}  max ${fixed(max, 3)}`,
    ],
    [
      'generator ceiling',
      report.generatorCeilingPostedPerSecond === null
        ? 'not measured'
        : `${whole(report.generatorCeilingPostedPerSecond)} msgs/s posted against one trivial relay`,
    ],
    [
      'verdict',
      report.guaranteesBroken.length === 0
        ? `OK: every ${report.mode} guarantee held`
        : `BROKEN: ${report.guaranteesBroken.join(', ')}`,
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}
