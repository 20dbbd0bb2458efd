/**
 * The `-v` debug log: `hh:mm:ss.uuuuuu Snn text`, one line per event, so that the logs of all servers
 * can be concatenated and sorted (the format and buffering are @chat/app-support's TimestampedLog).
 */

import { TimestampedLog, monotonicEpochMs, type LogSink } from '@chat/app-support';

/** `S01`, `S02`, ...: the server index padded to two digits. */
export function formatServerTag(index: number): string {
  return `S${String(index).padStart(2, '0')}`;
}

export class DebugLog {
  readonly #log: TimestampedLog;

  constructor(
    /** With `-v`; `event()` is a no-op otherwise. Check it before building costly log text. */
    readonly enabled: boolean,
    serverIndex: number,
    sink: LogSink = process.stdout,
    clock: () => number = monotonicEpochMs,
  ) {
    this.#log = new TimestampedLog(formatServerTag(serverIndex), sink, clock);
  }

  /** Logs an event when `-v` is on. */
  event(text: string): void {
    if (this.enabled) this.#log.line(text);
  }

  /** Logs a line whether or not `-v` is on (asked-for output, such as stats on SIGUSR1). */
  report(text: string): void {
    this.#log.line(text);
  }

  /** Writes everything buffered now (also called at shutdown). */
  flush(): void {
    this.#log.flush();
  }
}

/** Counters as one line of `key=value` pairs. */
export function formatCounters(counters: Readonly<Record<string, number>>): string {
  return Object.entries(counters)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}
