/**
 * Membership with real processes: 5 servers under about 1,000 posts/s in 3 rooms, one of them
 * killed with SIGKILL (server 1, total order's first sequencer), then started again with a fresh
 * state. The survivors keep serving with nothing lost, twice or out of order; the restarted server
 * is admitted (its `View N installed: servers 1,2,3,4,5 (primary)` line) and its clients' posts
 * reach everyone.
 *
 * The times printed (rooms delivering again, rejoin) are figures, not assertions; for 10 runs per
 * mode with median and max: `pnpm --filter @chat/server figures:membership`.
 */
import { describe, expect, it } from 'vitest';
import type { OrderingMode } from '@chat/ordering';
import { runCrashScenario } from './fixtures/crash-scenario.js';
import { describeVerdict } from './fixtures/delivery-verdict.js';
import { expectFlawless, SCENARIO_MS_MAX } from './fixtures/membership-run.js';

const VICTIM = 1;

describe.each<OrderingMode>(['unordered', 'fifo', 'total'])('%s mode', (mode) => {
  it(
    `keeps serving through kill -9 of server ${VICTIM}, and re-admits it restarted`,
    async () => {
      const result = await runCrashScenario({ mode, victim: VICTIM });

      const again = [...result.deliveredAgainMs].map(
        ([room, ms]) => `room ${room} ${ms === undefined ? 'never' : `${Math.round(ms)} ms`}`,
      );
      console.log(
        `${mode}: kill -9 of S${VICTIM}: rooms deliver again after ${again.join(', ')}; ` +
          `restarted S${VICTIM} in the view after ${Math.round(result.rejoinMs)} ms; ` +
          `${result.posted} posts: ${describeVerdict(result.verdict)}`,
      );
      expect(result.errors, 'no client of a live server is refused').toEqual([]);
      expectFlawless(result.verdict, result.timeline);
      expect([...result.deliveredAgainMs.values()]).not.toContain(undefined);
    },
    SCENARIO_MS_MAX,
  );
});
