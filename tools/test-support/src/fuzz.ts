/** Fuzzing helpers with no Node typings, so packages that run anywhere can use them in tests. */
export { formatCount, FUZZ_RUNS_MULTIPLIER, fuzzRuns } from './fuzz-runs.js';
export { mutate, mutationArbitrary, type Mutation } from './mutations.js';
export { largeDatagramArbitrary } from './large-datagram.js';
