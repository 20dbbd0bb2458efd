// A coordinator that restarts proposes view ids above those it hears of, so a new run may propose an
// id its earlier run used, for other members. A member still holding the earlier proposal must not
// take the new run's view for it. And a view's channel takes messages from its members' runs only,
// so a member must learn a restarted member's run when it installs a view with it, not only from
// its heartbeats. Found by two adversarial reviews of the "left behind" change.
import { expect, test } from 'vitest';
import type { OrderingMode } from '../options.js';
import { ManualNet, payloadOf } from './manual-network.js';

test.each(['total', 'fifo', 'unordered'] as OrderingMode[])(
  "%s: a member that missed an install does not take a restarted coordinator's view of that id for it",
  (mode) => {
    const net = new ManualNet(mode, 3);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), 10_000)).toBe(true);
    const t0 = net.nowMs;
    let phase: 'split13' | 'crashed' | 'healed' = 'split13';
    let healMs = Number.POSITIVE_INFINITY;
    net.rule = ({ from, to, atMs, message }) => {
      const between = (a: number, b: number): boolean =>
        (from === a && to === b) || (from === b && to === a);
      if (phase === 'split13' && (between(1, 3) || (from === 1 && message.kind === 'install'))) {
        return 'drop';
      }
      if (phase === 'crashed' && from === 2 && to === 1) return 'drop';
      if (phase === 'crashed' && from === 1 && to === 2 && atMs < healMs) return 'drop';
      return 1;
    };
    net.post(2, 1, payloadOf(1, 2));
    net.post(3, 1, payloadOf(1, 3));
    net.runUntil(t0 + 5);
    // Node 1 proposes view {1,2} and crashes as it sends node 2 the install (which is lost).
    net.onSend = ({ from, to, message }) => {
      if (phase === 'split13' && from === 1 && to === 2 && message.kind === 'install') {
        net.crash(1);
        phase = 'crashed';
      }
    };
    expect(net.runUntilTrue(() => phase === 'crashed', t0 + 5_000)).toBe(true);
    net.restart(1);
    // The new run hears node 3 only, and installs a view of the same id with it.
    expect(net.runUntilTrue(() => net.inOneView([1, 3]), net.nowMs + 3_000)).toBe(true);
    healMs = net.nowMs + 50;
    net.runUntil(net.nowMs + 600);
    for (let index = 2; index < 5; index++) {
      for (const node of [1, 2, 3]) net.post(node, 1, payloadOf(index, node));
      net.runUntil(net.nowMs + 20);
    }
    net.runUntil(net.nowMs + 2_000);
    phase = 'healed';
    const settled = net.runUntilTrue(() => net.inOneView([1, 2, 3]), net.nowMs + 20_000);
    expect({ violations: net.violations(), settled }).toEqual({ violations: [], settled: true });
  },
);

test("total, 9 nodes: a member that completed an uninstalled majority cut does not take a new run's view of that id for its install", () => {
  const all = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const net = new ManualNet('total', 9);
  expect(net.runUntilTrue(() => net.inOneView(all), 10_000)).toBe(true);
  // Just after a round of heartbeats, so that node 2 last hears 1, 7, 8 and 9 together.
  net.runUntil(net.nowMs + 50);
  const t0 = net.nowMs;
  let phase: 'before' | 'proposing' | 'restarted' = 'before';
  net.rule = ({ from, to, message }) => {
    if (from === 3 && to === 2 && message.kind === 'flushed') return 'drop';
    if (from === 1 && message.kind === 'order') return to === 2 || to === 3 ? 'drop' : 1_500;
    if (phase === 'proposing') {
      if ((from === 2 && to >= 7) || (to === 2 && from >= 7)) return 'drop';
      if (from === 2 && message.kind === 'cut' && to !== 3) return 'drop';
    }
    if (phase === 'restarted') {
      if (to === 2 && from !== 9) return 'drop';
      if (from === 2 && to !== 9 && to !== 3) return 'drop';
    }
    return 1;
  };
  expect(net.post(5, 1, payloadOf(1, 5)).ok).toBe(true); // a
  net.runUntil(t0 + 3);
  expect(net.post(4, 1, payloadOf(2, 4)).ok).toBe(true); // b, which node 1 orders after a
  net.runUntil(t0 + 8);
  // Node 2 proposes {2..6} (a majority: its cut orders a and b by origin, b first); only node 3
  // gets the cut, and node 2 crashes when node 3 says it holds it.
  net.crash(1);
  phase = 'proposing';
  net.onSend = ({ from, to, message }) => {
    if (phase === 'proposing' && from === 3 && to === 2 && message.kind === 'flushed') {
      net.crash(2);
      phase = 'restarted';
    }
  };
  expect(net.runUntilTrue(() => phase === 'restarted', t0 + 5_000)).toBe(true);
  // Its new run hears node 9 only, and may install a view of the same id with it.
  net.restart(2);
  net.runUntil(net.nowMs + 4_000);
  expect(net.violations()).toEqual([]);
});

test.each([
  ['total', 1],
  ['total', 3],
  ['fifo', 3],
] as [OrderingMode, number][])(
  '%s: node %i restarts and node 2 hears none of its heartbeats for 4 s; node 2 still delivers its posts',
  (mode, restarted) => {
    const net = new ManualNet(mode, 3);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), 10_000)).toBe(true);
    net.crash(restarted);
    net.runUntil(net.nowMs + 50);
    const heartbeatsLostUntilMs = net.nowMs + 4_000;
    net.rule = ({ from, to, atMs, message }) =>
      from === restarted && to === 2 && message.kind === 'heartbeat' && atMs < heartbeatsLostUntilMs
        ? 'drop'
        : 1;
    net.restart(restarted);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), net.nowMs + 3_000)).toBe(true);
    for (let index = 0; index < 5; index++) {
      for (const node of [1, 2, 3]) net.post(node, 1, payloadOf(index, node));
      net.runUntil(net.nowMs + 100);
    }
    net.runUntil(net.nowMs + 500);
    expect(net.nowMs).toBeLessThan(heartbeatsLostUntilMs);
    const fromRestarted = net
      .deliveries(2)
      .filter((delivery) => delivery.payload[2] === restarted).length;
    expect({ fromRestarted, violations: net.violations() }).toEqual({
      fromRestarted: 5,
      violations: [],
    });
  },
);
