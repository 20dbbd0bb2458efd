import { describe, expect, it } from 'vitest';
import { DebugLog, formatCounters } from './debug-log.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function recordingSink(): { writes: string[]; write(text: string): void } {
  const writes: string[] = [];
  return { writes, write: (text) => writes.push(text) };
}

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
});

describe('formatCounters', () => {
  it('is one line of key=value pairs', () => {
    expect(formatCounters({ clients: 3, 'engine.naksSent': 0 })).toBe(
      'clients=3 engine.naksSent=0',
    );
  });
});
