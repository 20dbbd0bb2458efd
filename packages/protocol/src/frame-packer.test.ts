import type { PeerMessage } from '@chat/ordering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PEER_DATAGRAM_BYTES_TARGET, packFrames, postPayloadBytesMax } from './frame-packer.js';
import { peerMessageByteLength } from './peer-message-codec.js';
import { FRAME_MESSAGES_MAX, PEER_ROOM_ID_MAX, PEER_VIEW_ID_MAX } from './peer-message-rules.js';
import { nodeIdArbitrary, peerMessageArbitrary } from './testing/peer-message-arbitraries.js';
import { varintByteLength } from './varint.js';
import { decodeFrame, frameByteLengthMax, type PeerFrame } from './wire-format.js';

function decodeAll(datagrams: readonly Uint8Array[]): PeerFrame[] {
  return datagrams.map((datagram) => {
    const result = decodeFrame(datagram);
    if (!result.ok) throw new Error(`undecodable datagram: ${JSON.stringify(result.error)}`);
    return result.frame;
  });
}

const smallPost = (seq: number, payloadBytes = 40): PeerMessage => ({
  kind: 'post',
  view: 1,
  seq,
  room: 1,
  payload: new Uint8Array(payloadBytes).fill(0x61),
});

const limitArbitrary = fc.oneof(
  fc.constant(PEER_DATAGRAM_BYTES_TARGET),
  fc.integer({ min: 8, max: 5000 }),
  fc.constant(65_507),
);

describe('packFrames', () => {
  it('keeps every message, in order, each datagram within the limit unless alone', () => {
    fc.assert(
      fc.property(
        nodeIdArbitrary,
        fc.array(peerMessageArbitrary(), { maxLength: 60 }),
        limitArbitrary,
        (from, messages, limit) => {
          const datagrams = packFrames(from, messages, limit);
          const frames = decodeAll(datagrams);
          expect(frames.flatMap((frame) => frame.messages)).toEqual(messages);
          for (const [index, frame] of frames.entries()) {
            expect(frame.from).toBe(from);
            expect(frame.messages.length).toBeGreaterThan(0);
            if (frame.messages.length > 1) {
              expect(datagrams[index]!.length).toBeLessThanOrEqual(limit);
            }
            expect(datagrams[index]).not.toContain(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses as few datagrams as its size bound allows: no message could join the one before', () => {
    fc.assert(
      fc.property(
        nodeIdArbitrary,
        fc.array(peerMessageArbitrary(), { maxLength: 60 }),
        limitArbitrary,
        (from, messages, limit) => {
          const frames = decodeAll(packFrames(from, messages, limit));
          for (let index = 1; index < frames.length; index++) {
            const previous = frames[index - 1]!.messages;
            const next = frames[index]!.messages[0]!;
            let bodyLength = varintByteLength(from) + peerMessageByteLength(next);
            for (const message of previous) bodyLength += peerMessageByteLength(message);
            const couldJoin =
              previous.length < FRAME_MESSAGES_MAX && frameByteLengthMax(bodyLength) <= limit;
            expect(couldJoin).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends a message too big to share alone, between full datagrams', () => {
    const big = smallPost(2, 4000);
    const datagrams = packFrames(1, [smallPost(1), big, smallPost(3)]);
    expect(decodeAll(datagrams).map((frame) => frame.messages.length)).toEqual([1, 1, 1]);
    expect(datagrams[1]!.length).toBeGreaterThan(PEER_DATAGRAM_BYTES_TARGET);
  });

  it('fills 999-byte datagrams with many small messages', () => {
    const messages = Array.from({ length: 1000 }, (_, index) => smallPost(index + 1));
    const datagrams = packFrames(7, messages);
    for (const [index, datagram] of datagrams.entries()) {
      expect(datagram.length).toBeLessThanOrEqual(PEER_DATAGRAM_BYTES_TARGET);
      // Every datagram but the last is within one message (at most 47 bytes) of full.
      if (index < datagrams.length - 1) expect(datagram.length).toBeGreaterThan(999 - 47);
    }
    expect(datagrams.length).toBeLessThanOrEqual(Math.ceil((1000 * 47) / 990));
  });

  it('puts at most 1024 messages in a datagram, however large it may be', () => {
    const messages = new Array<PeerMessage>(2500).fill({
      kind: 'nak',
      view: 1,
      writer: 2,
      first: 1,
      last: 1,
    });
    const frames = decodeAll(packFrames(1, messages, 65_507));
    expect(frames.map((frame) => frame.messages.length)).toEqual([1024, 1024, 452]);
  });

  it('returns no datagrams for no messages', () => {
    expect(packFrames(1, [])).toEqual([]);
  });

  it('refuses, like encodeFrame, what peers would reject', () => {
    expect(() => packFrames(0, [])).toThrow('packFrames: from 0 is not a node id 1-64');
    expect(() => packFrames(1, [smallPost(1), smallPost(0)])).toThrow(
      'packFrames: message 2: seq 0 is not an integer 1 to 2^53-1',
    );
  });
});

describe('postPayloadBytesMax', () => {
  // A post relayed in a view change: the largest message a post becomes on the wire.
  const widest = (payloadBytes: number): PeerMessage => ({
    kind: 'relay',
    writer: 64,
    entry: {
      kind: 'post',
      view: PEER_VIEW_ID_MAX,
      seq: Number.MAX_SAFE_INTEGER,
      room: PEER_ROOM_ID_MAX,
      payload: new Uint8Array(payloadBytes).fill(0x78),
    },
  });
  const hmacSized = { tagBytes: 32, tag: () => new Uint8Array(32).fill(0xab) };

  it.each([
    ['plain', 0, undefined],
    ['authenticated', 32, { epoch: Number.MAX_SAFE_INTEGER, authenticator: hmacSized }],
  ] as const)(
    '%s: the largest payload fits in 999 bytes and one more byte does not',
    (_, tagBytes, sealing) => {
      const largest = postPayloadBytesMax(999, tagBytes);
      const [fits, ...none] = packFrames(64, [widest(largest)], 999, sealing);
      expect(none).toEqual([]);
      expect(fits!.length).toBeLessThanOrEqual(999);
      // The bound is worst-case COBS overhead: one more byte may still fit, two may not.
      expect(packFrames(64, [widest(largest + 8)], 999, sealing)[0]!.length).toBeGreaterThan(999);
    },
  );

  it('leaves room for an 800-byte text from a 32-character nickname with a MAC', () => {
    expect(postPayloadBytesMax(999, 32)).toBeGreaterThanOrEqual(800 + 32 * 4 + 3);
  });
});
