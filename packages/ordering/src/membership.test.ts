import { describe, expect, test } from 'vitest';
import { DEFAULT_LIMITS, DEFAULT_TIMING, ORDERING_MODES, type OrderingMode } from './options.js';
import { checkDeliveries, checkViews } from './testing/invariants.js';
import { Simulator } from './testing/simulator.js';

/** Payloads tell posts apart (the checkers match deliveries to posts by them): keep them unique. */
let posted = 0;
const payload = (): Uint8Array => {
  posted += 1;
  return Uint8Array.of(posted & 0xff, (posted >> 8) & 0xff, (posted >> 16) & 0xff, 0xee);
};

/** `nodeCount` nodes on a network that only delays, once they have formed their first view. */
function cluster(mode: OrderingMode, nodeCount: number, seed = 7): Simulator {
  const sim = new Simulator({ seed, nodeCount, mode, network: { delayMsMax: 5 } });
  expect(sim.runUntilSettled(10_000)).toBeDefined();
  expect(sim.engine(1).view().members).toHaveLength(nodeCount);
  return sim;
}

function views(sim: Simulator, node: number): string[] {
  return sim.views(node).map((view) => `${view.id}[${view.members.join(',')}]`);
}

function expectGuaranteesHeld(sim: Simulator): void {
  const deliveries = sim.deliveriesByNode();
  expect(checkDeliveries(sim.mode, sim.posts, deliveries)).toEqual([]);
  expect(
    checkViews(sim.mode, sim.posts, sim.viewsByNode(), deliveries, { nodeCount: sim.nodeCount }),
  ).toEqual([]);
}

/** Whether every post made since `fromIndex` of `sim.posts` reached every node in `nodes`. */
function deliveredEverywhere(sim: Simulator, fromIndex: number, nodes: readonly number[]): boolean {
  return sim.posts
    .slice(fromIndex)
    .every((post) =>
      nodes.every((node) =>
        sim.deliveries(node).some((delivery) => delivery.payload.join() === post.payload.join()),
      ),
    );
}

describe.each(ORDERING_MODES)('%s', (mode) => {
  test('a crashed node is left out within the suspicion timeout, and holds nothing back', () => {
    const sim = cluster(mode, 3);
    sim.crash(3);
    const crashedAt = sim.nowMs;
    // Past the post window: while node 3 was in the view, these would wait for it for ever.
    const postCount = DEFAULT_LIMITS.postWindowEntriesMax + 100;
    let refused = 0;
    for (let index = 0; index < postCount; index++) {
      sim.runUntil(sim.nowMs + 2);
      const result = sim.post((index % 2) + 1, 1, payload());
      if (!result.ok) refused += 1;
    }
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    const [installed] = sim.views(1).slice(-1);
    expect(installed!.members).toEqual([1, 2]);
    expect(installed!.timeMs - crashedAt).toBeLessThan(DEFAULT_TIMING.suspectMs + 500);
    expect(sim.engine(1).view().primary).toBe(true); // 2 of 3
    // Refused only while the view changed (about a second), never for good.
    expect(refused).toBeLessThan(postCount / 2);
    expect(deliveredEverywhere(sim, 0, [1, 2])).toBe(true);
    expectGuaranteesHeld(sim);
  });

  test('a node restarted with a fresh state is merged back, and its posts reach everyone', () => {
    const sim = cluster(mode, 3);
    sim.post(3, 1, payload());
    sim.runUntil(sim.nowMs + 50);
    sim.crash(3);
    sim.runUntil(sim.nowMs + 300); // shorter than the suspicion timeout: no view change yet
    sim.restart(3);
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    expect(sim.engine(3).view().members).toEqual([1, 2, 3]);
    expect(sim.engine(3).incarnation).toBe(1);
    const fresh = sim.posts.length;
    for (const node of [1, 2, 3]) expect(sim.post(node, 1, payload()).ok).toBe(true);
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    expect(deliveredEverywhere(sim, fresh, [1, 2, 3])).toBe(true);
    expectGuaranteesHeld(sim);
  });

  test('a node paused past the suspicion timeout notices it was left out, and rejoins', () => {
    const sim = cluster(mode, 3);
    const resumeMs = sim.nowMs + 3 * DEFAULT_TIMING.suspectMs;
    sim.pause(2, resumeMs);
    for (let index = 0; index < 20; index++) {
      sim.runUntil(sim.nowMs + 50);
      sim.post((index % 2) * 2 + 1, 1, payload()); // nodes 1 and 3
    }
    sim.runUntil(resumeMs - 1);
    expect(sim.engine(1).view().members).toEqual([1, 3]);
    expect(sim.runUntilSettled(resumeMs + 10_000)).toBeDefined();
    expect(sim.engine(2).view().members).toEqual([1, 2, 3]);
    const fresh = sim.posts.length;
    for (const node of [1, 2, 3]) expect(sim.post(node, 1, payload()).ok).toBe(true);
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    expect(deliveredEverywhere(sim, fresh, [1, 2, 3])).toBe(true);
    expectGuaranteesHeld(sim);
  });

  test('each side of a partition forms its own view; they merge when it heals', () => {
    const sim = cluster(mode, 5);
    sim.partition([
      [1, 2],
      [3, 4, 5],
    ]);
    sim.runUntil(sim.nowMs + 2 * DEFAULT_TIMING.suspectMs);
    expect(sim.engine(1).view()).toMatchObject({ members: [1, 2], primary: false });
    expect(sim.engine(5).view()).toMatchObject({ members: [3, 4, 5], primary: true });
    const minorityResult = sim.post(1, 1, payload());
    const majorityPostIndex = sim.posts.length;
    expect(sim.post(4, 1, payload()).ok).toBe(true);
    if (mode === 'total') {
      // Total order needs a majority of the configured nodes.
      expect(minorityResult).toEqual({ ok: false, reason: 'no-majority' });
    } else {
      // Unordered and FIFO go on on each side.
      expect(minorityResult.ok).toBe(true);
    }
    sim.runUntil(sim.nowMs + 500);
    const majorityPost = sim.posts[majorityPostIndex]!;
    const has = (node: number, post: typeof majorityPost): boolean =>
      sim.deliveries(node).some((delivery) => delivery.payload.join() === post.payload.join());
    expect(has(3, majorityPost) && has(5, majorityPost)).toBe(true);
    sim.heal();
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    expect(sim.engine(1).view().members).toEqual([1, 2, 3, 4, 5]);
    // A post belongs to the view it was posted in: the other side never delivers it.
    expect(has(1, majorityPost) || has(2, majorityPost)).toBe(false);
    if (minorityResult.ok) {
      const minorityPost = sim.posts[majorityPostIndex - 1]!;
      expect(has(2, minorityPost)).toBe(true);
      expect([3, 4, 5].some((node) => has(node, minorityPost))).toBe(false);
    }
    expectGuaranteesHeld(sim);
  });

  // Node 3 stops hearing node 1 while 1 and 2 still hear 3 (1 -> 3, one way); node 3 stops hearing
  // node 1 and 1 stops hearing 3 (both ways, 2 still hears both); node 1 stops hearing 2 (the lowest
  // node is the one that does not hear). Each time the higher-numbered node of the pair is left
  // out and works alone. Node 1 stops hearing both others: it is left out, not they. The others go
  // on past the post window, and all merge once healed.
  test.each([
    { cut: [[1, 3]], leftOut: 3 },
    {
      cut: [
        [1, 3],
        [3, 1],
      ],
      leftOut: 3,
    },
    { cut: [[2, 1]], leftOut: 2 },
    {
      cut: [
        [2, 1],
        [3, 1],
      ],
      leftOut: 1,
    },
  ])('links $cut fail for good: node $leftOut is left out, the rest go on', ({ cut, leftOut }) => {
    const sim = cluster(mode, 3);
    for (const [from, to] of cut) sim.setLink(from!, to!, { loss: 1 });
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    const rest = [1, 2, 3].filter((node) => node !== leftOut);
    expect(sim.engine(rest[0]!).view()).toMatchObject({ members: rest, primary: true });
    expect(sim.engine(leftOut).view()).toMatchObject({ members: [leftOut], primary: false });
    // Past the post window: with the node that cannot hear in the view, these would wait for ever.
    const fromIndex = sim.posts.length;
    const postCount = DEFAULT_LIMITS.postWindowEntriesMax + 100;
    for (let index = 0; index < postCount; index++) {
      sim.runUntil(sim.nowMs + 1);
      expect(sim.post(rest[index % 2]!, 1, payload()).ok).toBe(true);
    }
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    expect(deliveredEverywhere(sim, fromIndex, rest)).toBe(true);
    const alone = sim.post(leftOut, 1, payload());
    if (mode === 'total') expect(alone).toEqual({ ok: false, reason: 'no-majority' });
    else expect(alone.ok).toBe(true);
    for (const [from, to] of cut) sim.clearLink(from!, to!);
    expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
    expect(sim.engine(leftOut).view().members).toEqual([1, 2, 3]);
    const merged = sim.posts.length;
    expect(sim.post(leftOut, 1, payload()).ok).toBe(true);
    sim.runUntil(sim.nowMs + 500);
    expect(deliveredEverywhere(sim, merged, [1, 2, 3])).toBe(true);
    expectGuaranteesHeld(sim);
  });
});

test('a view change can be read from the engine: polled views, stats and the current view', () => {
  const sim = cluster('fifo', 3);
  const before = sim.engine(1).stats().viewChanges;
  sim.crash(2);
  expect(sim.runUntilSettled(sim.nowMs + 10_000)).toBeDefined();
  const engine = sim.engine(1);
  expect(engine.view()).toEqual({ id: expect.any(Number), members: [1, 3], primary: true });
  expect(engine.stats()).toMatchObject({
    viewChanges: before + 1,
    viewMembers: 2,
    viewPrimary: 1,
    viewId: engine.view().id,
  });
  expect(engine.isChangingView()).toBe(false);
  expect(views(sim, 1).slice(-1)).toEqual([`${engine.view().id}[1,3]`]);
});

test('stats count the members of the view a node does not hear, while it does not hear them', () => {
  const sim = cluster('total', 3);
  const unheard = (node: number): number => sim.engine(node).stats().viewUnheard;
  expect([1, 2, 3].map(unheard)).toEqual([0, 0, 0]);
  // Node 3 stops hearing node 1 alone: one link that fails one way.
  sim.setLink(1, 3, { loss: 1 });
  const cutMs = sim.nowMs;
  let seenAtNode3 = 0;
  for (let t = cutMs + 10; t <= cutMs + 3 * DEFAULT_TIMING.suspectMs; t += 10) {
    sim.runUntil(t);
    seenAtNode3 = Math.max(seenAtNode3, unheard(3));
    // Nodes 1 and 2 hear everyone.
    expect([unheard(1), unheard(2)], `at ${t - cutMs} ms into the cut`).toEqual([0, 0]);
  }
  expect(seenAtNode3).toBe(1);
  // Healed: node 1's next heartbeats reach node 3.
  sim.clearLink(1, 3);
  sim.runUntil(sim.nowMs + 3 * DEFAULT_TIMING.heartbeatIntervalMs);
  expect([1, 2, 3].map(unheard)).toEqual([0, 0, 0]);
});

test('a lone node waits for its peers a little, then forms a view of its own', () => {
  const sim = new Simulator({ seed: 3, nodeCount: 3, mode: 'fifo', network: { delayMsMax: 5 } });
  sim.crash(2);
  sim.crash(3);
  expect(sim.post(1, 1, payload())).toEqual({ ok: false, reason: 'view-change' });
  expect(sim.runUntilSettled(10_000)).toBeDefined();
  expect(sim.engine(1).view()).toMatchObject({ members: [1], primary: false });
  expect(sim.post(1, 1, payload()).ok).toBe(true);
});

test('a membership message naming a view id far beyond any heard of is dropped, not followed', () => {
  const sim = cluster('fifo', 3);
  const engine = sim.engine(1);
  const { id } = engine.view();
  const dropped = engine.stats().invalidDropped;
  const farAhead = id + 2 ** 21;
  engine.receive(sim.nowMs, 2, {
    kind: 'heartbeat',
    incarnation: 0,
    view: farAhead,
    promised: farAhead,
    coordinator: 1,
    unheard: [],
    leftOut: [],
  });
  expect(engine.stats().invalidDropped).toBe(dropped + 1);
  expect(engine.isChangingView()).toBe(false);
  expect(sim.runUntilSettled(sim.nowMs + 5_000)).toBeDefined();
  expect(engine.view().id).toBeLessThan(id + 100);
});
