/**
 * The kill -9 scenario of membership-crash.test.ts, RUNS times per mode (default 10), printing
 * per run and then per mode: the time from the kill until every room delivers again (the slowest
 * room of the run; median and max over the runs), the restarted server's rejoin time, and the
 * lost / duplicated / misordered counts. Run it with `pnpm --filter @chat/server figures:membership`
 * (MODES=total RUNS=3 VICTIM=2 to narrow it). Figures only: it fails only if a run cannot finish.
 */
import { describe, it } from 'vitest';
import type { OrderingMode } from '@chat/ordering';
import { runCrashScenario, type CrashScenarioResult } from './fixtures/crash-scenario.js';
import { describeVerdict } from './fixtures/delivery-verdict.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
const VICTIM = Number(process.env['VICTIM'] ?? 1);
const MODES = (process.env['MODES'] ?? 'unordered,fifo,total').split(',') as OrderingMode[];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const ms = (value: number): string => `${Math.round(value)} ms`;

/** The slowest room's time to deliver again; Infinity when a room never did. */
const slowestRoomMs = (result: CrashScenarioResult): number =>
  Math.max(...[...result.deliveredAgainMs.values()].map((value) => value ?? Infinity));

describe.each(MODES)('%s mode', (mode) => {
  it(`kill -9 of S${VICTIM}, ${RUNS} runs`, async () => {
    const results: CrashScenarioResult[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const result = await runCrashScenario({ mode, victim: VICTIM });
      results.push(result);
      console.log(
        `${mode} run ${run}: delivering again after ${ms(slowestRoomMs(result))}, rejoined after ` +
          `${ms(result.rejoinMs)}, ${result.posted} posts: ${describeVerdict(result.verdict)}, ` +
          `${result.errors.length} -ERR`,
      );
      const { lost, duplicated, misordered, unexpected, disagreed } = result.verdict;
      if (lost + duplicated + misordered + unexpected + disagreed + result.errors.length > 0) {
        console.log(
          [result.timeline, ...result.verdict.examples, ...result.errors.slice(0, 5)].join('\n'),
        );
      }
    }
    const again = results.map(slowestRoomMs);
    const rejoin = results.map((result) => result.rejoinMs);
    const sum = (pick: (result: CrashScenarioResult) => number): number =>
      results.reduce((total, result) => total + pick(result), 0);
    console.log(
      `${mode}, kill -9 of S${VICTIM}, ${RUNS} runs: rooms deliver again after median ` +
        `${ms(median(again))}, max ${ms(Math.max(...again))}; rejoin median ${ms(median(rejoin))}, ` +
        `max ${ms(Math.max(...rejoin))}; lost ${sum((r) => r.verdict.lost)}, duplicated ` +
        `${sum((r) => r.verdict.duplicated)}, misordered ${sum((r) => r.verdict.misordered)}, ` +
        `unexpected ${sum((r) => r.verdict.unexpected)}, disagreed ${sum((r) => r.verdict.disagreed)}, ` +
        `-ERR ${sum((r) => r.errors.length)} (of ${sum((r) => r.posted)} posts)`,
    );
  });
});
