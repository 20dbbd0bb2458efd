import { describe, expect, it } from 'vitest';
import { describeOutcome, describeStart, describeStats, formatServerTag } from './log-text.js';

const FROM = { host: '127.0.0.1', port: 6001 };

describe('log text', () => {
  it('tags servers 1-based, padded to two digits', () => {
    expect(formatServerTag(0)).toBe('S01');
    expect(formatServerTag(11)).toBe('S12');
  });

  it('describes each relay decision', () => {
    expect(describeOutcome({ kind: 'foreign' }, 1, { host: '127.0.0.1', port: 7777 }, 5)).toBe(
      "Dropped 5 bytes from 127.0.0.1:7777 to S02's forward address: not from a server",
    );
    expect(describeOutcome({ kind: 'lost', fromServer: 0, toServer: 1 }, 1, FROM, 5)).toBe(
      'S01 -> S02 5 bytes: lost',
    );
    expect(describeOutcome({ kind: 'cut', fromServer: 2, toServer: 0 }, 0, FROM, 5)).toBe(
      'S03 -> S01 5 bytes: dropped, link cut',
    );
    expect(describeOutcome({ kind: 'overflow', fromServer: 0, toServer: 1 }, 1, FROM, 5)).toBe(
      'S01 -> S02 5 bytes: dropped, too much in flight',
    );
    expect(
      describeOutcome({ kind: 'scheduled', fromServer: 0, toServer: 1, delaysMs: [7] }, 1, FROM, 5),
    ).toBe('S01 -> S02 5 bytes: delay 7 ms');
    expect(
      describeOutcome(
        { kind: 'scheduled', fromServer: 2, toServer: 0, delaysMs: [7, 0] },
        0,
        FROM,
        5,
      ),
    ).toBe('S03 -> S01 5 bytes: duplicated, delays 7 ms and 0 ms');
  });

  it('names the seed to replay a run with', () => {
    const options = { delayMsMax: 20, lossProbability: 0.1, duplicateProbability: 0 };

    expect(describeStart(3, options, 42)).toBe(
      'Relaying for 3 servers: delay 0..20 ms, loss 0.1, duplicate 0, seed 42 (replay with --seed 42)',
    );
  });

  it('describes the stats', () => {
    const stats = {
      received: 9,
      relayed: 8,
      lost: 1,
      duplicated: 2,
      foreign: 3,
      cutLinks: 6,
      overflow: 0,
      inFlight: 1,
    };

    expect(describeStats(stats, 4, 5)).toBe(
      'Stats received 9, relayed 8, lost 1, duplicated 2, foreign 3, overflow 0, in flight 1, ' +
        'send errors 4, cut by --course-limits 5, dropped on cut links 6',
    );
  });
});
