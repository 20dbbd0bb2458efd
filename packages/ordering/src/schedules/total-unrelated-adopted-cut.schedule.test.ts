// Found by an adversarial review (it failed before the fix, and before this stop's other cut
// fixes too): a minority's later cut, unrelated to a majority's earlier one, outranked it.
import { expect, test } from 'vitest';
import type { NodeId } from '../messages.js';
import { ManualNet, payloadOf } from './manual-network.js';

const ALL = [1, 2, 3, 4, 5];

/**
 * 5 nodes, total, view V = {1..5}, sequencer 1.
 * 1. Node 5 posts x, then node 4 posts y (room 1). Every member holds both; the sequencer orders
 *    x then y, but its order entries reach nobody.
 * 2. Nodes 1 and 5 pause. Node 2 coordinates P1 = {2,3,4}: a majority, cut C1 (orderFixed,
 *    orderedThrough 0) delivers y, x by origin. 2 and 3 install; the install to 4 is lost and 4
 *    pauses (it completed C1).
 * 3. 1 and 5 resume (they hear of P1 from queued heartbeats), cut off from 2,3,4. Node 1
 *    coordinates P2 = {1,5} (> P1): a minority cut C2 that adopts nothing (neither holds C1).
 *    Both complete it; 5's flushed is lost.
 * 4. 4 resumes; {1,4,5} | {2,3}. Node 1 coordinates P3 = {1,4,5}: reports adopted P2 (1, 5) and
 *    P1 (4). computeCut picked C2 (the highest proposal), whose order no majority fixed, so the
 *    majority delivered the sequencer's order x, y, where 2 and 3 delivered y, x. It must keep
 *    C1's order.
 */
test('total: a majority cut keeps its order over a later minority cut never built on it', () => {
  const net = new ManualNet('total', 5);
  expect(net.runUntilTrue(() => net.inOneView(ALL), 10_000)).toBe(true);
  const t0 = net.nowMs;
  let phase: 'posts' | 'p1' | 'p2' | 'p3' = 'posts';
  const groupP2 = (n: NodeId) => (n === 1 || n === 5 ? 'a' : n === 4 ? 'c' : 'b');
  const groupP3 = (n: NodeId) => (n === 2 || n === 3 ? 'b' : 'a');
  net.rule = ({ from, to, message }) => {
    if ((phase === 'posts' || phase === 'p1') && from === 1 && message.kind === 'order')
      return 'drop';
    if (phase === 'posts') return 1;
    if (phase === 'p1') {
      if (from === 2 && to === 4 && message.kind === 'install') return 'drop';
      return 1;
    }
    if (phase === 'p2') {
      if (from === 5 && to === 1 && message.kind === 'flushed') return 'drop';
      if (to === 4) return 1; // 4 is paused: it takes these when it resumes
      return groupP2(from) === groupP2(to) ? 1 : 'drop';
    }
    return groupP3(from) === groupP3(to) ? 1 : 'drop';
  };
  net.onSend = ({ from, to, message }) => {
    if (phase === 'p1' && from === 2 && to === 4 && message.kind === 'install') {
      phase = 'p2';
      net.pause(4, net.nowMs + 1_000_000);
      net.pause(1, net.nowMs);
      net.pause(5, net.nowMs);
    }
  };
  expect(net.post(5, 1, payloadOf(1, 5)).ok).toBe(true); // x
  net.runUntil(t0 + 3);
  expect(net.post(4, 1, payloadOf(2, 4)).ok).toBe(true); // y
  net.runUntil(t0 + 30);
  expect(net.sent.some((s) => s.from === 1 && s.message.kind === 'order')).toBe(true);
  phase = 'p1';
  net.pause(1, t0 + 1_000_000);
  net.pause(5, t0 + 1_000_000);
  expect(net.runUntilTrue(() => phase === 'p2', t0 + 10_000)).toBe(true);
  const p2Start = net.nowMs;
  expect(
    net.runUntilTrue(
      () =>
        net.sent.some(
          (s) => s.atMs >= p2Start && s.from === 5 && s.to === 1 && s.message.kind === 'flushed',
        ),
      p2Start + 20_000,
    ),
  ).toBe(true);
  phase = 'p3';
  net.pause(4, net.nowMs);
  net.runUntil(net.nowMs + 10_000);
  // The schedule did what it says: 2 and 3 left V for P1, and 1, 4 and 5 left it together later.
  expect(net.views(2)[1]?.members).toEqual([2, 3, 4]);
  expect(net.views(4)[1]?.members).toEqual([1, 4, 5]);
  expect(net.violations(), net.summary(ALL)).toEqual([]);
});
