// A node that stops hearing its peers for a moment (a one-way link failure, or its process stalled)
// leaves the view alone, while its peers, still hearing it, deliver its last post. The node then
// never delivered its own post: its client never saw a line everyone else saw. Found by the
// servers' fuzz test on a busy machine (seed 1955631398), then reproduced here.
import { expect, test } from 'vitest';
import type { OrderingMode } from '../options.js';
import { ManualNet, payloadOf } from './manual-network.js';

const MODES: OrderingMode[] = ['unordered', 'fifo', 'total'];

test.each(MODES)(
  '%s: node 1 hears nobody for 1.5 s right after it posts: it delivers its post where its peers do',
  (mode) => {
    const net = new ManualNet(mode, 3);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), 10_000)).toBe(true);
    const t0 = net.nowMs;
    net.rule = ({ to, atMs }) => (to === 1 && atMs < t0 + 1_500 ? 'drop' : 1);
    const post = payloadOf(0, 1);
    expect(net.post(1, 1, post).ok).toBe(true);
    net.runUntil(t0 + 1_500);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), t0 + 10_000)).toBe(true);
    // Node 1 left the view alone (it suspected both peers), and came back.
    expect(net.views(1).some((view) => view.members.join() === '1')).toBe(true);
    const deliveredBy = [1, 2, 3].filter((node) =>
      net.deliveries(node).some((delivery) => delivery.payload.join() === post.join()),
    );
    expect({ deliveredBy, violations: net.violations() }).toEqual({
      deliveredBy: [1, 2, 3],
      violations: [],
    });
  },
);
