// Hostile or broken peers sending membership messages that are well typed but wrong (member
// counts, huge arrays and numbers, seqs beyond what exists, another view's cut): remote input must
// never throw, nor grow memory without bound, nor wedge the group. From an adversarial review.
import { describe, expect, test } from 'vitest';
import { CUT_REMAINDERS, type Member, type PeerMessage } from '../messages.js';
import type { OrderingMode } from '../options.js';
import { SeededRandom } from '../testing/random.js';
import { ManualNet, payloadOf } from './manual-network.js';

// Only what a varint codec can carry: no NaN or Infinity (those set off an exponential storm of
// proposals: see the report), but 2 ** 53 and beyond, negative and fractional numbers.
const NUMBERS = [
  0,
  1,
  2,
  3,
  5,
  7,
  -1,
  2 ** 31,
  1e9,
  0.5,
  2 ** 53,
  2 ** 60,
  Number.MAX_SAFE_INTEGER,
];

function anyNumber(random: SeededRandom, near: number): number {
  return random.chance(0.5)
    ? near + random.int(-2, 2)
    : NUMBERS[random.int(0, NUMBERS.length - 1)]!;
}

function anyArray(random: SeededRandom, near: number): number[] {
  const length = random.chance(0.1) ? random.int(1000, 50_000) : random.int(0, 8);
  return Array.from({ length }, () => anyNumber(random, near));
}

function anyMembers(random: SeededRandom, nodeCount: number): Member[] {
  const length = random.chance(0.1) ? random.int(100, 10_000) : random.int(0, nodeCount + 2);
  return Array.from({ length }, () => ({
    id: anyNumber(random, random.int(1, nodeCount)),
    incarnation: anyNumber(random, 0),
  }));
}

function hostileMessage(random: SeededRandom, nodeCount: number, view: number): PeerMessage {
  const proposal = anyNumber(random, view + 1);
  const cutLike = (kind: 'cut' | 'adopted'): PeerMessage => ({
    kind,
    proposal,
    view: anyNumber(random, view),
    members: random.chance(0.5)
      ? Array.from({ length: nodeCount }, (_, i) => i + 1)
      : anyArray(random, 2),
    through: anyArray(random, 3),
    holders: anyArray(random, 2),
    extras: anyArray(random, 2),
    remainder: CUT_REMAINDERS[random.int(0, CUT_REMAINDERS.length - 1)]!,
    safeThrough: anyNumber(random, 2),
    orderedThrough: anyNumber(random, 2),
    orderFixed: random.chance(0.5),
  });
  switch (random.int(0, 6)) {
    case 0:
      return { kind: 'prepare', proposal, members: anyMembers(random, nodeCount) };
    case 1:
      return {
        kind: 'report',
        proposal,
        view: anyNumber(random, view),
        members: anyArray(random, 2),
        through: anyArray(random, 3),
        extras: anyArray(random, 2),
        safeThrough: anyNumber(random, 2),
        adopted: anyNumber(random, view),
      };
    case 2:
      return cutLike('cut');
    case 3:
      return cutLike('adopted');
    case 4:
      return { kind: 'flushed', proposal };
    case 5:
      return { kind: 'install', proposal, members: anyMembers(random, nodeCount) };
    default:
      return {
        kind: 'heartbeat',
        incarnation: anyNumber(random, 0),
        view: anyNumber(random, view),
        promised: anyNumber(random, view),
        coordinator: anyNumber(random, nodeCount),
        // Mostly a valid list (naming any nodes, so the rule of LinkReports is at work), or not.
        unheard: random.chance(0.7)
          ? Array.from({ length: nodeCount }, (_, i) => i + 1).filter(() => random.chance(0.4))
          : anyArray(random, 2),
        leftOut: random.chance(0.7)
          ? Array.from({ length: nodeCount }, (_, i) => i + 1).filter(() => random.chance(0.3))
          : anyArray(random, 2),
      };
  }
}

const MODES: OrderingMode[] = ['unordered', 'fifo', 'total'];
/** Well formed (a safe integer); the next proposal, VIEW + 1 = 2 ** 53, is one + 1 cannot pass. */
const VIEW = Number.MAX_SAFE_INTEGER;

describe('hostile membership messages', () => {
  test.each(MODES)('%s: never throw', (mode) => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const random = new SeededRandom(seed);
      const net = new ManualNet(mode, 4);
      net.runUntilTrue(() => net.inOneView([1, 2, 3, 4]), 10_000);
      let index = 0;
      try {
        for (let round = 0; round < 200; round++) {
          const node = random.int(1, 3);
          if (random.chance(0.3)) net.post(node, 1, payloadOf(index++, node));
          const view = net.engine(node).view().id;
          // Node 4 is the hostile one; it also speaks as the coordinator (node 1) at times.
          const from = random.chance(0.3) ? 1 : 4;
          const to = random.int(1, 3);
          const message = hostileMessage(random, 4, view);
          if (to !== from) net.inject(to, from, message);
          net.runUntil(net.nowMs + random.int(0, 30));
        }
      } catch (error) {
        failures.push(
          `seed ${seed}: ${(error as Error).stack?.split('\n').slice(0, 3).join(' | ')}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('one datagram must not wedge the cluster', () => {
  // A prepare whose proposal id is at the top of the safe integers: every later proposal is
  // max(...) + 1, which no longer grows past 2 ** 53.
  test.each(MODES)(
    '%s: a heartbeat with view Number.MAX_SAFE_INTEGER (a safe integer), sent to the coordinator',
    (mode) => {
      const net = new ManualNet(mode, 3);
      expect(net.runUntilTrue(() => net.inOneView([1, 2, 3]), 10_000)).toBe(true);
      // To the coordinator (node 1), as from member 3.
      net.inject(1, 3, {
        kind: 'heartbeat',
        incarnation: 0,
        view: VIEW,
        promised: VIEW,
        coordinator: 1,
        unheard: [],
        leftOut: [],
      });
      net.runUntil(net.nowMs + 10_000);
      // Afterwards, a crash must still lead to a new view of the survivors.
      net.crash(3);
      const ok = net.runUntilTrue(() => net.inOneView([1, 2]), net.nowMs + 30_000);
      const views = [1, 2].map((n) =>
        net
          .views(n)
          .map((v) => `${v.id}[${v.members.join(',')}]`)
          .join(' '),
      );
      expect(ok, `views: ${views.join(' | ')}`).toBe(true);
      expect(net.post(1, 1, payloadOf(1, 1)).ok).toBe(true);
    },
  );
});
