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

test('total order keeps every buffer bounded when one link fails in one direction, then recovers', () => {
  const limits = { postWindowEntriesMax: 16, receiveWindowEntriesMax: 64 };
  const sim = new Simulator({
    seed: 3,
    nodeCount: 3,
    mode: 'total',
    network: { delayMsMax: 2 },
    limits,
  });
  sim.setLink(1, 3, { loss: 1 });
  let refused = 0;
  for (let i = 0; i < 2_000; i++) {
    if (!sim.post(2, 1, payload(i)).ok) refused += 1;
    sim.runUntil(sim.nowMs + 1);
  }
  // Node 2 was pushed back, and no node holds more than its bounds.
  expect(refused).toBeGreaterThan(0);
  for (const node of [1, 2, 3]) {
    const stats = sim.engine(node).stats();
    expect(stats.logDepth, `node ${node} log`).toBeLessThanOrEqual(16 * 4);
    expect(stats.holdBackDepth, `node ${node} hold-back`).toBeLessThanOrEqual(2 * 64);
    expect(stats.totalOrderPending, `node ${node} pending`).toBeLessThanOrEqual(16 * 4 + 64);
  }
  sim.setLink(1, 3, { loss: 0 });
  expect(sim.runUntilIdle({ timeMsMax: sim.nowMs + 60_000 })).toBe(true);
  const posted = sim.posts.length;
  for (const node of [1, 2, 3]) {
    expect(sim.deliveries(node)).toHaveLength(posted);
    expect(sim.engine(node).stats()).toMatchObject({
      logDepth: 0,
      holdBackDepth: 0,
      totalOrderPending: 0,
    });
  }
});
