/**
 * Test support (not exported by the package): fast-check arbitraries for peer messages and frames,
 * biased towards the values where encodings change size or break: varint byte boundaries, the
 * largest safe integer, empty and maximal payloads, runs of zero and non-zero bytes around COBS's
 * 254-byte blocks.
 */

import {
  CUT_REMAINDERS,
  ORDER_RUN_POSTS_MAX,
  type ChannelMessage,
  type CutMessage,
  type FlushedMessage,
  type HeartbeatMessage,
  type InstallMessage,
  type LogEntry,
  type Member,
  type MembershipMessage,
  type NakMessage,
  type OrderEntry,
  type PeerMessage,
  type PostEntry,
  type PrepareMessage,
  type RelayMessage,
  type ReportMessage,
  type StatusMessage,
} from '@chat/ordering';
import fc from 'fast-check';
import { SERVER_COUNT_MAX } from '../cluster-config.js';
import {
  PEER_PAYLOAD_BYTES_MAX,
  PEER_ROOM_ID_MAX,
  PEER_VIEW_ID_MAX,
} from '../peer-message-rules.js';
import type { PeerFrame } from '../wire-format.js';

const varintBoundaries = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((bytes) => [
  2 ** (7 * bytes) - 1,
  2 ** (7 * bytes),
]);

/** 1..2^53 - 1. */
export const positiveIntegerArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...varintBoundaries.filter((value) => value <= Number.MAX_SAFE_INTEGER)),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 1, max: 300 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);

/** 0..2^53 - 1. */
export const countArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.constant(0),
  positiveIntegerArbitrary,
);

export const nodeIdArbitrary: fc.Arbitrary<number> = fc.integer({ min: 1, max: SERVER_COUNT_MAX });

export const payloadArbitrary: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 600, min: 0, max: 1 }),
  fc.uint8Array({ minLength: 250, maxLength: 520, min: 1, max: 255 }),
  fc.uint8Array({ maxLength: PEER_PAYLOAD_BYTES_MAX }),
  fc.uint8Array({ minLength: PEER_PAYLOAD_BYTES_MAX, maxLength: PEER_PAYLOAD_BYTES_MAX }),
);

/** 0..PEER_VIEW_ID_MAX, biased to small ids and the bound. */
export const viewIdArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.constant(PEER_VIEW_ID_MAX),
  fc.integer({ min: 0, max: PEER_VIEW_ID_MAX }),
);

const proposalArbitrary: fc.Arbitrary<number> = viewIdArbitrary.map((view) => Math.max(1, view));

const roomArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 300 }),
  fc.constantFrom(127, 128, PEER_ROOM_ID_MAX),
);

/** A view's members: 1..SERVER_COUNT_MAX distinct node ids, ascending. */
export const memberIdsArbitrary: fc.Arbitrary<number[]> = fc
  .uniqueArray(nodeIdArbitrary, { minLength: 1, maxLength: SERVER_COUNT_MAX })
  .map((ids) => ids.sort((a, b) => a - b));

/**
 * A heartbeat's list of nodes (those its sender does not hear, or those it leaves out of views):
 * 0..SERVER_COUNT_MAX distinct node ids, ascending.
 */
const nodeListArbitrary: fc.Arbitrary<number[]> = fc
  .oneof(
    fc.constant<number[]>([]),
    fc.uniqueArray(nodeIdArbitrary, { maxLength: 3 }),
    fc.uniqueArray(nodeIdArbitrary, { maxLength: SERVER_COUNT_MAX }),
  )
  .map((ids) => ids.sort((a, b) => a - b));

/** The entries of a node's log, in a view. */
export function logEntryArbitrary(
  payloads: fc.Arbitrary<Uint8Array> = payloadArbitrary,
): fc.Arbitrary<LogEntry> {
  const post: fc.Arbitrary<PostEntry> = fc.record({
    kind: fc.constant('post'),
    view: viewIdArbitrary,
    seq: positiveIntegerArbitrary,
    room: roomArbitrary,
    payload: payloads,
  });
  const order: fc.Arbitrary<OrderEntry> = fc.record({
    kind: fc.constant('order'),
    view: viewIdArbitrary,
    seq: positiveIntegerArbitrary,
    origin: nodeIdArbitrary,
    originSeq: positiveIntegerArbitrary,
    rooms: fc.array(roomArbitrary, { minLength: 1, maxLength: ORDER_RUN_POSTS_MAX }),
  });
  return fc.oneof(post, order);
}

/** Every kind of message; posts' payloads come from `payloads` (the full range by default). */
export function peerMessageArbitrary(
  payloads: fc.Arbitrary<Uint8Array> = payloadArbitrary,
): fc.Arbitrary<PeerMessage> {
  return fc.oneof(channelMessageArbitrary(payloads), membershipMessageArbitrary());
}

/** The reliable channel's messages: log entries, statuses, NAKs and relays. */
export function channelMessageArbitrary(
  payloads: fc.Arbitrary<Uint8Array> = payloadArbitrary,
): fc.Arbitrary<ChannelMessage> {
  const status: fc.Arbitrary<StatusMessage> = fc
    .tuple(
      viewIdArbitrary,
      fc.array(fc.tuple(countArbitrary, countArbitrary), { maxLength: SERVER_COUNT_MAX }),
      countArbitrary,
      countArbitrary,
    )
    .map(([view, pairs, stable, safe]) => ({
      kind: 'status',
      view,
      received: pairs.map(([received]) => received),
      delivered: pairs.map(([, delivered]) => delivered),
      stable,
      safe,
    }));
  const nak: fc.Arbitrary<NakMessage> = fc
    .tuple(viewIdArbitrary, nodeIdArbitrary, positiveIntegerArbitrary, positiveIntegerArbitrary)
    .map(([view, writer, a, b]) => ({
      kind: 'nak',
      view,
      writer,
      first: Math.min(a, b),
      last: Math.max(a, b),
    }));
  const relay: fc.Arbitrary<RelayMessage> = fc.record({
    kind: fc.constant('relay'),
    writer: nodeIdArbitrary,
    entry: logEntryArbitrary(payloads),
  });
  return fc.oneof(logEntryArbitrary(payloads), status, nak, relay);
}

/** The membership's messages: heartbeats and the steps of a view change. */
export function membershipMessageArbitrary(): fc.Arbitrary<MembershipMessage> {
  const heartbeat: fc.Arbitrary<HeartbeatMessage> = fc.record({
    kind: fc.constant('heartbeat'),
    incarnation: countArbitrary,
    view: viewIdArbitrary,
    promised: viewIdArbitrary,
    coordinator: nodeIdArbitrary,
    unheard: nodeListArbitrary,
    leftOut: nodeListArbitrary,
  });
  const members: fc.Arbitrary<Member[]> = memberIdsArbitrary.chain((ids) =>
    fc
      .array(countArbitrary, { minLength: ids.length, maxLength: ids.length })
      .map((incarnations) => ids.map((id, index) => ({ id, incarnation: incarnations[index]! }))),
  );
  const prepare: fc.Arbitrary<PrepareMessage> = fc.record({
    kind: fc.constant('prepare'),
    proposal: proposalArbitrary,
    members,
  });
  const install: fc.Arbitrary<InstallMessage> = fc.record({
    kind: fc.constant('install'),
    proposal: proposalArbitrary,
    members,
  });
  const report: fc.Arbitrary<ReportMessage> = memberIdsArbitrary.chain((ids) =>
    fc.record({
      kind: fc.constant('report'),
      proposal: proposalArbitrary,
      view: viewIdArbitrary,
      members: fc.constant(ids),
      through: countsOf(ids.length),
      extras: fc
        .array(fc.tuple(nodeIdArbitrary, positiveIntegerArbitrary), { maxLength: 20 })
        .map((pairs) => pairs.flat()),
      safeThrough: countArbitrary,
      adopted: viewIdArbitrary,
    }),
  );
  const cut: fc.Arbitrary<CutMessage> = memberIdsArbitrary.chain((ids) =>
    fc.record({
      kind: fc.constantFrom('cut', 'adopted'),
      proposal: proposalArbitrary,
      view: viewIdArbitrary,
      members: fc.constant(ids),
      through: countsOf(ids.length),
      holders: fc.array(nodeIdArbitrary, { minLength: ids.length, maxLength: ids.length }),
      extras: fc
        .array(fc.tuple(nodeIdArbitrary, positiveIntegerArbitrary, nodeIdArbitrary), {
          maxLength: 20,
        })
        .map((triples) => triples.flat()),
      remainder: fc.constantFrom(...CUT_REMAINDERS),
      safeThrough: countArbitrary,
      orderedThrough: countArbitrary,
      orderFixed: fc.boolean(),
    }),
  );
  const flushed: fc.Arbitrary<FlushedMessage> = fc.record({
    kind: fc.constant('flushed'),
    proposal: proposalArbitrary,
  });
  return fc.oneof(heartbeat, prepare, install, report, cut, flushed);
}

function countsOf(length: number): fc.Arbitrary<number[]> {
  return fc.array(countArbitrary, { minLength: length, maxLength: length });
}

export function peerFrameArbitrary(
  messagesMax: number,
  payloads: fc.Arbitrary<Uint8Array> = payloadArbitrary,
): fc.Arbitrary<PeerFrame> {
  return fc.record({
    from: nodeIdArbitrary,
    messages: fc.array(peerMessageArbitrary(payloads), { maxLength: messagesMax }),
  });
}
