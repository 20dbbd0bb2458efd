// Several links that fail for good, one way, in meshes where nodes hear different parts of who
// hears whom (from an adversarial review: before the nodes that do not hear every node present
// went by those that do, each of these either never settled, left every node alone, or re-formed
// a primary view every two seconds). Each must settle in the views the rule of `LinkReports`
// gives, and then stay in them. (Not every mesh does: a node left out that hears no node that hears
// every node present may try to rejoin every two suspicion timeouts, as 3 nodes with 3 -> 1 and
// 1 -> 2 down do; the others stay in their view meanwhile.)
import { expect, test } from 'vitest';
import type { NodeId } from '../messages.js';
import { Simulator } from '../testing/simulator.js';

/** `[from, to]`: `to` no longer hears `from`. */
type Cut = readonly [NodeId, NodeId];

test.each<[number, Cut[]]>([
  [
    5,
    [
      [1, 5],
      [1, 4],
      [5, 3],
      [3, 1],
    ],
  ],
  [
    7,
    [
      [1, 6],
      [7, 1],
      [6, 2],
      [2, 1],
    ],
  ],
  [
    5,
    [
      [2, 5],
      [5, 1],
      [1, 3],
    ],
  ],
  [
    4,
    [
      [4, 1],
      [2, 4],
      [1, 2],
    ],
  ],
  [
    7,
    [
      [7, 1],
      [1, 2],
      [5, 7],
    ],
  ],
  [
    4,
    [
      [3, 2],
      [2, 1],
      [3, 4],
    ],
  ],
])('%i nodes, links %j down for good: settles, then stays', (nodeCount, cuts) => {
  const sim = new Simulator({ seed: 7, nodeCount, mode: 'total', network: { delayMsMax: 5 } });
  expect(sim.runUntilSettled(10_000)).toBeDefined();
  for (const [from, to] of cuts) sim.setLink(from, to, { loss: 1 });
  expect(sim.runUntilSettled(sim.nowMs + 30_000)).toBeDefined();
  // A last change may follow as the lists of the nodes catch up; after that, none.
  sim.runUntil(sim.nowMs + 10_000);
  expect(sim.isSettled()).toBe(true);
  const viewChanges = (): number[] =>
    Array.from({ length: nodeCount }, (_, index) => sim.engine(index + 1).stats().viewChanges);
  const settled = viewChanges();
  sim.runUntil(sim.nowMs + 20_000);
  expect(viewChanges()).toEqual(settled);
});
