import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times: 100 on every Linux Node supports. */
export const PROC_TICKS_PER_SECOND = 100;

/**
 * CPU time (ms) all processes of the machine have used since boot, from /proc/stat; undefined where
 * there is no /proc. Measured around a run, it shows whether something besides the cluster and the
 * load generator took CPU from them (another job on the machine makes the figures worthless).
 */
export function machineBusyCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  // "cpu  user nice system idle iowait irq softirq steal ...": busy is all but idle and iowait.
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 5 || fields.some((value) => !Number.isFinite(value))) return undefined;
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = fields[3]! + fields[4]!;
  return ((total - idle) * 1000) / PROC_TICKS_PER_SECOND;
}

/** CPU time (ms, user + system) process `pid` has used so far, or undefined. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may contain spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / PROC_TICKS_PER_SECOND : undefined;
}

/** Busy cores (0..cores) of the whole machine over the next `sampleMs`, or undefined without /proc. */
export async function machineBusyCores(sampleMs: number): Promise<number | undefined> {
  const beforeMs = machineBusyCpuMs();
  const startedMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const afterMs = machineBusyCpuMs();
  if (beforeMs === undefined || afterMs === undefined) return undefined;
  return (afterMs - beforeMs) / (performance.now() - startedMs);
}
