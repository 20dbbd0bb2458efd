// One broken link between two servers that both still reach the others (non-transitive
// connectivity) made the views flap for as long as it lasted, each of the two coordinating a view
// without the other; now the one that hears of a lower node leaves it the view changes. From an
// adversarial review (it failed before the fix).
import { expect, test } from 'vitest';
import type { OrderingMode } from '../options.js';
import { ManualNet, payloadOf } from './manual-network.js';

test.each(['fifo', 'total'] as OrderingMode[])(
  '%s: 4 nodes, link 1 <-> 2 down for 20 s: the others settle on one view rather than flap',
  (mode) => {
    const net = new ManualNet(mode, 4);
    expect(net.runUntilTrue(() => net.inOneView([1, 2, 3, 4]), 10_000)).toBe(true);
    const t0 = net.nowMs;
    net.rule = ({ from, to }) =>
      (from === 1 && to === 2) || (from === 2 && to === 1) ? 'drop' : 1;
    // Node 3's clients post every 100 ms.
    let accepted = 0;
    let refused = 0;
    let index = 0;
    for (let t = t0 + 3_000; t < t0 + 20_000; t += 100) {
      net.runUntil(t);
      if (net.post(3, 1, payloadOf(index++, 3)).ok) accepted += 1;
      else refused += 1;
    }
    const late = net.views(3).filter((v) => v.timeMs > t0 + 3_000).length;
    expect(
      { viewChangesAtNode3After3s: late },
      `node 3: ${net.views(3).length} views; posts accepted ${accepted}, refused ${refused}`,
    ).toEqual({ viewChangesAtNode3After3s: 0 });
  },
);
