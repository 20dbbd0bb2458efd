import { percentile } from './delivery-ledger.js';
import type { OrderingMode, ProxySettings, StressArguments } from './stress-arguments.js';
import { deliversInOrder } from './stress-arguments.js';
import type { StressRunResult } from './stress-run.js';

export interface StressReport {
  readonly mode: OrderingMode;
  readonly program: string;
  readonly servers: number;
  readonly clients: number;
  readonly rooms: number;
  readonly messagesPerClient: number;
  readonly load: string;
  readonly proxy: ProxySettings | null;
  readonly posted: number;
  readonly postedPerSecond: number;
  readonly deliveries: number;
  readonly deliveriesPerSecond: number;
  readonly lost: number;
  readonly refusedPosts: number;
  readonly duplicates: number;
  readonly fifoViolations: number;
  readonly totalOrderViolations: number;
  readonly unexpectedDatagrams: number;
  /**
   * Datagrams the kernel dropped for full receive buffers, at the clients' sockets (the generator
   * read too slowly: its own losses) and at the servers' (repaired between servers); null without
   * /proc, or for servers chatstress did not start.
   */
  readonly clientDrops: number | null;
  readonly serverDrops: number | null;
  /** Messages posted in the first `warmupMs` are left out of `latencyMs` and `postedPerSecond`. */
  readonly warmupMs: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** The same clients, closed loop, against one trivial relay: what this generator can drive at most. */
  readonly generatorCeilingPostedPerSecond: number | null;
  /** CPU cores the load generator kept busy on average (1 = one core all the time). */
  readonly generatorCores: number;
  /** The same for all server processes together; null when they were not started by chatstress. */
  readonly serverCores: number | null;
  /**
   * The same for every other process on the machine (a proxy, other jobs); null without /proc. Well
   * above zero without a proxy means something else competed for the CPU and the figures suffer.
   */
  readonly otherCores: number | null;
  /** Which of the mode's guarantees were broken (empty = none). */
  readonly guaranteesBroken: readonly string[];
}

/** A baseline that promises no order: against it only loss and duplicates count. */
export function guaranteesBroken(
  mode: OrderingMode,
  program: string,
  result: Pick<
    StressRunResult,
    'lost' | 'refusedDeliveries' | 'duplicates' | 'fifoViolations' | 'totalOrderViolations'
  >,
): string[] {
  const ordered = deliversInOrder(program);
  const broken: string[] = [];
  if (result.lost - result.refusedDeliveries > 0) broken.push('loss');
  if (result.duplicates > 0) broken.push('duplicates');
  if (ordered && mode !== 'unordered' && result.fifoViolations > 0) broken.push('fifo');
  if (ordered && mode === 'total' && result.totalOrderViolations > 0) broken.push('total order');
  return broken;
}

/** Cores busy on average with neither the servers nor the load generator, or null. */
export function otherCores(result: StressRunResult): number | null {
  if (result.machineCpuMs === undefined) return null;
  const ours = result.generatorCpuMs + (result.serverCpuMs ?? 0);
  return Math.max(0, result.machineCpuMs - ours) / result.deliveringMs;
}

export function buildReport(
  args: StressArguments,
  result: StressRunResult,
  ceiling: StressRunResult | undefined,
): StressReport {
  return {
    mode: args.mode,
    program: args.cluster.kind === 'running' ? 'running servers' : args.program,
    servers: result.serverCount,
    clients: result.clientCount,
    rooms: result.roomCount,
    messagesPerClient: args.messagesPerClient,
    load:
      args.ratePerSecond === undefined
        ? `window ${args.windowPerClient}`
        : `rate ${args.ratePerSecond}/s`,
    proxy: result.proxy ?? null,
    posted: result.posted,
    postedPerSecond: result.postedPerSecond,
    deliveries: result.deliveries,
    deliveriesPerSecond: result.deliveredPerSecond,
    lost: result.lost - result.refusedDeliveries,
    refusedPosts: result.busyReplies,
    duplicates: result.duplicates,
    fifoViolations: result.fifoViolations,
    totalOrderViolations: result.totalOrderViolations,
    unexpectedDatagrams: result.unexpectedDatagrams,
    clientDrops: result.clientDrops ?? null,
    serverDrops: result.serverDrops ?? null,
    warmupMs: args.warmupMs,
    latencyMs: {
      p50: percentile(result.latenciesMs, 0.5),
      p90: percentile(result.latenciesMs, 0.9),
      p99: percentile(result.latenciesMs, 0.99),
      max: percentile(result.latenciesMs, 1),
    },
    generatorCeilingPostedPerSecond: ceiling === undefined ? null : ceiling.postedPerSecond,
    generatorCores: result.generatorCpuMs / result.deliveringMs,
    serverCores: result.serverCpuMs === undefined ? null : result.serverCpuMs / result.deliveringMs,
    otherCores: otherCores(result),
    guaranteesBroken: guaranteesBroken(args.mode, args.program, result),
  };
}

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';
const whole = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';

/** The report as `name  value` lines, for a terminal. */
export function reportRows(report: StressReport): [string, string][] {
  const proxy =
    report.proxy === null
      ? 'no proxy'
      : `proxy 0-${report.proxy.delayMsMax} ms, loss ${report.proxy.loss}, dup ${report.proxy.duplicate}`;
  const { p50, p90, p99, max } = report.latencyMs;
  const cpu =
    `generator ${fixed(report.generatorCores, 2)} cores` +
    (report.serverCores === null ? '' : `, servers ${fixed(report.serverCores, 2)} cores`) +
    (report.otherCores === null ? '' : `, everything else ${fixed(report.otherCores, 2)} cores`);
  return [
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
    ['unexpected datagrams', whole(report.unexpectedDatagrams)],
    [
      'kernel drops',
      `at clients ${report.clientDrops === null ? '-' : whole(report.clientDrops)}, ` +
        `at servers ${report.serverDrops === null ? '-' : whole(report.serverDrops)} ` +
        '(receive buffers full)',
    ],
    [
      report.warmupMs > 0 ? `latency ms (after ${report.warmupMs} ms warm-up)` : 'latency ms',
      `p50 ${fixed(p50, 3)}  p90 ${fixed(p90, 3)}  p99 ${fixed(p99, 3)}  max ${fixed(max, 3)}`,
    ],
    ['CPU', cpu],
    [
      'generator ceiling',
      report.generatorCeilingPostedPerSecond === null
        ? 'not measured'
        : `${whole(report.generatorCeilingPostedPerSecond)} msgs/s posted against one trivial relay`,
    ],
    [
      'verdict',
      report.guaranteesBroken.length === 0
        ? `OK: every ${deliversInOrder(report.program) ? report.mode : 'no-loss'} guarantee held`
        : `BROKEN: ${report.guaranteesBroken.join(', ')}`,
    ],
  ];
}

export function formatReport(report: StressReport): string {
  const rows = reportRows(report);
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}
