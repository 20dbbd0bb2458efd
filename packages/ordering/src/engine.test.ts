import { describe, expect, test } from 'vitest';
import { OrderingEngine } from './engine.js';
import type {
  LogEntry,
  OrderEntry,
  PeerMessage,
  PostEntry,
  StatusMessage,
  ViewId,
} from './messages.js';
import { DEFAULT_TIMING, type EngineOptions, type Transmit } from './options.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

/** Channel messages only: membership traffic (heartbeats) is not what these tests look at. */
function drainTransmits(engine: OrderingEngine): Transmit[] {
  const out: Transmit[] = [];
  for (let t = engine.pollTransmit(); t !== undefined; t = engine.pollTransmit()) {
    if (t.message.kind !== 'heartbeat') out.push(t);
  }
  return out;
}

function drainDeliveries(engine: OrderingEngine): string[] {
  const out: string[] = [];
  for (let d = engine.pollDelivery(); d !== undefined; d = engine.pollDelivery())
    out.push(text(d.payload));
  return out;
}

/** The view every engine of these tests works in, once formed (see `engine`). */
let view: ViewId = 1;

const post = (seq: number, payload: string, room = 1): PostEntry => ({
  kind: 'post',
  view,
  seq,
  room,
  payload: bytes(payload),
});

const order = (seq: number, origin: number, originSeq: number, rooms = [1]): OrderEntry => ({
  kind: 'order',
  view,
  seq,
  origin,
  originSeq,
  rooms,
});

const status = (received: number[], delivered = received, stable = 0, safe = 0): StatusMessage => ({
  kind: 'status',
  view,
  received,
  delivered,
  stable,
  safe,
});

const nak = (first: number, last: number, writer = 1): PeerMessage => ({
  kind: 'nak',
  view,
  writer,
  first,
  last,
});

/**
 * Engine `self` of `nodeCount` (default: node 1 of 2, fifo) in a view of all nodes. The nodes are
 * built and their messages exchanged until the view forms, just before time 0; then only engine
 * `self` is kept, the test plays its peers by hand from time 0, and nothing is pending. Unless the
 * test sets them, heartbeats and suspicion are far off, so that only what the test does happens.
 */
function engine(options: Partial<EngineOptions> = {}): OrderingEngine {
  const all: EngineOptions = {
    mode: 'fifo',
    self: 1,
    nodeCount: 2,
    ...options,
    timing: { heartbeatIntervalMs: 1e9, suspectMs: 1e9, ...options.timing },
  };
  const nodes = Array.from(
    { length: all.nodeCount },
    (_, index) => new OrderingEngine({ ...all, self: index + 1 }),
  );
  for (let now = -500; now < 0; now += 5) {
    for (const node of nodes) node.tick(now);
    for (let moved = true; moved;) {
      moved = false;
      for (const node of nodes) {
        for (let t = node.pollTransmit(); t !== undefined; t = node.pollTransmit()) {
          moved = true;
          const targets =
            t.to === 'all' ? nodes.filter((other) => other !== node) : [nodes[t.to - 1]!];
          for (const target of targets) target.receive(now, node.self, t.message);
        }
      }
    }
  }
  const kept = nodes[all.self - 1]!;
  expect(kept.view().members).toHaveLength(all.nodeCount);
  view = kept.view().id;
  drainTransmits(kept);
  drainDeliveries(kept);
  return kept;
}

describe('local posts', () => {
  test.each(['unordered', 'fifo', 'total'] as const)(
    'a lone %s node delivers its own post at once and needs no timer',
    (mode) => {
      const node = engine({ mode, nodeCount: 1 });
      expect(node.post(0, 3, bytes('hi'))).toEqual({ ok: true, seq: 1 });
      expect(drainDeliveries(node)).toEqual(['hi']);
      expect(drainTransmits(node)).toEqual([]);
      expect(node.pollTimeout()).toBeUndefined();
    },
  );

  test.each(['unordered', 'fifo', 'total'] as const)(
    'a lone %s node goes on delivering past a post window of its own posts',
    (mode) => {
      const postWindowEntriesMax = 4;
      const node = engine({ mode, nodeCount: 1, limits: { postWindowEntriesMax } });
      const posted = Array.from({ length: postWindowEntriesMax * 3 }, (_, i) => `${i}`);
      for (const line of posted) {
        expect(node.post(0, 1, bytes(line)).ok).toBe(true);
        expect(drainDeliveries(node)).toEqual([line]);
      }
    },
  );

  test('a post goes to all peers and stays in the log until every peer acknowledges it', () => {
    const node = engine();
    node.post(0, 1, bytes('a'));
    expect(drainTransmits(node)).toEqual([{ to: 'all', message: post(1, 'a') }]);
    expect(node.stats()).toMatchObject({ logDepth: 1, postWindowDepth: 1 });
    node.receive(5, 2, status([1, 0]));
    expect(node.stats()).toMatchObject({ logDepth: 0, postWindowDepth: 0 });
  });

  test('posts are refused while the window of posts in flight is full', () => {
    const node = engine({ limits: { postWindowEntriesMax: 2 } });
    expect(node.post(0, 1, bytes('1')).ok).toBe(true);
    expect(node.post(0, 1, bytes('2')).ok).toBe(true);
    expect(node.post(0, 1, bytes('3'))).toEqual({ ok: false, reason: 'window-full' });
    node.receive(1, 2, status([2, 0]));
    expect(node.post(1, 1, bytes('3')).ok).toBe(true);
  });

  test('bad rooms and oversized payloads are refused', () => {
    const node = engine({ limits: { payloadBytesMax: 4, roomIdMax: 10 } });
    expect(node.post(0, 0, bytes('x'))).toEqual({ ok: false, reason: 'bad-room' });
    expect(node.post(0, 11, bytes('x'))).toEqual({ ok: false, reason: 'bad-room' });
    expect(node.post(0, 1.5, bytes('x'))).toEqual({ ok: false, reason: 'bad-room' });
    expect(node.post(0, 1, bytes('12345'))).toEqual({ ok: false, reason: 'payload-too-large' });
    expect(node.stats().postsRefused).toBe(4);
  });

  test('an idle node with peers sends a status (and a heartbeat) every heartbeat', () => {
    const node = engine({ timing: { heartbeatIntervalMs: 100 } });
    node.tick(1_000);
    expect(drainTransmits(node)).toContainEqual({ to: 'all', message: status([0, 0]) });
    expect(node.pollTimeout()).toBeLessThanOrEqual(1_100);
  });
});

describe('limits that cannot work together are refused at construction', () => {
  test.each<[string, Partial<EngineOptions>, RegExp]>([
    [
      'a receive window smaller than a post window',
      { limits: { postWindowEntriesMax: 8, receiveWindowEntriesMax: 4 } },
      /receiveWindowEntriesMax \(4\) must be at least .* 8 = postWindowEntriesMax \(8\)/,
    ],
    [
      'in total order, a receive window smaller than the sequencer may have in flight',
      {
        mode: 'total',
        nodeCount: 3,
        limits: { postWindowEntriesMax: 8, receiveWindowEntriesMax: 31 },
      },
      /32 = postWindowEntriesMax \(8\) x \(nodeCount \(3\) \+ 1\) in total order/,
    ],
    ['an empty post window', { limits: { postWindowEntriesMax: 0 } }, /postWindowEntriesMax/],
    ['a fractional NAK size', { limits: { retransmitEntriesPerNakMax: 1.5 } }, /retransmitEntries/],
    ['a zero heartbeat', { timing: { heartbeatIntervalMs: 0 } }, /heartbeatIntervalMs/],
    ['a timer too short to move a clock', { timing: { nakDelayMs: 1e-4 } }, /nakDelayMs/],
    ['a negative gap between statuses', { timing: { ackDelayMs: -1 } }, /ackDelayMs/],
    ['a post window beyond 65,536', { limits: { postWindowEntriesMax: 65_537 } }, /postWindow/],
    [
      'a receive window beyond 2^23',
      { limits: { receiveWindowEntriesMax: 2 ** 23 + 1 } },
      /receiveWindowEntriesMax/,
    ],
    [
      'a retry ceiling under the retry interval',
      { timing: { retryIntervalMsMax: 10 } },
      /retryIntervalMsMax/,
    ],
  ])('%s', (_, options, message) => {
    expect(() => engine(options)).toThrow(RangeError);
    expect(() => engine(options)).toThrow(message);
  });

  test('left out, the receive window grows to cover 64 nodes in total order', () => {
    const node = engine({ mode: 'total', nodeCount: 64 });
    expect(node.limits.receiveWindowEntriesMax).toBe(1024 * 65);
  });
});

describe('receiving', () => {
  test('fifo holds back an early entry until the gap fills; unordered delivers it at once', () => {
    const fifo = engine({ self: 2 });
    const unordered = engine({ self: 2, mode: 'unordered' });
    for (const node of [fifo, unordered]) node.receive(0, 1, post(2, 'second'));
    expect(drainDeliveries(fifo)).toEqual([]);
    expect(drainDeliveries(unordered)).toEqual(['second']);
    for (const node of [fifo, unordered]) node.receive(1, 1, post(1, 'first'));
    expect(drainDeliveries(fifo)).toEqual(['first', 'second']);
    expect(drainDeliveries(unordered)).toEqual(['first']);
  });

  test('a duplicate is dropped, counted, and acknowledged again', () => {
    const node = engine({ self: 2 });
    node.receive(0, 1, post(1, 'a'));
    node.tick(node.timing.ackDelayMs);
    expect(drainTransmits(node)).toEqual([{ to: 'all', message: status([1, 0]) }]);
    node.receive(50, 1, post(1, 'a'));
    expect(drainDeliveries(node)).toEqual(['a']);
    expect(node.stats().duplicatesDropped).toBe(1);
    expect(node.pollTimeout()).toBe(50); // at once in a small view: no status for 49 ms
  });

  test('outside total order an acknowledgement waits ackBatchMsMax for others to join it', () => {
    const node = engine({ self: 2, nodeCount: 4, timing: { ackBatchMsMax: 5 } });
    node.receive(100, 1, post(1, 'a'));
    node.receive(103, 1, post(2, 'b'));
    expect(node.pollTimeout()).toBe(105);
    node.tick(104);
    expect(drainTransmits(node)).toEqual([]);
    node.tick(105);
    expect(drainTransmits(node)).toEqual([{ to: 1, message: status([2, 0, 0, 0]) }]);
  });

  test('an owed acknowledgement goes at once with an entry this node writes', () => {
    const node = engine({ self: 2, nodeCount: 4, timing: { ackBatchMsMax: 5 } });
    node.receive(100, 1, post(1, 'a'));
    node.post(101, 1, bytes('mine'));
    expect(node.pollTimeout()).toBe(101);
    node.tick(101);
    expect(drainTransmits(node)).toEqual([
      { to: 'all', message: post(1, 'mine') },
      { to: 'all', message: status([1, 1, 0, 0]) },
    ]);
    node.tick(200);
    expect(drainTransmits(node)).toEqual([]); // nothing is owed any more
  });

  test('in a view of more than 3, an acknowledgement goes to the writers whose entries arrived', () => {
    const node = engine({ self: 2, nodeCount: 4, timing: { ackBatchMsMax: 5 } });
    node.receive(100, 1, post(1, 'a'));
    node.receive(100, 4, post(1, 'b'));
    node.tick(105);
    const message = status([1, 0, 0, 1]);
    expect(drainTransmits(node)).toEqual([
      { to: 1, message },
      { to: 4, message },
    ]);
  });

  test('a gap is NAKed only after it persists for nakDelayMs, then with backoff', () => {
    const node = engine({ self: 2, timing: { heartbeatIntervalMs: 10_000 } });
    node.receive(0, 1, post(3, 'c'));
    node.tick(node.timing.ackBatchMsMax);
    drainTransmits(node);
    expect(node.pollTimeout()).toBe(node.timing.nakDelayMs);
    node.tick(node.timing.nakDelayMs);
    expect(drainTransmits(node)).toEqual([{ to: 1, message: nak(1, 2) }]);
    const retryAt = node.pollTimeout()!;
    expect(retryAt).toBe(node.timing.nakDelayMs + node.timing.retryIntervalMs);
    node.receive(retryAt - 1, 1, post(1, 'a'));
    node.receive(retryAt - 1, 1, post(2, 'b'));
    expect(drainDeliveries(node)).toEqual(['a', 'b', 'c']);
  });

  test('a status revealing a lost tail leads to a NAK', () => {
    const node = engine({ self: 2 });
    node.receive(0, 1, status([4, 0]));
    node.tick(node.timing.nakDelayMs);
    expect(drainTransmits(node)).toContainEqual({
      to: 1,
      message: nak(1, 4),
    });
  });

  test('an entry beyond the receive window is dropped, but the gap before it is NAKed', () => {
    const node = engine({
      self: 2,
      limits: { postWindowEntriesMax: 4, receiveWindowEntriesMax: 4 },
    });
    node.receive(0, 1, post(8, 'h'));
    expect(node.stats().outOfWindowDropped).toBe(1);
    node.tick(node.timing.nakDelayMs);
    expect(drainTransmits(node)).toContainEqual({
      to: 1,
      message: nak(1, 4),
    });
  });

  test('a NAK is answered with the entries still in the log', () => {
    const node = engine();
    node.post(0, 1, bytes('a'));
    node.post(0, 1, bytes('b'));
    drainTransmits(node);
    node.receive(1, 2, nak(2, 9, 1));
    expect(drainTransmits(node)).toEqual([{ to: 2, message: post(2, 'b') }]);
    expect(node.stats().retransmissions).toBe(1);
  });

  test.each<[string, number, PeerMessage]>([
    ['from itself', 1, post(1, 'x')],
    ['from an unknown node', 3, post(1, 'x')],
    ['with a status of the wrong length', 2, status([1])],
    ['with a status whose vectors differ in length', 2, status([1, 0], [1])],
  ])('a message %s is dropped and counted', (_, from, message) => {
    const node = engine();
    node.receive(0, from, message);
    expect(node.stats().invalidDropped).toBe(1);
    expect(drainDeliveries(node)).toEqual([]);
  });

  test.each<[string, LogEntry]>([
    ['a post for a room out of range', post(1, 'x', 5000)],
    ['an order entry outside total order', order(1, 2, 1)],
  ])('%s takes its place in the log (no hole), is counted and skipped', (_, entry) => {
    const node = engine({ self: 2 });
    node.receive(0, 1, entry);
    node.receive(0, 1, post(2, 'next'));
    expect(node.stats().invalidDropped).toBe(1);
    expect(drainDeliveries(node)).toEqual(['next']);
    node.tick(node.timing.ackBatchMsMax);
    expect(drainTransmits(node)).toEqual([{ to: 'all', message: status([2, 0]) }]);
  });
});

describe('total order', () => {
  const total = (
    self: number,
    nodeCount = 3,
    limits: EngineOptions['limits'] = {},
  ): OrderingEngine => engine({ mode: 'total', self, nodeCount, limits });

  test('the sequencer (node 1) orders its own posts at once, and others once a majority of the nodes holds them', () => {
    const sequencer = total(1, 5);
    // Its order entry follows the post in its log: whoever holds the entry holds the post.
    sequencer.post(0, 1, bytes('mine'));
    expect(drainTransmits(sequencer).map((t) => t.message)).toEqual([
      post(1, 'mine'),
      order(2, 1, 1),
    ]);
    // Node 2's post: node 2 and the sequencer hold it, 2 of 5; then node 3 too.
    sequencer.receive(1, 2, post(1, 'yours'));
    expect(drainTransmits(sequencer)).toEqual([]);
    sequencer.receive(2, 3, status([0, 1, 0, 0, 0]));
    expect(drainTransmits(sequencer).map((t) => t.message)).toContainEqual(order(3, 2, 1));
    // Delivered once a majority of the nodes holds the order entries: here nodes 2 and 3 too.
    sequencer.receive(3, 2, status([3, 1, 0, 0, 0]));
    expect(drainDeliveries(sequencer)).toEqual([]);
    sequencer.receive(3, 3, status([3, 1, 0, 0, 0]));
    expect(drainDeliveries(sequencer)).toEqual(['mine', 'yours']);
  });

  test('the sequencer names its own posts of one batch of inputs in one order entry', () => {
    const sequencer = total(1);
    sequencer.post(0, 1, bytes('a'));
    sequencer.post(0, 2, bytes('b'));
    expect(drainTransmits(sequencer).map((t) => t.message)).toEqual([
      post(1, 'a', 1),
      post(2, 'b', 2),
      order(3, 1, 1, [1, 2]),
    ]);
  });

  test("a node delivers in the order entries' order, once post and order entry have arrived", () => {
    const node = total(3);
    node.receive(0, 1, order(1, 2, 1)); // before the post it names
    node.receive(0, 2, post(1, 'B'));
    expect(drainDeliveries(node)).toEqual(['B']);
    node.receive(1, 1, post(2, 'A'));
    expect(drainDeliveries(node)).toEqual([]); // not ordered yet
    node.receive(1, 1, order(3, 1, 2));
    expect(drainDeliveries(node)).toEqual(['A']);
  });

  test("the sequencer names a run of an origin's posts a majority holds in one order entry", () => {
    const sequencer = total(1);
    sequencer.receive(0, 2, post(1, 'a', 1));
    sequencer.receive(0, 2, post(2, 'b', 2));
    sequencer.receive(0, 2, post(3, 'c', 1));
    expect(drainTransmits(sequencer).map((t) => t.message)).toEqual([order(1, 2, 1, [1, 2, 1])]);
  });

  test('an order entry naming a run delivers each post in its room, in its order', () => {
    const node = total(3);
    node.receive(0, 2, post(1, 'a', 1));
    node.receive(0, 2, post(2, 'b', 2));
    node.receive(0, 1, order(1, 2, 1, [1, 2, 1])); // node 2's post 3 is not here yet
    expect(drainDeliveries(node)).toEqual(['a', 'b']);
    node.receive(0, 2, post(3, 'c', 1));
    expect(drainDeliveries(node)).toEqual(['c']);
    expect(node.stats().totalOrderPending).toBe(0);
  });

  test('an order entry passes over its posts in rooms out of range here and delivers the others', () => {
    const node = total(3);
    node.receive(0, 2, post(1, 'a', 1));
    node.receive(0, 2, post(2, 'elsewhere', 5000)); // taken as something else, and counted
    node.receive(0, 2, post(3, 'b', 2));
    node.receive(0, 1, order(1, 2, 1, [1, 5000, 2]));
    expect(drainDeliveries(node)).toEqual(['a', 'b']);
    expect(node.stats().invalidDropped).toBe(1);
    expect(node.stats().totalOrderPending).toBe(0);
  });

  test('an order entry naming posts further ahead than an honest sequencer can is counted and skipped', () => {
    // Node 2 has written at most a post window (4) past what this node has delivered of it: none.
    const node = total(3, 3, { postWindowEntriesMax: 4 });
    node.receive(0, 1, order(1, 2, 5, [1]));
    expect(node.stats().invalidDropped).toBe(1);
    node.receive(0, 1, order(2, 2, 4, [1]));
    expect(node.stats().invalidDropped).toBe(1);
    expect(node.stats().totalOrderPending).toBe(1); // room 1 waits for node 2's post 4
  });

  test("the sequencer's own post is delivered however far its log has run past one still waiting", () => {
    const member = total(3, 3, { postWindowEntriesMax: 4 });
    member.receive(0, 1, post(1, 'waits', 1)); // the sequencer's post 1, not ordered yet
    // Its log runs on: order entries for node 2's posts, far more than a post window of them,
    // each delivered as it comes (as a server polls after each input).
    const delivered: string[] = [];
    for (let seq = 1; seq <= 30; seq++) {
      member.receive(0, 2, post(seq, `b${seq}`, 2));
      member.receive(0, 1, order(seq + 1, 2, seq, [2]));
      delivered.push(...drainDeliveries(member));
    }
    member.receive(0, 1, post(32, 'later', 3));
    member.receive(0, 1, order(33, 1, 32, [3]));
    delivered.push(...drainDeliveries(member));
    expect(delivered).toHaveLength(31);
    expect(delivered.at(-1)).toBe('later');
    expect(member.stats().invalidDropped).toBe(0);
  });

  test('rooms wait only for their own posts', () => {
    const node = total(3);
    node.receive(0, 1, order(1, 2, 1, [1])); // room 1 waits for node 2's post 1
    node.receive(0, 1, post(2, 'in room 2', 2));
    node.receive(0, 1, order(3, 1, 2, [2]));
    expect(drainDeliveries(node)).toEqual(['in room 2']);
    expect(node.stats().totalOrderPending).toBe(1);
  });

  test("order entries from another node, or out of an origin's order, are counted and skipped", () => {
    const node = total(3);
    node.receive(0, 2, order(1, 2, 5)); // node 2 is not the sequencer
    node.receive(0, 1, order(1, 2, 2));
    node.receive(0, 1, order(2, 2, 1)); // before 2: out of order
    expect(node.stats().invalidDropped).toBe(2);
    node.receive(0, 2, post(2, 'second'));
    node.receive(0, 2, post(3, 'third'));
    node.receive(0, 1, order(3, 2, 3));
    expect(drainDeliveries(node)).toEqual(['second', 'third']);
  });

  test("a member of the sequencer's quorum acknowledges to it at once, to the other writers within ackBatchMsMax", () => {
    const node = engine({ mode: 'total', self: 2, nodeCount: 4, timing: { ackDelayMs: 5 } });
    node.receive(100, 3, post(1, 'x'));
    expect(node.pollTimeout()).toBe(100);
    node.tick(100);
    const none = [0, 0, 0, 0]; // delivered: nothing is ordered
    expect(drainTransmits(node)).toEqual([{ to: 1, message: status([0, 0, 1, 0], none) }]);
    node.receive(101, 3, post(2, 'y'));
    expect(node.pollTimeout()).toBe(105); // ackDelayMs after the last status, and ackBatchMsMax
    node.tick(104);
    expect(drainTransmits(node)).toEqual([]);
    node.tick(105);
    const message = status([0, 0, 2, 0], none);
    expect(drainTransmits(node)).toEqual([
      { to: 1, message },
      { to: 3, message },
    ]);
  });

  test("a member outside the sequencer's acknowledgement quorum acknowledges within ackBatchMsMax", () => {
    // 4 nodes: a majority is 3, the sequencer (1) and the next two members (2, 3).
    const node = engine({ mode: 'total', self: 4, nodeCount: 4 });
    node.receive(100, 1, order(1, 3, 1));
    expect(node.pollTimeout()).toBe(100 + DEFAULT_TIMING.ackBatchMsMax);
    node.tick(100 + DEFAULT_TIMING.ackBatchMsMax);
    expect(drainTransmits(node)).toEqual([{ to: 1, message: status([1, 0, 0, 0], [1, 0, 0, 0]) }]);
  });

  test('the sequencer tells every member at once how far a majority holds its order', () => {
    const sequencer = engine({ mode: 'total', nodeCount: 5 });
    sequencer.receive(0, 2, post(1, 'p'));
    for (const member of [3, 4]) sequencer.receive(0, member, status([0, 1, 0, 0, 0]));
    drainTransmits(sequencer); // its order entry, and its status
    for (const member of [2, 3]) sequencer.receive(1, member, status([1, 1, 0, 0, 0]));
    expect(drainDeliveries(sequencer)).toEqual(['p']);
    sequencer.tick(1);
    expect(drainTransmits(sequencer)).toEqual([
      { to: 'all', message: status([1, 1, 0, 0, 0], [1, 1, 0, 0, 0], 0, 1) },
    ]);
  });

  test("a member delivers on the sequencer's word that a majority holds the order entry", () => {
    const member = engine({ mode: 'total', self: 2, nodeCount: 5 });
    member.receive(0, 3, post(1, 'p'));
    member.receive(0, 1, order(1, 3, 1));
    expect(drainDeliveries(member)).toEqual([]); // 2 of 5 known to hold it: this node, the sequencer
    // Node 4 does not hold the order entry, and its word on the sequencer's log does not count.
    member.receive(1, 4, status([0, 0, 1, 0, 0], [0, 0, 0, 0, 0], 0, 1));
    expect(drainDeliveries(member)).toEqual([]);
    member.receive(1, 1, status([1, 0, 1, 0, 0], [0, 0, 0, 0, 0], 0, 1));
    expect(drainDeliveries(member)).toEqual(['p']);
  });

  test('a post stays in flight until every node reports it delivered, not only received', () => {
    const node = total(2, 2);
    node.post(0, 1, bytes('mine'));
    node.receive(1, 1, status([0, 1], [0, 0])); // the sequencer holds it, has not delivered it
    expect(node.stats()).toMatchObject({ logDepth: 0, postWindowDepth: 1 });
    node.receive(2, 1, order(1, 2, 1));
    expect(drainDeliveries(node)).toEqual(['mine']);
    node.receive(3, 1, status([1, 1], [1, 1]));
    // Delivered everywhere, but the sequencer does not yet know every node holds its order entry.
    expect(node.stats().postWindowDepth).toBe(1);
    node.receive(4, 1, status([1, 1], [1, 1], 1));
    expect(node.stats().postWindowDepth).toBe(0);
  });
});

test('a peer acknowledging more than this node wrote (it restarted) is counted, not trusted', () => {
  const node = engine();
  node.post(0, 1, bytes('after restart'));
  node.receive(1, 2, status([500, 0]));
  expect(node.stats()).toMatchObject({ acknowledgementsBeyondLog: 1, logDepth: 1 });
});

describe("a faulty or hostile peer cannot grow an honest node's buffers", () => {
  test('a status claiming posts delivered but not held frees nothing', () => {
    const node = engine({ limits: { postWindowEntriesMax: 1 } });
    expect(node.post(0, 1, bytes('a')).ok).toBe(true);
    node.receive(1, 2, status([0, 0], [1, 0]));
    expect(node.post(2, 1, bytes('b'))).toEqual({ ok: false, reason: 'window-full' });
    expect(node.stats().logDepth).toBe(1);
  });

  test('a sequencer that never orders one of its posts gets at most a window of later ones kept', () => {
    const postWindowEntriesMax = 4;
    const member = engine({
      mode: 'total',
      self: 2,
      nodeCount: 3,
      limits: { postWindowEntriesMax },
    });
    // The sequencer's log: post 1, never ordered; then each later post and its order entry.
    member.receive(1, 1, post(1, 'never ordered'));
    for (let seq = 2; seq <= 200; seq += 2) {
      member.receive(seq, 1, post(seq, `p${seq}`));
      member.receive(seq, 1, order(seq + 1, 1, seq));
    }
    // The order entries are safe once a majority holds them: node 3 too.
    member.receive(300, 3, status([201, 0, 0]));
    const delivered = drainDeliveries(member);
    // Post 1 is kept, delivered or not, and a window's worth of posts after it (the rest are
    // dropped, with their order entries).
    expect(delivered.length).toBe(postWindowEntriesMax - 1);
    expect(member.stats().invalidDropped).toBeGreaterThan(0);
  });

  test("the sequencer orders at most a window of a peer's posts its peers have not acknowledged", () => {
    const sequencer = engine({ mode: 'total', limits: { postWindowEntriesMax: 4 } });
    // Node 2 floods posts and never acknowledges anything.
    for (let seq = 1; seq <= 1000; seq++) sequencer.receive(seq, 2, post(seq, `flood ${seq}`));
    expect(sequencer.stats().logDepth).toBeLessThanOrEqual(4 * 3);
    // A window of posts, and their order entries (not delivered: node 2 holds none of them).
    expect(sequencer.stats().totalOrderPending).toBeLessThanOrEqual(4 * 2);
    expect(sequencer.stats().invalidDropped).toBeGreaterThan(0);
  });
});
