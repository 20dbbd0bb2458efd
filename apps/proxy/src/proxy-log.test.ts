import { describe, expect, it } from 'vitest';
import { LOG_LINES_PER_TURN_MAX, ProxyLog, formatLogTimestamp } from './proxy-log.js';

describe('formatLogTimestamp', () => {
  it('formats local time with microseconds padded to six digits', () => {
    const epochMs = new Date(2024, 0, 2, 3, 48, 22, 4).getTime() + 0.328;

    expect(formatLogTimestamp(epochMs)).toBe('03:48:22.004328');
  });

  it('pads every field', () => {
    expect(formatLogTimestamp(new Date(2024, 0, 2, 0, 0, 0, 0).getTime())).toBe('00:00:00.000000');
  });
});

describe('ProxyLog', () => {
  const clock = (): number => new Date(2024, 0, 2, 13, 5, 9, 120).getTime();

  it('writes timestamped PRX lines in one write per flush', () => {
    const writes: string[] = [];
    const log = new ProxyLog({ write: (text: string) => writes.push(text) }, clock);

    log.line('first');
    log.line('second');
    log.flush();
    log.flush();

    expect(writes).toEqual(['13:05:09.120000 PRX first\n13:05:09.120000 PRX second\n']);
  });

  it('flushes on its own after the current turn', async () => {
    const writes: string[] = [];
    const log = new ProxyLog({ write: (text: string) => writes.push(text) }, clock);

    log.line('later');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));

    expect(writes).toEqual(['13:05:09.120000 PRX later\n']);
  });

  it('counts lines beyond the per-turn limit instead of keeping them', () => {
    const writes: string[] = [];
    const log = new ProxyLog({ write: (text: string) => writes.push(text) }, clock);

    for (let n = 0; n < LOG_LINES_PER_TURN_MAX + 5; n++) log.line(`line ${n}`);
    log.flush();

    const lines = (writes[0] ?? '').trimEnd().split('\n');
    expect(lines).toHaveLength(LOG_LINES_PER_TURN_MAX + 1);
    expect(lines.at(-1)).toBe(
      `13:05:09.120000 PRX 5 log lines dropped (more than ${LOG_LINES_PER_TURN_MAX} at once)`,
    );
  });
});
