/**
 * Test support (not exported by the package): fast-check arbitraries for peer messages and frames,
 * biased towards the values where encodings change size or break: varint byte boundaries, the
 * largest safe integer, empty and maximal payloads, runs of zero and non-zero bytes around COBS's
 * 254-byte blocks.
 */

import type { NakMessage, PeerMessage, PostEntry, OrderEntry, StatusMessage } from '@chat/ordering';
import fc from 'fast-check';
import { SERVER_COUNT_MAX } from '../cluster-config.js';
import { PEER_PAYLOAD_BYTES_MAX } from '../peer-message-rules.js';
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

/** Posts' payloads come from `payloads`: the full range by default, something smaller for speed. */
export function peerMessageArbitrary(
  payloads: fc.Arbitrary<Uint8Array> = payloadArbitrary,
): fc.Arbitrary<PeerMessage> {
  const post: fc.Arbitrary<PostEntry> = fc.record({
    kind: fc.constant('post'),
    seq: positiveIntegerArbitrary,
    room: positiveIntegerArbitrary,
    payload: payloads,
  });
  const order: fc.Arbitrary<OrderEntry> = fc.record({
    kind: fc.constant('order'),
    seq: positiveIntegerArbitrary,
    room: positiveIntegerArbitrary,
    origin: nodeIdArbitrary,
    originSeq: positiveIntegerArbitrary,
  });
  const status: fc.Arbitrary<StatusMessage> = fc
    .tuple(
      fc.array(fc.tuple(countArbitrary, countArbitrary), { maxLength: SERVER_COUNT_MAX }),
      countArbitrary,
    )
    .map(([pairs, stable]) => ({
      kind: 'status',
      received: pairs.map(([received]) => received),
      delivered: pairs.map(([, delivered]) => delivered),
      stable,
    }));
  const nak: fc.Arbitrary<NakMessage> = fc
    .tuple(positiveIntegerArbitrary, positiveIntegerArbitrary)
    .map(([a, b]) => ({ kind: 'nak', first: Math.min(a, b), last: Math.max(a, b) }));
  return fc.oneof(post, order, status, nak);
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
