/**
 * Test support: fast-check arbitraries for what hostile clients and forged peers send, and the
 * fuzz case counts (the CI counts, times `FUZZ_RUNS_MULTIPLIER`).
 */

import fc from 'fast-check';
import { CUT_REMAINDERS, type PeerMessage } from '@chat/ordering';
import { PEER_ROOM_ID_MAX, PEER_VIEW_ID_MAX } from '@chat/protocol';
import {
  largeDatagramArbitrary,
  mutate,
  mutationArbitrary,
  type Mutation,
} from '@chat/test-support/fuzz';

/** 0 (a plain replay) to 3 edits. */
export const mutationsArbitrary: fc.Arbitrary<readonly Mutation[]> = fc.array(mutationArbitrary, {
  maxLength: 3,
});

function mutatedArbitrary(datagram: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(datagram, mutationsArbitrary)
    .map(([bytes, mutations]) => mutate(bytes, mutations));
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What clients and attackers type after a command word: signs, huge numbers, escapes, emoji. */
const trickyArgumentArbitrary = fc.oneof(
  fc.integer({ min: -3, max: 13 }).map(String),
  fc.string({ unit: fc.constantFrom(' ', '0', '1', '9', '-', '+', 'e', 'x', '.'), maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('\x1b', '[', '2J', '\x00', '\x7f', '\x85', '<', '>', '\u200b', '😀', 'a'),
    maxLength: 40,
  }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '99999999999999999999', 'x'.repeat(10_000), 'é'.repeat(500)),
);

/** Lines a client might send, well-formed or not: commands, posts, escapes. */
const clientLineArbitrary = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 10 }).map((room) => `/join ${room}`), weight: 4 },
  { arbitrary: fc.constantFrom('/part', '/quit', '/nick Mallory', '/nick 😀'), weight: 3 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('/join', '/nick', '/part', '/quit', '/', '/JOIN'),
        trickyArgumentArbitrary,
      )
      .map(([word, argument]) => `${word} ${argument}`),
    weight: 4,
  },
  { arbitrary: fc.string({ maxLength: 120 }), weight: 4 },
  {
    arbitrary: fc.constantFrom('\x1b[2J\x1b]0;pwned\x07', 'x'.repeat(1000), 'x'.repeat(1001)),
    weight: 1,
  },
);

/** Any datagram a client (or anyone else) might send. */
export const clientDatagramArbitrary: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: clientLineArbitrary.map(encode), weight: 10 },
  { arbitrary: mutatedArbitrary(clientLineArbitrary.map(encode)), weight: 6 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 3 },
  { arbitrary: largeDatagramArbitrary, weight: 1 },
);

/** Sequence numbers near where the servers are, and far from it. */
const seqArbitrary = fc.oneof(
  fc.integer({ min: 1, max: 40 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);

/** View ids near where the servers are (a few view changes in), and far from it. */
const viewArbitrary = fc.oneof(
  fc.integer({ min: 0, max: 6 }),
  fc.integer({ min: 0, max: PEER_VIEW_ID_MAX }),
);

/** Peer messages with valid encodings but made-up content, for `nodeCount` servers. */
export function peerMessageArbitrary(nodeCount: number): fc.Arbitrary<PeerMessage> {
  const node = fc.integer({ min: 1, max: nodeCount });
  const room = fc.oneof(
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: PEER_ROOM_ID_MAX }),
  );
  const count = fc.oneof(fc.nat(50), fc.nat());
  const post = fc.record({
    kind: fc.constant('post' as const),
    view: viewArbitrary,
    seq: seqArbitrary,
    room,
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.constant(encode('<forged> \x1b[2J')),
      fc.constant(new Uint8Array(4096).fill(0x41)),
    ),
  });
  const order = fc.record({
    kind: fc.constant('order' as const),
    view: viewArbitrary,
    seq: seqArbitrary,
    origin: node,
    originSeq: seqArbitrary,
    rooms: fc.array(room, { minLength: 1, maxLength: 4 }),
  });
  // Ascending distinct ids, as the rules want; the engine must cope with any such set.
  const memberIds = fc
    .uniqueArray(node, { minLength: 1, maxLength: nodeCount })
    .map((ids) => ids.sort((a, b) => a - b));
  // A heartbeat's unheard and left-out nodes: the same, but possibly none.
  const nodeList = fc
    .uniqueArray(node, { maxLength: nodeCount })
    .map((ids) => ids.sort((a, b) => a - b));
  const members = memberIds.chain((ids) =>
    fc
      .array(count, { minLength: ids.length, maxLength: ids.length })
      .map((incarnations) => ids.map((id, index) => ({ id, incarnation: incarnations[index]! }))),
  );
  const counts = (length: number) => fc.array(count, { minLength: length, maxLength: length });
  const cutOf = (kind: 'cut' | 'adopted') =>
    memberIds.chain((ids) =>
      fc.record({
        kind: fc.constant(kind),
        proposal: viewArbitrary.map((view) => Math.max(1, view)),
        view: viewArbitrary,
        members: fc.constant(ids),
        through: counts(ids.length),
        holders: fc.array(node, { minLength: ids.length, maxLength: ids.length }),
        extras: fc
          .array(fc.tuple(node, seqArbitrary, node), { maxLength: 4 })
          .map((triples) => triples.flat()),
        remainder: fc.constantFrom(...CUT_REMAINDERS),
        safeThrough: count,
        orderedThrough: count,
        orderFixed: fc.boolean(),
      }),
    );
  const proposal = viewArbitrary.map((view) => Math.max(1, view));
  return fc.oneof(
    post,
    order,
    fc
      .tuple(
        viewArbitrary,
        fc.array(fc.tuple(count, count), {
          minLength: nodeCount - 1,
          maxLength: nodeCount + 1,
        }),
        count,
        count,
      )
      .map(([view, pairs, stable, safe]): PeerMessage => ({
        kind: 'status',
        view,
        received: pairs.map(([received]) => received),
        delivered: pairs.map(([, delivered]) => delivered),
        stable,
        safe,
      })),
    fc
      .tuple(viewArbitrary, node, seqArbitrary, fc.nat(300))
      .map(([view, writer, first, span]): PeerMessage => ({
        kind: 'nak',
        view,
        writer,
        first,
        last: Math.min(Number.MAX_SAFE_INTEGER, first + span),
      })),
    fc.record({ kind: fc.constant('relay' as const), writer: node, entry: fc.oneof(post, order) }),
    fc.record({
      kind: fc.constant('heartbeat' as const),
      incarnation: count,
      view: viewArbitrary,
      promised: viewArbitrary,
      coordinator: node,
      unheard: nodeList,
      leftOut: nodeList,
    }),
    fc.record({ kind: fc.constant('prepare' as const), proposal, members }),
    fc.record({ kind: fc.constant('install' as const), proposal, members }),
    fc.record({ kind: fc.constant('flushed' as const), proposal }),
    memberIds.chain((ids) =>
      fc.record({
        kind: fc.constant('report' as const),
        proposal,
        view: viewArbitrary,
        members: fc.constant(ids),
        through: counts(ids.length),
        extras: fc
          .array(fc.tuple(node, seqArbitrary), { maxLength: 4 })
          .map((pairs) => pairs.flat()),
        safeThrough: count,
        adopted: viewArbitrary,
      }),
    ),
    cutOf('cut'),
    cutOf('adopted'),
  );
}
