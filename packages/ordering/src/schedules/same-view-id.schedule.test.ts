// Two coordinators once chose the same proposal id: two views with one id and overlapping members,
// and a node that took the other view's posts as its own view's. Each coordinator now proposes ids
// of its own. From an adversarial review (it failed before the fix).
import { expect, test } from 'vitest';
import type { OrderingMode } from '../options.js';
import { ManualNet, payloadOf } from './manual-network.js';

/**
 * 4 nodes in view V = {1,2,3,4}. The link 1 <-> 2 fails both ways; node 1 had just posted, so
 * node 2 lacks some of node 1's log. Each of 1 and 2 stops hearing the other and coordinates:
 * both propose id V+1 (1 with {1,3,4}, 2 with {2,3,4}). Node 2's prepare reaches 3 and 4 first:
 * they report, get node 2's cut, hold it at once and answer `flushed`. Then node 1's prepare
 * (same id, lower coordinator) arrives and 3 and 4 switch their promise to node 1. Node 2 still
 * has to fetch node 1's entries (relayed, slowly); once it holds them it has every `flushed`, and
 * installs V+1 = {2,3,4} — which 3 and 4 ignore, installing V+1 = {1,3,4} from node 1.
 * Node 2 then counts 3's and 4's heartbeats (view V+1) as installs of its view, and its channel
 * takes 3's and 4's entries of {1,3,4} (same id, senders that are members of its view).
 */
test.each(['fifo', 'unordered', 'total'] as OrderingMode[])(
  '%s: a coordinator that was overtaken still installs its view, under an id others use for another',
  (mode) => {
    const net = new ManualNet(mode, 4);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3, 4]), 10_000)).toBe(true);
    const t0 = net.nowMs;
    let healed = false;
    net.rule = ({ from, to, message }) => {
      if (!healed && ((from === 1 && to === 2) || (from === 2 && to === 1))) return 'drop';
      if (from === 1 && message.kind === 'prepare') return 15;
      // Node 1's view change runs slower than node 2's own flush.
      if (from === 1 && message.kind === 'cut') return 150;
      return 1;
    };
    let index = 0;
    for (let i = 0; i < 3; i++) net.post(1, 1, payloadOf(index++, 1));
    net.runUntil(t0 + 1_600);
    const views = (): string =>
      [1, 2, 3, 4]
        .map(
          (n) =>
            `node ${n}: ${net
              .views(n)
              .slice(0, 6)
              .map((v) => `${v.id}[${v.members.join(',')}]@${Math.round(v.timeMs)}`)
              .join(' ')} (${net.views(n).length} views)`,
        )
        .join('; ');
    // Posts in the new view(s).
    for (let i = 0; i < 3; i++) {
      for (const node of [3, 4]) net.post(node, 1, payloadOf(index++, node));
      net.runUntil(net.nowMs + 20);
    }
    net.runUntil(t0 + 3_000);
    healed = true;
    const settled = net.runUntilTrue(() => net.inOneView([1, 2, 3, 4]), t0 + 20_000);
    if (process.env['SDEBUG']) console.log(views());
    expect({ violations: net.violations(), settled }, views()).toEqual({
      violations: [],
      settled: true,
    });
  },
);
