// Found by two adversarial reviews (each failed before its fix, and before this stop's other cut
// fixes too): a majority's cut, installed by some members, lost its order when a later majority
// adopted a minority's cut instead, one built on it or one its members never held.
import { expect, test } from 'vitest';
import type { NodeId } from '../messages.js';
import { ManualNet, payloadOf } from './manual-network.js';

const ALL = [1, 2, 3, 4, 5];

/**
 * Both schedules: 5 nodes, total, view V = {1..5}, sequencer 1. Node 5 posts x, then node 4 posts
 * y (room 1). Every member holds both; the sequencer orders x then y, but `rule` drops its order
 * entries. Then a majority P1 = {2,3,4} makes cut C1, which delivers the remainder by origin (no
 * member holds an order entry): y, x. 2 and 3 install it; the install to node 4 is lost, so 4
 * completed C1 and is still in V.
 */
function postXThenY(net: ManualNet): void {
  const t0 = net.nowMs;
  expect(net.post(5, 1, payloadOf(1, 5)).ok).toBe(true); // x
  net.runUntil(t0 + 3);
  expect(net.post(4, 1, payloadOf(2, 4)).ok).toBe(true); // y
  net.runUntil(t0 + 30);
  expect(net.sent.some((s) => s.from === 1 && s.message.kind === 'order')).toBe(true);
}

/** Runs until `from` tells `to` it completed a cut (sent from now on). */
function untilFlushed(net: ManualNet, from: NodeId, to: NodeId): boolean {
  const startMs = net.nowMs;
  return net.runUntilTrue(
    () =>
      net.sent.some(
        (s) => s.atMs >= startMs && s.from === from && s.to === to && s.message.kind === 'flushed',
      ),
    startMs + 20_000,
  );
}

/**
 * The schedule did what it says: 2 and 3 left V for P1, and 1, 4 and 5 left it together later.
 * The last majority must keep C1's order (y, x), not deliver the sequencer's (x, y).
 */
function expectC1Kept(net: ManualNet): void {
  expect(net.views(2)[1]?.members).toEqual([2, 3, 4]);
  expect(net.views(4)[1]?.members).toEqual([1, 4, 5]);
  expect(net.violations(), net.summary(ALL)).toEqual([]);
}

/**
 * After C1: {2,3} are cut off from {1,4,5}, node 1 paused. Node 4 coordinates P2 = {4,5}: a
 * minority that adopts C1. Both complete its cut C2; 5's `flushed` is lost, so no one installs it.
 * Node 1 resumes and coordinates P3 = {1,4,5}: a majority again, whose newest adopted cut is C2.
 */
test('total: a majority cut re-adopted by a minority, then by a majority, keeps its order', () => {
  const net = new ManualNet('total', 5);
  expect(net.runUntilTrue(() => net.inOneView(ALL), 10_000)).toBe(true);
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
  postXThenY(net);
  phase = 'p1';
  net.pause(1, net.nowMs + 100_000);
  expect(net.runUntilTrue(() => phase === 'p2', net.nowMs + 10_000)).toBe(true);
  expect(untilFlushed(net, 5, 4)).toBe(true);
  phase = 'p3';
  net.pause(1, net.nowMs);
  net.runUntil(net.nowMs + 10_000);
  expectC1Kept(net);
});

/**
 * After C1: node 4 pauses; nodes 1 and 5 (paused during P1) resume, cut off from 2 and 3, and
 * node 1 coordinates P2 = {1,5}, above P1: a minority whose cut C2 adopts nothing (neither held
 * C1). Both complete it; 5's `flushed` is lost. Node 4 resumes, and node 1 coordinates
 * P3 = {1,4,5}: 1 and 5 report C2, 4 reports C1. The latest proposal's cut, C2, was never built
 * on C1, and no majority fixed its order.
 */
test('total: a majority cut keeps its order over a later minority cut never built on it', () => {
  const net = new ManualNet('total', 5);
  expect(net.runUntilTrue(() => net.inOneView(ALL), 10_000)).toBe(true);
  let phase: 'posts' | 'p1' | 'p2' | 'p3' = 'posts';
  const sideInP2 = (n: NodeId) => (n === 1 || n === 5 ? 'a' : n === 4 ? 'c' : 'b');
  const sideInP3 = (n: NodeId) => (n === 2 || n === 3 ? 'b' : 'a');
  net.rule = ({ from, to, message }) => {
    if ((phase === 'posts' || phase === 'p1') && from === 1 && message.kind === 'order') {
      return 'drop';
    }
    if (phase === 'posts') return 1;
    if (phase === 'p1') {
      if (from === 2 && to === 4 && message.kind === 'install') return 'drop';
      return 1;
    }
    if (phase === 'p2') {
      if (from === 5 && to === 1 && message.kind === 'flushed') return 'drop';
      if (to === 4) return 1; // 4 is paused: it takes these when it resumes
      return sideInP2(from) === sideInP2(to) ? 1 : 'drop';
    }
    return sideInP3(from) === sideInP3(to) ? 1 : 'drop';
  };
  net.onSend = ({ from, to, message }) => {
    if (phase === 'p1' && from === 2 && to === 4 && message.kind === 'install') {
      phase = 'p2';
      net.pause(4, net.nowMs + 1_000_000);
      net.pause(1, net.nowMs);
      net.pause(5, net.nowMs);
    }
  };
  postXThenY(net);
  phase = 'p1';
  net.pause(1, net.nowMs + 1_000_000);
  net.pause(5, net.nowMs + 1_000_000);
  expect(net.runUntilTrue(() => phase === 'p2', net.nowMs + 10_000)).toBe(true);
  expect(untilFlushed(net, 5, 1)).toBe(true);
  phase = 'p3';
  net.pause(4, net.nowMs);
  net.runUntil(net.nowMs + 10_000);
  expectC1Kept(net);
});
