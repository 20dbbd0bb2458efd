import { describe, expect, it } from 'vitest';
import {
  DebugLog,
  LOG_LINES_PER_TURN_MAX,
  formatCounters,
  formatLogTimestamp,
} from './debug-log.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function recordingSink(): { writes: string[]; write(text: string): void } {
  const writes: string[] = [];
  return { writes, write: (text) => writes.push(text) };
}

describe('formatLogTimestamp', () => {
  it('is local hh:mm:ss with microseconds padded to 6 digits', () => {
    const wall = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatLogTimestamp(wall + 0.789)).toBe('03:04:05.006789');
    expect(formatLogTimestamp(wall)).toBe('03:04:05.006000');
    expect(formatLogTimestamp(new Date(2024, 0, 2, 23, 59, 59, 999).getTime() + 0.999)).toBe(
      '23:59:59.999999',
    );
  });
});

describe('DebugLog', () => {
  const clock = (): number => new Date(2024, 0, 2, 3, 48, 22, 4).getTime() + 0.328;

  it('writes `hh:mm:ss.uuuuuu Snn text` lines, all of one turn in one write', async () => {
    const sink = recordingSink();
    const log = new DebugLog(true, 2, sink, clock);
    log.event('Client 17 posts "Hi" to chat room #3');
    log.event('second');
    expect(sink.writes).toEqual([]);
    await nextTurn();
    expect(sink.writes).toEqual([
      '03:48:22.004328 S02 Client 17 posts "Hi" to chat room #3\n03:48:22.004328 S02 second\n',
    ]);
  });

  it('writes events only with -v, reports always', async () => {
    const sink = recordingSink();
    const log = new DebugLog(false, 12, sink, clock);
    log.event('hidden');
    log.report('Stats clients=0');
    await nextTurn();
    expect(sink.writes).toEqual(['03:48:22.004328 S12 Stats clients=0\n']);
  });

  it('keeps at most LOG_LINES_PER_TURN_MAX lines per turn and says how many it dropped', () => {
    const sink = recordingSink();
    const log = new DebugLog(true, 1, sink, clock);
    for (let i = 0; i < LOG_LINES_PER_TURN_MAX + 5; i++) log.event(`line ${i}`);
    log.flush();
    const lines = sink.writes.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(LOG_LINES_PER_TURN_MAX + 1);
    expect(lines.at(-1)).toBe('03:48:22.004328 S01 (5 log lines dropped)');
  });
});

describe('formatCounters', () => {
  it('is one line of key=value pairs', () => {
    expect(formatCounters({ clients: 3, 'engine.naksSent': 0 })).toBe(
      'clients=3 engine.naksSent=0',
    );
  });
});
