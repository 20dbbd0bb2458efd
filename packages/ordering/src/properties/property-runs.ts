import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { OrderingMode } from '../options.js';
import {
  describeFailure,
  FAULT_PROFILES,
  runScenario,
  type ScenarioOptions,
} from '../testing/scenario.js';

/**
 * Whole simulated runs over many seeds, for one mode: every fault profile, each run checked for
 * safety (every post exactly once everywhere, unchanged, in the mode's order) and liveness (after
 * the last fault the group settles within SETTLE_TIME_MS_MAX of virtual time, every buffer empty).
 * A failure prints `reproduce with seed=N`; SIM_SEED=N replays that one run, SIM_RUNS=N runs N seeds
 * per profile instead of the default.
 */
export const RUNS_PER_PROFILE = Number(process.env['SIM_RUNS'] ?? 2_500);
const PROFILE_TIMEOUT_MS = 900_000;
/**
 * Seeds that once failed (in some mode), run first every time in every mode: each found a bug that
 * is fixed, and must stay fixed.
 */
const REGRESSION_SEEDS: Partial<Record<keyof typeof FAULT_PROFILES, readonly number[]>> = {
  // Two coordinators chose the same proposal id, and the members' promises shut out the second.
  'loss up to 30%, bursts, duplication and healing partitions': [299433610],
  'view changes: crashes, restarts, partitions that heal or not, asymmetric and flapping links': [
    // A stopped view still acknowledged, so a paused sequencer delivered past the cut others made;
    // then the sequencer delivered its own order entries beyond the cut.
    1191561394,
    // Members left stopped by a coordinator that gave up, or by a missed install, stayed stopped.
    1397373976, 783269493,
    // A room waiting on a post beyond the cut was not revisited at the view's end.
    1299349737,
    // A second cut wanting more of a known gap never NAKed it.
    1259660492, 2105617557,
    // A view change under way counted as settled.
    631634306,
    // Never settled, after many failed view changes; fixed along with the above.
    763847434,
    // The sequencer ordered a post only it and its crashed origin held; a majority left without it.
    359529512,
    // Self-delivery: a node whose companion in the view change missed the install moved on alone
    // but left as a minority of two (the check took it for a node leaving alone).
    54352601,
    // The check's own: the group judged settled at the last fault's end, with a suspicion pending.
    536296826,
  ],
};
const replaySeed =
  process.env['SIM_SEED'] === undefined ? undefined : Number(process.env['SIM_SEED']);

export function describeOrderingProperties(mode: OrderingMode): void {
  describe(`${mode} mode`, () => {
    test.each(Object.entries(FAULT_PROFILES))(
      `with %s: delivered exactly once everywhere, in order, and settled after the last fault`,
      (name, profile) => {
        const options: ScenarioOptions = { mode, ...profile };
        if (replaySeed !== undefined) {
          assertScenarioHolds(replaySeed, options);
          return;
        }
        const profileName = name as keyof typeof FAULT_PROFILES;
        for (const seed of REGRESSION_SEEDS[profileName] ?? []) assertScenarioHolds(seed, options);
        let refusedPosts = 0;
        fc.assert(
          fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
            refusedPosts += assertScenarioHolds(seed, options);
          }),
          { numRuns: RUNS_PER_PROFILE },
        );
        // The small-limits profile exists to reach the post window: it must be reached.
        if ('smallLimits' in profile) expect(refusedPosts).toBeGreaterThan(0);
      },
      // Thousands of whole runs: on a busy machine this takes minutes, not the default 60 s.
      PROFILE_TIMEOUT_MS,
    );
  });
}

/** Runs one seed; throws the failure's account. Returns how many posts the windows refused. */
function assertScenarioHolds(seed: number, options: ScenarioOptions): number {
  const result = runScenario(seed, options);
  if (result.violations.length > 0 || result.settledMs === undefined) {
    throw new Error(describeFailure(result, options));
  }
  return result.refusedPosts;
}
