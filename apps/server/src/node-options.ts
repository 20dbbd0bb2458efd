/**
 * The Node options chatserver runs with: its bin's shebang (`#!/usr/bin/env -S node ...`) passes
 * them, and so do the programs here that start servers as `node dist/main.js`.
 *
 * `--min-semi-space-size=16`: V8 starts a process's young generation at a few megabytes and
 * doubles it only as a load keeps objects alive across scavenges: a fresh server's first burst ran
 * with scavenges every few milliseconds while it grew, and that was most of what was left of the
 * first second's cost after the warm-up (total order at 38,600 posts/s, 3 runs each: first-second
 * p99 49-78 ms without, 15-21 ms with; warm p99 10-22 and 10-18 ms). The warm-up cannot grow it for
 * good: V8 shrinks it again when allocation slows. Starting it at the size a loaded server grows to
 * anyway keeps it there, for about 27 MB more of resident memory (an idle server: 74 → 101 MB).
 *
 * `--interrupt-budget=16384` (V8's default 67,584): V8 optimizes a function once it has run about
 * three budgets of its own bytecode, so small functions called once per event-loop turn or per
 * frame (the end-of-turn flush, acknowledgements, the frame codec) need thousands of calls. The
 * warm-up's turns are large, and those functions stayed unoptimized until a real burst's many small
 * turns made them hot. With a quarter of the budget the warm-up optimizes them: in 8 cold bursts
 * each way (unordered, FIFO and total, alternating), 7-13 optimizing compilations per server in the
 * burst's first second against 10-20, the first-second p99 lower in 6 of the 8 pairs; the same CPU
 * per post in a closed loop, and the server answers about 40 ms later. An eighth of the budget
 * compiled no fewer.
 */
export const SERVER_NODE_OPTIONS: readonly string[] = [
  '--min-semi-space-size=16',
  '--interrupt-budget=16384',
];
