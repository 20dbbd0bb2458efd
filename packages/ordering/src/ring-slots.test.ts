import { describe, expect, test } from 'vitest';
import type { PostEntry } from './messages.js';
import { DEFAULT_LIMITS, DEFAULT_TIMING } from './options.js';
import { ReceiveWindow } from './receive-window.js';
import { ringSlotsFor } from './ring-slots.js';
import { SendLog } from './send-log.js';

const post = (seq: number): PostEntry => ({
  kind: 'post',
  view: 1,
  seq,
  room: 1,
  payload: new Uint8Array([seq & 0xff]),
});
const seqs = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('rings sized from the post window', () => {
  test.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [3, 4],
    [1024, 1024],
    [4097, 8192],
  ])('%i entries take %i slots', (entries, slots) => {
    expect(ringSlotsFor(entries)).toBe(slots);
  });

  test('a send log holds more unstable entries than it was sized for, and drops the stable ones', () => {
    const log = new SendLog(1, [1, 2], 2);
    for (const seq of seqs(1, 40)) log.append(post(seq));
    expect(seqs(1, 40).map((seq) => log.get(seq)?.seq)).toEqual(seqs(1, 40));
    log.acknowledge(2, 25);
    expect(log.stableSeq).toBe(25);
    expect(log.get(25)).toBeUndefined();
    expect(seqs(26, 40).map((seq) => log.get(seq)?.seq)).toEqual(seqs(26, 40));
  });

  test('a receive window takes entries further ahead than its post window in seq order', () => {
    const window = new ReceiveWindow(
      { ...DEFAULT_LIMITS, postWindowEntriesMax: 2 },
      DEFAULT_TIMING,
    );
    // Backwards: every entry but the last waits for the ones before it.
    for (const seq of seqs(1, 40).reverse()) expect(window.insert(0, post(seq))).toBe('new');
    const taken: number[] = [];
    for (let entry = window.takeNext(); entry !== undefined; entry = window.takeNext()) {
      taken.push(entry.seq);
    }
    expect(taken).toEqual(seqs(1, 40));
    window.release(30);
    expect(window.get(30)).toBeUndefined();
    expect(window.get(31)?.seq).toBe(31);
  });
});
