/**
 * The Node options chatserver runs with: its bin's shebang (`#!/usr/bin/env -S node ...`) passes
 * them, and so do the programs here that start servers as `node dist/main.js`.
 *
 * V8 starts a process's young generation at a few megabytes and doubles it only as a load keeps
 * objects alive across scavenges: a fresh server's first burst ran with scavenges every few
 * milliseconds while it grew, and that was most of what was left of the first second's cost after
 * the warm-up (total order at 38,600 posts/s, 3 runs each: first-second p99 49-78 ms without,
 * 15-21 ms with; warm p99 10-22 and 10-18 ms). The warm-up cannot grow it for good: V8 shrinks it
 * again when allocation slows. Starting it at the size a loaded server grows to anyway keeps it
 * there, for about 27 MB more of resident memory (an idle server: 74 → 101 MB).
 */
export const SERVER_NODE_OPTIONS: readonly string[] = ['--min-semi-space-size=16'];
