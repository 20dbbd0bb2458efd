/**
 * The `-v` debug log: `hh:mm:ss.uuuuuu Snn text`, one line per event, so that the logs of all servers
 * can be concatenated and sorted. Lines are buffered and written once per event-loop turn, so a burst
 * of events costs one write, not one per line.
 */

/** Lines buffered within one event-loop turn; past it lines are counted and reported, not kept. */
export const LOG_LINES_PER_TURN_MAX = 10_000;

export interface LogSink {
  write(text: string): unknown;
}

/**
 * Wall-clock milliseconds (with a fraction) from the monotonic clock anchored at process start, so
 * that timestamps never run backwards when the wall clock is adjusted.
 */
export function monotonicEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** `hh:mm:ss.uuuuuu` in local time. */
export function formatLogTimestamp(epochMs: number): string {
  const epochMicros = Math.floor(epochMs * 1000);
  const micros = epochMicros % 1_000_000;
  const wall = new Date((epochMicros - micros) / 1000);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${two(wall.getHours())}:${two(wall.getMinutes())}:${two(wall.getSeconds())}.${String(micros).padStart(6, '0')}`;
}

/** `S01`, `S02`, ...: the server index padded to two digits. */
export function formatServerTag(index: number): string {
  return `S${String(index).padStart(2, '0')}`;
}

export class DebugLog {
  private readonly tag: string;
  private pending: string[] = [];
  private droppedLineCount = 0;
  private flushScheduled = false;

  constructor(
    /** With `-v`; `event()` is a no-op otherwise. Check it before building costly log text. */
    readonly enabled: boolean,
    serverIndex: number,
    private readonly sink: LogSink = process.stdout,
    private readonly clock: () => number = monotonicEpochMs,
  ) {
    this.tag = formatServerTag(serverIndex);
  }

  /** Logs an event when `-v` is on. */
  event(text: string): void {
    if (this.enabled) this.report(text);
  }

  /** Logs a line whether or not `-v` is on (asked-for output, such as stats on SIGUSR1). */
  report(text: string): void {
    if (this.pending.length >= LOG_LINES_PER_TURN_MAX) {
      this.droppedLineCount += 1;
    } else {
      this.pending.push(`${formatLogTimestamp(this.clock())} ${this.tag} ${text}\n`);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything buffered now (also called at shutdown). */
  flush(): void {
    this.flushScheduled = false;
    if (this.droppedLineCount > 0) {
      this.pending.push(
        `${formatLogTimestamp(this.clock())} ${this.tag} (${this.droppedLineCount} log lines dropped)\n`,
      );
      this.droppedLineCount = 0;
    }
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.sink.write(text);
  }
}

/** Counters as one line of `key=value` pairs. */
export function formatCounters(counters: Readonly<Record<string, number>>): string {
  return Object.entries(counters)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}
