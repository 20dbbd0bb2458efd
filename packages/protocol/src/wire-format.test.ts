import type { PeerMessage } from '@chat/ordering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsEncode, cobsEncodedLengthMax } from './cobs.js';
import { PEER_DATAGRAM_BYTES_TARGET } from './frame-packer.js';
import { FRAME_MESSAGES_MAX, PEER_ROOM_ID_MAX, PEER_VIEW_ID_MAX } from './peer-message-rules.js';
import { peerFrameArbitrary } from './testing/peer-message-arbitraries.js';
import { encodeUtf8 } from './utf8.js';
import { decodeFrame, encodeFrame, type FrameDecodeResult, type PeerFrame } from './wire-format.js';

const nak: PeerMessage = { kind: 'nak', view: 1, writer: 2, first: 1, last: 2 };

function malformed(reason: string): FrameDecodeResult {
  return { ok: false, error: { kind: 'malformed', reason } };
}

/** A datagram with our header around the given (already NUL-free) COBS bytes. */
function datagram(...cobs: number[]): Uint8Array {
  return Uint8Array.from([0xc5, 0x53, 0x01, ...cobs]);
}

describe('encodeFrame / decodeFrame', () => {
  it('round-trips any frame', () => {
    fc.assert(
      fc.property(peerFrameArbitrary(12), (frame) => {
        expect(decodeFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
      }),
      { numRuns: 400 },
    );
  });

  it('never puts a NUL byte in a datagram', () => {
    fc.assert(
      fc.property(peerFrameArbitrary(12), (frame) => {
        expect(encodeFrame(frame)).not.toContain(0);
      }),
      { numRuns: 400 },
    );
  });

  it('lays out header, COBS and body as documented', () => {
    const frame: PeerFrame = {
      from: 2,
      messages: [
        { kind: 'status', view: 3, received: [0, 5], delivered: [0, 5], stable: 0, safe: 0 },
        { kind: 'nak', view: 3, writer: 1, first: 1, last: 1 },
      ],
    };
    // body: from=2 | status: 22, view 3, count 2, received 0 5, delivered 0 5, stable 0, safe 0
    //       | nak: 8, view 3, writer 1, 1, 1
    // COBS: block [05: 02 16 03 02] stands for 02 16 03 02 00, [02: 05] for 05 00 (twice), [01]
    // for 00, and the last block [06: 08 03 01 01 01] for the rest
    expect([...encodeFrame(frame)]).toEqual([
      0xc5, 0x53, 0x01, 0x05, 0x02, 0x16, 0x03, 0x02, 0x02, 0x05, 0x02, 0x05, 0x01, 0x06, 0x08,
      0x03, 0x01, 0x01, 0x01,
    ]);
  });

  it('fits a post of a 32-character 4-byte nick and 800 bytes of text in 999 bytes', () => {
    const nick = '😀'.repeat(32);
    const text = 'é'.repeat(400);
    const payload = encodeUtf8(`<${nick}> ${text}`);
    expect(payload.length).toBe(1 + 128 + 2 + 800);
    for (const fill of [0x01, 0xff]) {
      // Worst-case ids and a zero-free body (no NULs for COBS to save bytes on).
      // Relayed in a view change: the largest a post gets on the wire.
      const relay: PeerMessage = {
        kind: 'relay',
        writer: 64,
        entry: {
          kind: 'post',
          view: PEER_VIEW_ID_MAX,
          seq: Number.MAX_SAFE_INTEGER,
          room: PEER_ROOM_ID_MAX,
          payload: new Uint8Array(payload.length).fill(fill),
        },
      };
      const bytes = encodeFrame({ from: 64, messages: [relay] });
      expect(bytes.length).toBeLessThanOrEqual(PEER_DATAGRAM_BYTES_TARGET);
    }
    const realistic = encodeFrame({
      from: 3,
      messages: [{ kind: 'post', view: 12, seq: 123_456, room: 10, payload }],
    });
    expect(realistic.length).toBeLessThanOrEqual(PEER_DATAGRAM_BYTES_TARGET);
  });

  it('returns an exact-length datagram', () => {
    const bytes = encodeFrame({ from: 1, messages: [nak] });
    expect([...bytes]).toEqual([0xc5, 0x53, 0x01, 0x07, 0x01, 0x08, 0x01, 0x02, 0x01, 0x02]);
    expect(decodeFrame(bytes).ok).toBe(true);
  });

  it('encodes and decodes a frame without messages', () => {
    expect(decodeFrame(encodeFrame({ from: 1, messages: [] }))).toEqual({
      ok: true,
      frame: { from: 1, messages: [] },
    });
  });

  it('refuses to encode what peers would reject', () => {
    expect(() => encodeFrame({ from: 0, messages: [] })).toThrow(RangeError);
    expect(() => encodeFrame({ from: 65, messages: [] })).toThrow('from 65 is not a node id 1-64');
    expect(() => encodeFrame({ from: 1, messages: [{ ...nak, first: 2, last: 1 }] })).toThrow(
      'encodeFrame: message 1: nak first 2 is after last 1',
    );
    const tooMany = new Array<PeerMessage>(FRAME_MESSAGES_MAX + 1).fill(nak);
    expect(() => encodeFrame({ from: 1, messages: tooMany })).toThrow('1025 messages');
  });
});

describe('decodeFrame', () => {
  it('calls anything without our magic foreign, text lines included', () => {
    for (const bytes of [
      [],
      [0xc5],
      [0xc5, 0x54, 0x01],
      [0x2f, 0x6a],
      [...encodeUtf8('/join 3')],
    ]) {
      expect(decodeFrame(Uint8Array.from(bytes))).toEqual({
        ok: false,
        error: { kind: 'foreign' },
      });
    }
  });

  it('reports an unsupported version with its number', () => {
    expect(decodeFrame(Uint8Array.from([0xc5, 0x53, 0x03, 0x02, 0x01]))).toEqual({
      ok: false,
      error: { kind: 'unsupported-version', version: 3 },
    });
  });

  it('rejects a datagram cut off after the magic', () => {
    expect(decodeFrame(Uint8Array.from([0xc5, 0x53]))).toEqual(malformed('missing version byte'));
    expect(decodeFrame(datagram())).toEqual(malformed('COBS data is empty'));
  });

  it('rejects a NUL byte anywhere', () => {
    expect(decodeFrame(datagram(0x02, 0x01, 0x00))).toEqual(malformed('zero byte at 5'));
  });

  it('rejects a bad sender id', () => {
    expect(decodeFrame(datagram(0x01, 0x01))).toEqual(malformed('from 0 is not a node id 1-64'));
    expect(decodeFrame(datagram(0x02, 0x41))).toEqual(malformed('from 65 is not a node id 1-64'));
    expect(decodeFrame(datagram(0x03, 0x81, 0x80))).toEqual(malformed('truncated from'));
  });

  it('rejects an overlong varint', () => {
    // from=1, nak view=1 writer=2, first=1 written as 0x81 0x00, last=1
    expect(decodeFrame(datagram(0x06, 0x01, 0x08, 0x01, 0x02, 0x81, 0x02, 0x01))).toEqual(
      malformed('message 1: overlong varint for first'),
    );
  });

  it('rejects an unknown kind, and bytes left over that are not a whole message', () => {
    expect(decodeFrame(datagram(0x03, 0x01, 0x1a))).toEqual(
      malformed('message 1: unknown message kind 26'),
    );
    // A whole nak (view 1, writer 2, 1..1), then a nak with nothing after its writer.
    expect(
      decodeFrame(datagram(0x0a, 0x01, 0x08, 0x01, 0x02, 0x01, 0x01, 0x08, 0x01, 0x02)),
    ).toEqual(malformed('message 2: truncated first'));
  });

  it('rejects more than 1024 messages', () => {
    const frameOfNaks = (count: number) => {
      const body = Uint8Array.from([
        0x01,
        ...new Array<number[]>(count).fill([8, 1, 2, 1, 2]).flat(),
      ]);
      const bytes = new Uint8Array(3 + cobsEncodedLengthMax(body.length));
      bytes.set([0xc5, 0x53, 0x01]);
      return bytes.subarray(0, cobsEncode(body, bytes, 3));
    };
    expect(decodeFrame(frameOfNaks(FRAME_MESSAGES_MAX)).ok).toBe(true);
    expect(decodeFrame(frameOfNaks(FRAME_MESSAGES_MAX + 1))).toEqual(
      malformed('more than 1024 messages'),
    );
  });

  it('returns payloads that do not alias the datagram', () => {
    const payload = Uint8Array.from([1, 2, 3, 0, 4]);
    const bytes = encodeFrame({
      from: 1,
      messages: [{ kind: 'post', view: 1, seq: 1, room: 1, payload }],
    });
    const result = decodeFrame(bytes);
    bytes.fill(0x55);
    expect(result).toEqual({
      ok: true,
      frame: { from: 1, messages: [{ kind: 'post', view: 1, seq: 1, room: 1, payload }] },
    });
  });
});
