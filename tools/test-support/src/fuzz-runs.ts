/**
 * Fuzz case counts: the CI counts by default, times `FUZZ_RUNS_MULTIPLIER` (a positive number) to
 * fuzz longer, e.g. `FUZZ_RUNS_MULTIPLIER=20 pnpm test`.
 */

/** Read without Node typings: packages that run anywhere use this in their tests. */
const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } })
  .process?.env;

function readMultiplier(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const multiplier = Number(text);
  if (!Number.isFinite(multiplier) || multiplier <= 0) {
    throw new Error(`FUZZ_RUNS_MULTIPLIER must be a positive number, not '${text}'`);
  }
  return multiplier;
}

export const FUZZ_RUNS_MULTIPLIER = readMultiplier(environment?.FUZZ_RUNS_MULTIPLIER);

/** `ciRuns` scaled by the multiplier; at least 1. */
export function fuzzRuns(ciRuns: number): number {
  return Math.max(1, Math.round(ciRuns * FUZZ_RUNS_MULTIPLIER));
}

/** `130,000`: counts for test names. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
