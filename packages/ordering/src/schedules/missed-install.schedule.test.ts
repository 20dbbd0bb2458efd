// A member that misses the install while the coordinator crashes mid-broadcast, and a restarted
// node whose old run's messages arrive late. From an adversarial review.
import { expect, test } from 'vitest';
import type { OrderingMode } from '../options.js';
import { ManualNet, payloadOf } from './manual-network.js';

const MODES: OrderingMode[] = ['unordered', 'fifo', 'total'];

test.each(MODES)(
  '%s: the coordinator crashes after sending the install to one member only',
  (mode) => {
    const net = new ManualNet(mode, 5);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3, 4, 5]), 10_000)).toBe(true);
    let index = 0;
    for (let i = 0; i < 10; i++) {
      for (const node of [2, 3, 4, 5]) net.post(node, 1 + (i % 2), payloadOf(index++, node));
      net.runUntil(net.nowMs + 3);
    }
    let installs = 0;
    net.onSend = ({ from, message }) => {
      if (from === 1 && message.kind === 'install' && ++installs === 1) net.crash(1);
    };
    net.crash(5);
    const t0 = net.nowMs;
    net.runUntil(t0 + 10_000);
    expect(installs).toBe(1);
    const settled = net.inOneView([2, 3, 4]);
    const views = [2, 3, 4]
      .map(
        (n) =>
          `node ${n}: ${net
            .views(n)
            .map((v) => `${v.id}[${v.members.join(',')}]`)
            .join(' ')}`,
      )
      .join('; ');
    expect({ settled, violations: net.violations() }, views).toEqual({
      settled: true,
      violations: [],
    });
  },
);

test.each(MODES)(
  "%s: a restarted node whose old run's posts and heartbeats arrive 3 s late",
  (mode) => {
    const net = new ManualNet(mode, 4);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3, 4]), 10_000)).toBe(true);
    const t0 = net.nowMs;
    net.rule = ({ from, atMs }) => (from === 3 && atMs < t0 + 50 ? 3_000 : 1);
    let index = 0;
    for (let i = 0; i < 5; i++) net.post(3, 1, payloadOf(index++, 3));
    net.runUntil(t0 + 40);
    net.crash(3);
    net.runUntil(t0 + 100);
    net.restart(3);
    net.runUntil(t0 + 8_000);
    expect(net.inOneView([1, 2, 3, 4])).toBe(true);
    for (const node of [1, 2, 3, 4]) net.post(node, 1, payloadOf(index++, node));
    net.runUntil(net.nowMs + 2_000);
    expect(net.violations()).toEqual([]);
  },
);
