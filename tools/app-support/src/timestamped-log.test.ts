import { describe, expect, it } from 'vitest';
import { LOG_LINES_PER_TURN_MAX, TimestampedLog, formatLogTimestamp } from './timestamped-log.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('formatLogTimestamp', () => {
  it('is local hh:mm:ss with microseconds padded to 6 digits', () => {
    const wall = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatLogTimestamp(wall + 0.789)).toBe('03:04:05.006789');
    expect(formatLogTimestamp(wall)).toBe('03:04:05.006000');
    expect(formatLogTimestamp(new Date(2024, 0, 2, 0, 0, 0, 0).getTime())).toBe('00:00:00.000000');
    expect(formatLogTimestamp(new Date(2024, 0, 2, 23, 59, 59, 999).getTime() + 0.999)).toBe(
      '23:59:59.999999',
    );
  });
});

describe('TimestampedLog', () => {
  const clock = (): number => new Date(2024, 0, 2, 3, 48, 22, 4).getTime() + 0.328;

  function recordingLog(tag: string): { writes: string[]; log: TimestampedLog } {
    const writes: string[] = [];
    return {
      writes,
      log: new TimestampedLog(tag, { write: (text: string) => writes.push(text) }, clock),
    };
  }

  it('writes `hh:mm:ss.uuuuuu TAG text` lines, all of one turn in one write, after the turn', async () => {
    const { writes, log } = recordingLog('S02');
    log.line('Client 17 posts "Hi" to chat room #3');
    log.line('second');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([
      '03:48:22.004328 S02 Client 17 posts "Hi" to chat room #3\n03:48:22.004328 S02 second\n',
    ]);
  });

  it('writes nothing when flushed with nothing buffered', () => {
    const { writes, log } = recordingLog('PRX');
    log.line('once');
    log.flush();
    log.flush();
    expect(writes).toEqual(['03:48:22.004328 PRX once\n']);
  });

  it('keeps at most LOG_LINES_PER_TURN_MAX lines per turn and says how many it dropped', () => {
    const { writes, log } = recordingLog('S01');
    for (let i = 0; i < LOG_LINES_PER_TURN_MAX + 5; i++) log.line(`line ${i}`);
    log.flush();
    const lines = writes.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(LOG_LINES_PER_TURN_MAX + 1);
    expect(lines.at(-1)).toBe(
      `03:48:22.004328 S01 (5 log lines dropped: more than ${LOG_LINES_PER_TURN_MAX} at once)`,
    );
  });
});
