/**
 * The proxy's log on stdout: `hh:mm:ss.uuuuuu PRX text`, the servers' debug-log format with `PRX` in
 * place of `Snn`, so that proxy and server logs can be concatenated and sorted. Lines are buffered
 * and written once per event-loop turn, so a burst of relays costs one write, not one per line.
 */

export const PROXY_LOG_TAG = 'PRX';
/** Lines buffered within one event-loop turn; past it lines are counted, not kept. */
export const LOG_LINES_PER_TURN_MAX = 10_000;

export interface LogSink {
  write(text: string): unknown;
}

/** Wall-clock ms (with a fraction) from the monotonic clock, so timestamps never run backwards. */
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

export class ProxyLog {
  #pending: string[] = [];
  #droppedLines = 0;
  #flushScheduled = false;

  constructor(
    private readonly sink: LogSink,
    private readonly clock: () => number = monotonicEpochMs,
  ) {}

  line(text: string): void {
    if (this.#pending.length >= LOG_LINES_PER_TURN_MAX) {
      this.#droppedLines++;
    } else {
      this.#pending.push(`${formatLogTimestamp(this.clock())} ${PROXY_LOG_TAG} ${text}\n`);
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
      const note = `${this.#droppedLines} log lines dropped (more than ${LOG_LINES_PER_TURN_MAX} at once)`;
      this.#pending.push(`${formatLogTimestamp(this.clock())} ${PROXY_LOG_TAG} ${note}\n`);
      this.#droppedLines = 0;
    }
    if (this.#pending.length === 0) return;
    this.sink.write(this.#pending.join(''));
    this.#pending = [];
  }
}
