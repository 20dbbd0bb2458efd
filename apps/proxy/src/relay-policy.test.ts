import { SeededRandom } from '@chat/ordering/testing';
import { describe, expect, it } from 'vitest';
import { RelayPolicy } from './relay-policy.js';
import type { RelayDecision, RelayPolicyOptions } from './relay-policy.js';

const SEED = 20_240_601;
const DRAWS = 100_000;

function decisions(options: RelayPolicyOptions, count: number, seed = SEED): RelayDecision[] {
  const policy = new RelayPolicy(options, new SeededRandom(seed));
  return Array.from({ length: count }, () => policy.decide(0, 1));
}

const delaysOf = (all: readonly RelayDecision[]): number[] =>
  all.flatMap((decision) => (decision.kind === 'relay' ? [...decision.delaysMs] : []));

describe('RelayPolicy', () => {
  it('delays every copy by a whole number of ms in [0, delayMsMax], reaching both ends', () => {
    const delays = delaysOf(
      decisions({ delayMsMax: 20, lossProbability: 0, duplicateProbability: 0.5 }, 10_000),
    );

    expect(delays.every((delay) => Number.isInteger(delay) && delay >= 0 && delay <= 20)).toBe(
      true,
    );
    expect(Math.min(...delays)).toBe(0);
    expect(Math.max(...delays)).toBe(20);
  });

  it('delays nothing with delayMsMax 0', () => {
    const delays = delaysOf(
      decisions({ delayMsMax: 0, lossProbability: 0, duplicateProbability: 0 }, 1_000),
    );

    expect(new Set(delays)).toEqual(new Set([0]));
  });

  it('loses roughly the requested share of datagrams', () => {
    const all = decisions({ delayMsMax: 20, lossProbability: 0.1, duplicateProbability: 0 }, DRAWS);
    const lostShare = all.filter((decision) => decision.kind === 'lose').length / DRAWS;

    // Deterministic for the seed; wide bounds only say the rate is about right.
    expect(lostShare).toBeGreaterThan(0.09);
    expect(lostShare).toBeLessThan(0.11);
  });

  it('duplicates roughly the requested share, with independent delays', () => {
    const all = decisions({ delayMsMax: 20, lossProbability: 0, duplicateProbability: 0.2 }, DRAWS);
    const duplicates = all.filter(
      (decision) => decision.kind === 'relay' && decision.delaysMs.length === 2,
    );

    expect(duplicates.length / DRAWS).toBeGreaterThan(0.18);
    expect(duplicates.length / DRAWS).toBeLessThan(0.22);
    const differing = duplicates.filter(
      (decision) => decision.kind === 'relay' && decision.delaysMs[0] !== decision.delaysMs[1],
    );
    expect(differing.length).toBeGreaterThan(duplicates.length / 2);
  });

  it('never loses or duplicates at probability 0, always loses at loss 1', () => {
    const kept = decisions({ delayMsMax: 5, lossProbability: 0, duplicateProbability: 0 }, 10_000);
    const lost = decisions({ delayMsMax: 5, lossProbability: 1, duplicateProbability: 1 }, 10_000);

    expect(
      kept.every((decision) => decision.kind === 'relay' && decision.delaysMs.length === 1),
    ).toBe(true);
    expect(lost.every((decision) => decision.kind === 'lose')).toBe(true);
  });

  it('replays the same decisions from the same seed, and different ones from another', () => {
    const options = { delayMsMax: 50, lossProbability: 0.2, duplicateProbability: 0.2 };

    expect(decisions(options, 1_000)).toEqual(decisions(options, 1_000));
    expect(decisions(options, 1_000, SEED + 1)).not.toEqual(decisions(options, 1_000));
  });

  it('drops every datagram on a cut link, in its direction only, until it is healed', () => {
    const policy = new RelayPolicy(
      { delayMsMax: 0, lossProbability: 0, duplicateProbability: 0 },
      new SeededRandom(SEED),
    );

    policy.links.cut([{ from: 0, to: 2 }]);

    expect(policy.decide(0, 2)).toEqual({ kind: 'cut' });
    expect(policy.decide(2, 0)).toEqual({ kind: 'relay', delaysMs: [0] });
    expect(policy.decide(0, 1)).toEqual({ kind: 'relay', delaysMs: [0] });
    policy.links.healAll();
    expect(policy.decide(0, 2)).toEqual({ kind: 'relay', delaysMs: [0] });
  });

  it('draws nothing for a datagram on a cut link, so the other links keep their sequence', () => {
    const options = { delayMsMax: 50, lossProbability: 0.2, duplicateProbability: 0.2 };
    const plain = new RelayPolicy(options, new SeededRandom(SEED));
    const withCut = new RelayPolicy(options, new SeededRandom(SEED));
    withCut.links.cut([{ from: 3, to: 4 }]);

    const interleaved = Array.from({ length: 200 }, (_, n) =>
      n % 3 === 0 ? withCut.decide(3, 4) : withCut.decide(0, 1),
    ).filter((decision) => decision.kind !== 'cut');

    expect(interleaved).toEqual(
      Array.from({ length: interleaved.length }, () => plain.decide(0, 1)),
    );
  });
});
