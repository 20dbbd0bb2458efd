import { expect, test } from 'vitest';
import { runScenario } from './scenario.js';
import { Simulator } from './simulator.js';

const payload = (n: number): Uint8Array => Uint8Array.of(n);

test('a seed replays exactly: same deliveries at the same virtual times', () => {
  const options = { mode: 'total', faults: { delayMsMax: 20, loss: 0.2, duplicate: 0.1 } } as const;
  const first = runScenario(1234, options);
  const second = runScenario(1234, options);
  for (let node = 1; node <= first.simulator.nodeCount; node++) {
    expect(second.simulator.deliveries(node)).toEqual(first.simulator.deliveries(node));
  }
  expect(second.simulator.networkCounts).toEqual(first.simulator.networkCounts);
  expect(runScenario(1235, options).simulator.networkCounts).not.toEqual(
    first.simulator.networkCounts,
  );
});

test('a partition stops traffic between its sides until it heals', () => {
  const sim = new Simulator({ seed: 1, nodeCount: 3, mode: 'fifo', network: { delayMsMax: 5 } });
  sim.partition([[1], [2, 3]]);
  sim.post(1, 1, payload(1));
  sim.post(2, 1, payload(2));
  sim.runUntil(5_000);
  expect(sim.deliveries(1).map((d) => d.origin)).toEqual([1]);
  expect(sim.deliveries(3).map((d) => d.origin)).toEqual([2]);
  sim.heal();
  expect(sim.runUntilIdle({ timeMsMax: 60_000 })).toBe(true);
  for (const node of [1, 2, 3]) expect(sim.deliveries(node)).toHaveLength(2);
});

test('loss makes the engines repair: retransmissions happen and everything arrives', () => {
  const sim = new Simulator({
    seed: 7,
    nodeCount: 3,
    mode: 'fifo',
    network: { delayMsMax: 10, loss: 0.3 },
  });
  for (let i = 0; i < 30; i++) sim.schedulePost(i * 3, (i % 3) + 1, 1, payload(i));
  sim.runUntil(200);
  sim.setNetwork({ loss: 0 });
  expect(sim.runUntilIdle()).toBe(true);
  expect(sim.networkCounts.lost).toBeGreaterThan(0);
  const retransmissions = [1, 2, 3].reduce(
    (sum, n) => sum + sim.engine(n).stats().retransmissions,
    0,
  );
  expect(retransmissions).toBeGreaterThan(0);
  for (const node of [1, 2, 3]) expect(sim.deliveries(node)).toHaveLength(30);
});
