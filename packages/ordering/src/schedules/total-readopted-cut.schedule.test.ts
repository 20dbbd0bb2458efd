// Found by an adversarial review (it failed before the fix): a majority's cut, installed by some
// members, then adopted by a minority and adopted again by a majority, lost its order on the way.
import { expect, test } from 'vitest';
import type { NodeId } from '../messages.js';
import { ManualNet, payloadOf } from './manual-network.js';

const ALL = [1, 2, 3, 4, 5];

/**
 * 5 nodes, total, view V = {1..5}, sequencer 1.
 * 1. Node 5 posts x, then node 4 posts y (room 1). Every member holds both; the sequencer orders
 *    x then y, but its order entries reach nobody.
 * 2. Node 1 pauses. Node 5 is cut off from 2 and 3 (it still hears 4). Node 2 coordinates
 *    P1 = {2,3,4}: a majority, whose cut C1 delivers the remainder by origin (no member holds an
 *    order entry): y, x. 2 and 3 install it; the install to node 4 is lost, so 4 completed C1.
 * 3. {2,3} are cut off from {1,4,5}. Node 4 coordinates P2 = {4,5}: a minority that adopts C1.
 *    Both complete its cut C2; 5's `flushed` is lost, so no one installs it.
 * 4. Node 1 resumes and coordinates P3 = {1,4,5}: a majority again, whose newest adopted cut is C2.
 *    It must keep the order C1 fixed (y, x), not deliver the sequencer's (x, y).
 */
test('total: a majority cut re-adopted by a minority, then by a majority, keeps its order', () => {
  const net = new ManualNet('total', 5);
  expect(net.runUntilTrue(() => net.inOneView(ALL), 10_000)).toBe(true);
  const t0 = net.nowMs;
  let phase: 'posts' | 'p1' | 'p2' | 'p3' = 'posts';
  const side = (node: NodeId): string =>
    phase === 'p1'
      ? node === 1
        ? 'a'
        : node === 5
          ? 'c'
          : 'b'
      : node === 2 || node === 3
        ? 'b'
        : 'a';
  net.rule = ({ from, to, message }) => {
    if (phase !== 'p3' && from === 1 && message.kind === 'order') return 'drop';
    if (phase === 'posts') return 1;
    if (phase === 'p1') {
      if (from === 2 && to === 4 && message.kind === 'install') return 'drop';
      // 5 still hears 4 and 4 hears 5; 2 and 3 hear neither 5 nor 1.
      if ((from === 5 && to === 4) || (from === 4 && to === 5)) return 1;
      if (from === 1 || to === 1) return 'drop';
      return side(from) === side(to) ? 1 : 'drop';
    }
    if (phase === 'p2' && from === 5 && to === 4 && message.kind === 'flushed') return 'drop';
    return side(from) === side(to) ? 1 : 'drop';
  };
  net.onSend = ({ from, to, message }) => {
    if (phase === 'p1' && from === 2 && to === 4 && message.kind === 'install') phase = 'p2';
  };
  expect(net.post(5, 1, payloadOf(1, 5)).ok).toBe(true); // x
  net.runUntil(t0 + 3);
  expect(net.post(4, 1, payloadOf(2, 4)).ok).toBe(true); // y
  net.runUntil(t0 + 30);
  expect(net.sent.some((s) => s.from === 1 && s.message.kind === 'order')).toBe(true);
  phase = 'p1';
  net.pause(1, t0 + 100_000);
  expect(net.runUntilTrue(() => phase === 'p2', t0 + 10_000)).toBe(true);
  // Node 4 coordinates {4,5}; wait until 5 completed its cut.
  const p2Start = net.nowMs;
  expect(
    net.runUntilTrue(
      () =>
        net.sent.some(
          (s) => s.atMs >= p2Start && s.from === 5 && s.to === 4 && s.message.kind === 'flushed',
        ),
      p2Start + 10_000,
    ),
  ).toBe(true);
  phase = 'p3';
  net.pause(1, net.nowMs);
  net.runUntil(net.nowMs + 10_000);
  // The schedule did what it says: 2 and 3 left V for P1, and 1, 4 and 5 left it together later.
  expect(net.views(2)[1]?.members).toEqual([2, 3, 4]);
  expect(net.views(4)[1]?.members).toEqual([1, 4, 5]);
  expect(net.violations(), net.summary(ALL)).toEqual([]);
});
