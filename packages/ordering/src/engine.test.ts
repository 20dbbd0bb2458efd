import { describe, expect, test } from 'vitest';
import { OrderingEngine } from './engine.js';
import { PROPOSAL_PRIORITY_MAX } from './total-order-room.js';
import type { PeerMessage, PostEntry } from './messages.js';
import type { EngineOptions, Transmit } from './options.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

function drainTransmits(engine: OrderingEngine): Transmit[] {
  const out: Transmit[] = [];
  for (let t = engine.pollTransmit(); t !== undefined; t = engine.pollTransmit()) out.push(t);
  return out;
}

function drainDeliveries(engine: OrderingEngine): string[] {
  const out: string[] = [];
  for (let d = engine.pollDelivery(); d !== undefined; d = engine.pollDelivery())
    out.push(text(d.payload));
  return out;
}

const post = (seq: number, payload: string, room = 1): PostEntry => ({
  kind: 'post',
  seq,
  room,
  payload: bytes(payload),
});

function engine(options: Partial<EngineOptions> = {}): OrderingEngine {
  return new OrderingEngine({ mode: 'fifo', self: 1, nodeCount: 2, ...options });
}

describe('local posts', () => {
  test.each(['unordered', 'fifo', 'total'] as const)(
    'a lone %s node delivers its own post at once',
    (mode) => {
      const node = engine({ mode, nodeCount: 1 });
      expect(node.post(0, 3, bytes('hi'))).toEqual({ ok: true, seq: 1 });
      expect(drainDeliveries(node)).toEqual(['hi']);
      expect(drainTransmits(node)).toEqual([]);
      expect(node.pollTimeout()).toBeUndefined();
    },
  );

  test('a post goes to all peers and arms the retry timer until acknowledged', () => {
    const node = engine();
    node.post(0, 1, bytes('a'));
    expect(drainTransmits(node)).toEqual([{ to: 'all', message: post(1, 'a') }]);
    expect(node.pollTimeout()).toBe(node.timing.retryIntervalMs);
    node.receive(5, 2, { kind: 'status', received: [1, 0] });
    expect(node.stats().logDepth).toBe(0);
    expect(node.pollTimeout()).toBeUndefined(); // no busy timer when nothing is outstanding
  });

  test('posts are refused once the window of unacknowledged entries is full', () => {
    const node = engine({ limits: { postWindowEntriesMax: 2 } });
    expect(node.post(0, 1, bytes('1')).ok).toBe(true);
    expect(node.post(0, 1, bytes('2')).ok).toBe(true);
    expect(node.post(0, 1, bytes('3'))).toEqual({ ok: false, reason: 'window-full' });
    node.receive(1, 2, { kind: 'status', received: [2, 0] });
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
    node.tick(node.pollTimeout()!);
    expect(drainTransmits(node)).toEqual([
      { to: 'all', message: { kind: 'status', received: [1, 0] } },
    ]);
    node.receive(50, 1, post(1, 'a'));
    expect(drainDeliveries(node)).toEqual(['a']);
    expect(node.stats().duplicatesDropped).toBe(1);
    expect(node.pollTimeout()).toBe(50 + node.timing.ackDelayMs);
  });

  test('a gap is NAKed only after it persists for nakDelayMs, then with backoff', () => {
    const node = engine({ self: 2 });
    node.receive(0, 1, post(3, 'c'));
    node.tick(node.timing.ackDelayMs);
    drainTransmits(node);
    expect(node.pollTimeout()).toBe(node.timing.nakDelayMs);
    node.tick(node.timing.nakDelayMs);
    expect(drainTransmits(node)).toEqual([{ to: 1, message: { kind: 'nak', first: 1, last: 2 } }]);
    const retryAt = node.pollTimeout()!;
    expect(retryAt).toBe(node.timing.nakDelayMs + node.timing.retryIntervalMs);
    node.receive(retryAt - 1, 1, post(1, 'a'));
    node.receive(retryAt - 1, 1, post(2, 'b'));
    expect(drainDeliveries(node)).toEqual(['a', 'b', 'c']);
  });

  test('a status revealing a lost tail leads to a NAK', () => {
    const node = engine({ self: 2 });
    node.receive(0, 1, { kind: 'status', received: [4, 0] });
    node.tick(node.timing.nakDelayMs);
    expect(drainTransmits(node)).toContainEqual({
      to: 1,
      message: { kind: 'nak', first: 1, last: 4 },
    });
  });

  test('a NAK is answered with the entries still in the log', () => {
    const node = engine();
    node.post(0, 1, bytes('a'));
    node.post(0, 1, bytes('b'));
    drainTransmits(node);
    node.receive(1, 2, { kind: 'nak', first: 2, last: 9 });
    expect(drainTransmits(node)).toEqual([{ to: 2, message: post(2, 'b') }]);
    expect(node.stats().retransmissions).toBe(1);
  });

  test('a silent peer is sent the highest entry again, with backoff', () => {
    const node = engine();
    node.post(0, 1, bytes('a'));
    node.post(0, 1, bytes('b'));
    drainTransmits(node);
    const first = node.pollTimeout()!;
    node.tick(first);
    expect(drainTransmits(node)).toEqual([{ to: 2, message: post(2, 'b') }]);
    expect(node.pollTimeout()).toBe(first + 2 * node.timing.retryIntervalMs);
  });

  test.each<[string, number, PeerMessage]>([
    ['from itself', 1, post(1, 'x')],
    ['from an unknown node', 3, post(1, 'x')],
    ['for a room out of range', 2, post(1, 'x', 5000)],
    ['with a status of the wrong length', 2, { kind: 'status', received: [1] }],
    [
      'with a proposal outside total mode',
      2,
      { kind: 'proposal', seq: 1, room: 1, origin: 1, originSeq: 1, priority: 1 },
    ],
  ])('a message %s is dropped and counted', (_, from, message) => {
    const node = engine();
    node.receive(0, from, message);
    expect(node.stats().invalidDropped).toBe(1);
    expect(drainDeliveries(node)).toEqual([]);
  });
});

describe('total order', () => {
  test('a post is delivered only once every node has proposed, at the largest proposal', () => {
    const node = new OrderingEngine({ mode: 'total', self: 1, nodeCount: 3 });
    node.post(0, 1, bytes('mine'));
    const sent = drainTransmits(node).map((t) => t.message);
    expect(sent).toEqual([
      post(1, 'mine'),
      { kind: 'proposal', seq: 2, room: 1, origin: 1, originSeq: 1, priority: 1 },
    ]);
    node.receive(1, 2, { kind: 'proposal', seq: 1, room: 1, origin: 1, originSeq: 1, priority: 5 });
    expect(drainDeliveries(node)).toEqual([]);
    node.receive(2, 3, { kind: 'proposal', seq: 1, room: 1, origin: 1, originSeq: 1, priority: 2 });
    expect(drainDeliveries(node)).toEqual(['mine']);
    node.post(3, 1, bytes('next'));
    const proposal = drainTransmits(node).find((t) => t.message.kind === 'proposal')?.message;
    expect(proposal).toMatchObject({ priority: 6 }); // above the agreed 5
  });

  test('equal agreed priorities are ordered by the proposer id', () => {
    const node = new OrderingEngine({ mode: 'total', self: 1, nodeCount: 2 });
    node.post(0, 1, bytes('A')); // node 1 proposes 1 for A
    node.receive(1, 2, post(1, 'B')); // node 1 proposes 2 for B
    node.receive(1, 2, { kind: 'proposal', seq: 2, room: 1, origin: 2, originSeq: 1, priority: 1 });
    // B is agreed at (2, node 1), but A, still at node 1's proposal (1, node 1), heads the queue.
    expect(drainDeliveries(node)).toEqual([]);
    node.receive(2, 2, { kind: 'proposal', seq: 3, room: 1, origin: 1, originSeq: 1, priority: 2 });
    // A is agreed at (2, node 2): same number as B, larger proposer id, so B goes first.
    expect(drainDeliveries(node)).toEqual(['B', 'A']);
  });
});

test('a proposal above PROPOSAL_PRIORITY_MAX is dropped, so no priority can overflow', () => {
  const node = new OrderingEngine({ mode: 'total', self: 1, nodeCount: 2 });
  node.post(0, 1, bytes('A'));
  const hostile = { kind: 'proposal', seq: 1, room: 1, origin: 1, originSeq: 1 } as const;
  node.receive(1, 2, { ...hostile, priority: PROPOSAL_PRIORITY_MAX + 1 });
  expect(node.stats().invalidDropped).toBe(1);
  expect(drainDeliveries(node)).toEqual([]);
  node.receive(2, 2, { ...hostile, priority: PROPOSAL_PRIORITY_MAX });
  expect(drainDeliveries(node)).toEqual(['A']);
});

test('a proposal for a post already delivered leaves nothing pending', () => {
  const node = new OrderingEngine({ mode: 'total', self: 1, nodeCount: 2 });
  node.post(0, 1, bytes('A'));
  node.receive(1, 2, { kind: 'proposal', seq: 1, room: 1, origin: 1, originSeq: 1, priority: 1 });
  expect(drainDeliveries(node)).toEqual(['A']);
  node.receive(2, 2, { kind: 'proposal', seq: 2, room: 1, origin: 1, originSeq: 1, priority: 7 });
  expect(node.stats().totalOrderPending).toBe(0);
});

test('a peer acknowledging more than this node wrote (it restarted) is counted, not trusted', () => {
  const node = engine();
  node.post(0, 1, bytes('after restart'));
  node.receive(1, 2, { kind: 'status', received: [500, 0] });
  expect(node.stats()).toMatchObject({ acknowledgementsBeyondLog: 1, logDepth: 1 });
});

test('proposals do not count toward the post window, only own posts do', () => {
  const node = new OrderingEngine({
    mode: 'total',
    self: 1,
    nodeCount: 2,
    limits: { postWindowEntriesMax: 2 },
  });
  for (let seq = 1; seq <= 5; seq++) node.receive(0, 2, post(seq, `from 2 #${seq}`));
  expect(node.stats().logDepth).toBe(5); // five unacknowledged proposals
  expect(node.post(1, 1, bytes('mine')).ok).toBe(true);
  expect(node.post(1, 1, bytes('mine too')).ok).toBe(true);
  expect(node.post(1, 1, bytes('one too many'))).toEqual({ ok: false, reason: 'window-full' });
});
