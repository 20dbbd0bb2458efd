import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ORDERING_MODES } from './options.js';
import { describeFailure, runScenario, type ScenarioOptions } from './testing/scenario.js';

/**
 * Property tests over many seeds, each a whole simulated run. A failure prints the seed; replay it with
 * SIM_SEED=<seed> (and raise the count with SIM_RUNS=<n>).
 */
const runs = Number(process.env['SIM_RUNS'] ?? 1000);
const replaySeed =
  process.env['SIM_SEED'] === undefined ? undefined : Number(process.env['SIM_SEED']);

const FAULT_PROFILES = {
  'delay, reordering and duplication': { faults: { delayMsMax: 20, duplicate: 0.1 } },
  'loss up to 30%, bursts, duplication and healing partitions': {
    faults: { delayMsMax: 20, loss: 0.3, duplicate: 0.05, burstEnter: 0.02, burstExit: 0.3 },
    partitions: true,
  },
} satisfies Record<string, Omit<ScenarioOptions, 'mode'>>;

function assertScenarioHolds(seed: number, options: ScenarioOptions): void {
  const result = runScenario(seed, options);
  if (result.violations.length > 0 || !result.settled || result.bufferedEntries !== 0) {
    throw new Error(describeFailure(result, options));
  }
}

describe.each(ORDERING_MODES)('%s mode', (mode) => {
  test.each(Object.entries(FAULT_PROFILES))(
    'with %s: every post delivered exactly once everywhere, in order, buffers empty after',
    (_, profile) => {
      const options: ScenarioOptions = { mode, ...profile };
      if (replaySeed !== undefined) {
        assertScenarioHolds(replaySeed, options);
        return;
      }
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) =>
          assertScenarioHolds(seed, options),
        ),
        { numRuns: runs },
      );
    },
  );
});

test('the checker is not vacuous: unordered delivery breaks FIFO under reordering', () => {
  const reorderedSeeds = Array.from({ length: 50 }, (_, seed) => seed).filter((seed) => {
    const result = runScenario(seed, { mode: 'unordered', faults: { delayMsMax: 20 } });
    const asFifo = runScenario(seed, { mode: 'fifo', faults: { delayMsMax: 20 } });
    // The same posts and network draws, judged by FIFO's rule.
    return result.violations.length === 0 && asFifo.violations.length === 0 && breaksFifo(result);
  });
  expect(reorderedSeeds.length).toBeGreaterThan(10);
});

function breaksFifo(result: ReturnType<typeof runScenario>): boolean {
  for (let node = 1; node <= result.simulator.nodeCount; node++) {
    const last = new Map<string, number>();
    for (const delivery of result.simulator.deliveries(node)) {
      const sender = `${delivery.room}:${delivery.origin}`;
      if (delivery.originSeq < (last.get(sender) ?? 0)) return true;
      last.set(sender, delivery.originSeq);
    }
  }
  return false;
}
