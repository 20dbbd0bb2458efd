/**
 * The log format every program here writes: `hh:mm:ss.uuuuuu TAG text` (local time, microseconds
 * padded to 6 digits; `S02` for server 2, `PRX` for the proxy), so that the logs of all processes
 * can be concatenated and sorted. Lines are buffered and written once per event-loop turn, so a
 * burst of events costs one write, not one per line.
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
  const time = `${two(wall.getHours())}:${two(wall.getMinutes())}:${two(wall.getSeconds())}`;
  return `${time}.${String(micros).padStart(6, '0')}`;
}

export class TimestampedLog {
  #pending: string[] = [];
  #droppedLines = 0;
  #flushScheduled = false;

  constructor(
    private readonly tag: string,
    private readonly sink: LogSink,
    private readonly clock: () => number = monotonicEpochMs,
  ) {}

  line(text: string): void {
    if (this.#pending.length >= LOG_LINES_PER_TURN_MAX) {
      this.#droppedLines += 1;
    } else {
      this.#pending.push(this.#format(text));
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is buffered now (also called before exit). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#droppedLines > 0) {
      this.#pending.push(
        this.#format(
          `(${this.#droppedLines} log lines dropped: more than ${LOG_LINES_PER_TURN_MAX} at once)`,
        ),
      );
      this.#droppedLines = 0;
    }
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.sink.write(text);
  }

  #format(text: string): string {
    return `${formatLogTimestamp(this.clock())} ${this.tag} ${text}\n`;
  }
}
