// The view's sequencer posts, then hears nobody for a while (a link that fails one way): it leaves
// the view alone and delivers its post (self-delivery). Its peers still heard it, so they used to
// stay stopped in the old view, refusing posts, until it heard them again; then it merged them back
// one at a time, each left the old view alone, and in total order none of them delivered the post
// (a group of one delivers no other origin's unordered post). Found by the servers' test "in total
// order, a server that hears no peer for a moment still delivers its client's last post".
import { expect, test } from 'vitest';
import { ManualNet, payloadOf } from './manual-network.js';

test.each([
  [1_200, 1],
  [1_500, 50],
  [3_000, 90],
  [1_200, 5_000],
])(
  'total: node 1 hears nobody for %i ms, node 2 again %i ms after node 3: all deliver its post',
  (silentMs, lagMs) => {
    const net = new ManualNet('total', 3);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), 10_000)).toBe(true);
    const t0 = net.nowMs;
    net.rule = ({ from, to, atMs }) =>
      to === 1 && atMs < t0 + silentMs + (from === 2 ? lagMs : 0) ? 'drop' : 1;
    const post = payloadOf(0, 1);
    expect(net.post(1, 1, post).ok).toBe(true);
    net.runUntil(t0 + silentMs + lagMs);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), net.nowMs + 10_000)).toBe(true);
    net.runUntil(net.nowMs + 3_000);
    const deliveredBy = [1, 2, 3].filter((node) =>
      net.deliveries(node).some((delivery) => delivery.payload.join() === post.join()),
    );
    expect({ deliveredBy, violations: net.violations() }).toEqual({
      deliveredBy: [1, 2, 3],
      violations: [],
    });
  },
);

test('total: while node 1 hears nobody, nodes 2 and 3 (a majority) go on without it', () => {
  const net = new ManualNet('total', 3);
  expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), 10_000)).toBe(true);
  const t0 = net.nowMs;
  net.rule = ({ to, atMs }) => (to === 1 && atMs < t0 + 60_000 ? 'drop' : 1);
  expect(net.runUntilTrue(() => net.inOneView([2, 3]), t0 + 5_000)).toBe(true);
  const post = payloadOf(0, 2);
  expect(net.post(2, 1, post).ok).toBe(true);
  net.runUntil(net.nowMs + 1_000);
  const deliveredBy = [1, 2, 3].filter((node) =>
    net.deliveries(node).some((delivery) => delivery.payload.join() === post.join()),
  );
  expect({ deliveredBy, view1: net.engine(1).view().members }).toEqual({
    deliveredBy: [2, 3],
    view1: [1],
  });
  expect(net.violations()).toEqual([]);
});
