// Found by an adversarial review (it failed before the fix in computeCut): a total-order violation
// through an adopted cut that delivers the remainder in a minority.
import { expect, test } from 'vitest';
import { ManualNet, payloadOf } from './manual-network.js';

const ALL = [1, 2, 3, 4, 5];

/**
 * 5 nodes, total. View {1..5}, sequencer 1. Node 4 posts a, then node 3 posts b (room 1); the
 * sequencer orders a then b, but its order entries never reach node 2 and reach 3, 4, 5 only
 * 1.5 s later. Node 1 crashes. Node 2 coordinates {2,3,4,5}: every report has through[seq 1] = 0,
 * the cut has remainder = true (4 of 5). Node 2's cuts to the others are lost and from then on
 * 2 and {3,4,5} do not hear each other. Node 2 completed the cut itself; its flush step times out,
 * it goes alone in {2} and adopts its own remainder cut: delivers b, a (origin order). Meanwhile
 * the order entries reach 3, 4, 5; node 3 coordinates {3,4,5}, a majority of 5 again, with no
 * adopted cut: through[seq 1] = 2, so they deliver a, b (the sequencer's order).
 */
test('total: a minority that adopted a remainder cut orders the same posts differently from the majority', () => {
  const net = new ManualNet('total', 5);
  expect(net.runUntilTrue(() => net.inOneView(ALL), 10_000)).toBe(true);
  const t0 = net.nowMs;
  let cutSent = false;
  net.rule = ({ from, to, message }) => {
    if (from === 1 && message.kind === 'order') return to === 2 ? 'drop' : 1_500;
    if (from === 2 && message.kind === 'cut') return 'drop';
    if (cutSent && (from === 2 || to === 2) && from !== 1 && to !== 1) return 'drop';
    return 1;
  };
  net.onSend = ({ from, message }) => {
    if (from === 2 && message.kind === 'cut') cutSent = true;
  };
  expect(net.post(4, 1, payloadOf(1, 4)).ok).toBe(true); // a
  net.runUntil(t0 + 5);
  expect(net.post(3, 1, payloadOf(2, 3)).ok).toBe(true); // b, ordered after a
  net.runUntil(t0 + 20);
  net.crash(1);
  net.runUntil(t0 + 10_000);
  expect(net.violations(), net.summary([2, 3, 4, 5])).toEqual([]);
});
