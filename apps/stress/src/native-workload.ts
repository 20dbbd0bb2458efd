import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryLedger } from './delivery-ledger.js';
import { nativeProgramPath } from './native-program.js';
import { TraceSample } from './trace-sample.js';
import { roomOfClient, type WorkloadOptions, type WorkloadResult } from './workload.js';

/** What load-driver prints on stdout: the counts and times only the driver knows. */
interface DriverSummary {
  readonly posted: number;
  readonly firstPostMs: number;
  readonly lastPostMs: number;
  readonly warmupEndMs: number;
  readonly lastDeliveryMs: number;
  readonly postedAfterWarmup: number;
  readonly deliveredAfterWarmup: number;
  readonly generatorCpuMs: number;
  readonly busyReplies: number;
  readonly refusedDeliveries: number;
  readonly unexpectedDatagrams: number;
  readonly socketErrors: number;
  /** -1 without /proc. */
  readonly clientDrops: number;
  /** Records past the driver's buffer (a flood of duplicates): counted as unexpected. */
  readonly recordsDropped: number;
}

/** load-driver's record: int32 kind, receiver, sender, seq; float64 ms (little-endian). */
const RECORD_BYTES = 24;
const KIND_POST = 0;

/**
 * The workload of `runWorkload`, driven by the C load generator (apps/stress/native/load-driver.c)
 * instead of Node sockets, so that on a small machine the generator takes a fraction of the CPU the
 * servers need. Its record of every post and delivery is then accounted for here by the same
 * DeliveryLedger, so both generators check and measure alike. No progress reports.
 */
export async function runNativeWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const { servers, clientCount, roomCount, messagesPerClient } = options;
  const directory = mkdtempSync(join(tmpdir(), 'load-driver-'));
  try {
    const recordsPath = join(directory, 'records.bin');
    const args = [
      '--servers',
      servers.map(({ host, port }) => `${host}:${port}`).join(','),
      '--clients',
      String(clientCount),
      '--rooms',
      String(roomCount),
      '--messages',
      String(messagesPerClient),
      ...(options.ratePerSecond === undefined
        ? ['--window', String(options.windowPerClient)]
        : ['--rate', String(options.ratePerSecond)]),
      '--warmup-ms',
      String(options.warmupMs ?? 0),
      '--idle-timeout-ms',
      String(options.idleTimeoutMs),
      '--out',
      recordsPath,
    ];
    const summary = await runDriver(nativeProgramPath('load-driver'), args);
    const clientRooms = Array.from({ length: clientCount }, (_, i) =>
      roomOfClient(i, clientCount, roomCount),
    );
    const clientServers = clientRooms.map((_, i) => i % servers.length);
    const ledger = new DeliveryLedger(clientRooms, messagesPerClient);
    ledger.measureLatencyFrom(summary.warmupEndMs);
    const trace = options.traceSample
      ? new TraceSample(clientServers, clientRooms, servers.length, messagesPerClient)
      : undefined;
    trace?.start(summary.firstPostMs);
    let unexpected = summary.unexpectedDatagrams + summary.recordsDropped;
    const records = readFileSync(recordsPath);
    const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
    for (let at = 0; at + RECORD_BYTES <= records.byteLength; at += RECORD_BYTES) {
      const kind = view.getInt32(at, true);
      const receiver = view.getInt32(at + 4, true);
      const sender = view.getInt32(at + 8, true);
      const seq = view.getInt32(at + 12, true);
      const ms = view.getFloat64(at + 16, true);
      if (kind === KIND_POST) {
        ledger.recordPosted(sender, seq, ms);
        trace?.recordPosted(sender, seq, ms);
      } else if (ledger.recordDelivered(receiver, sender, seq, ms)) {
        trace?.recordDelivered(receiver, sender, seq, ms);
      } else {
        unexpected += 1;
      }
    }
    const perSecond = (count: number, ms: number): number =>
      count > 0 && ms > 0 ? (count * 1000) / ms : Number.NaN;
    return {
      ...ledger.summary(),
      clientCount,
      roomCount,
      serverCount: servers.length,
      postingMs: summary.lastPostMs - summary.firstPostMs,
      deliveringMs: summary.lastDeliveryMs - summary.firstPostMs,
      postedPerSecond: perSecond(
        summary.postedAfterWarmup,
        summary.lastPostMs - summary.warmupEndMs,
      ),
      deliveredPerSecond: perSecond(
        summary.deliveredAfterWarmup,
        summary.lastDeliveryMs - summary.warmupEndMs,
      ),
      generatorCpuMs: summary.generatorCpuMs,
      busyReplies: summary.busyReplies,
      refusedDeliveries: summary.refusedDeliveries,
      unexpectedDatagrams: unexpected,
      socketErrors: summary.socketErrors,
      clientDrops: summary.clientDrops < 0 ? undefined : summary.clientDrops,
      trace: trace?.data(),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function runDriver(path: string, args: readonly string[]): Promise<DriverSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`load-driver exited with status ${code}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as DriverSummary);
      } catch {
        reject(new Error(`load-driver printed no summary: ${stdout.trim()} ${stderr.trim()}`));
      }
    });
  });
}
