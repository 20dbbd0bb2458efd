import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '@chat/ordering';
import { packFrames } from './frame-packer.js';
import { PEER_VIEW_ID_MAX } from './peer-message-rules.js';
import { encodeUtf8 } from './utf8.js';
import { testAuthenticator } from './testing/test-authenticator.js';
import { decodeFrame, encodeFrame } from './wire-format.js';

const key = testAuthenticator(1);
const otherKey = testAuthenticator(2);
const post: PeerMessage = {
  kind: 'post',
  view: 3,
  seq: 7,
  room: 3,
  payload: encodeUtf8('<n> hi'),
};

describe('authenticated frames', () => {
  it('round-trip with the same key, carrying the epoch', () => {
    const datagram = encodeFrame({ from: 2, epoch: 1_700_000_000_000, messages: [post] }, key);
    expect(datagram[2]).toBe(2);
    expect(decodeFrame(datagram, key)).toEqual({
      ok: true,
      frame: { from: 2, epoch: 1_700_000_000_000, messages: [post] },
    });
  });

  it('are refused with another key, and by a server without a key', () => {
    const datagram = encodeFrame({ from: 2, epoch: 5, messages: [post] }, key);
    expect(decodeFrame(datagram, otherKey)).toEqual({
      ok: false,
      error: { kind: 'unauthenticated', reason: 'bad tag' },
    });
    expect(decodeFrame(datagram)).toMatchObject({ ok: false, error: { kind: 'unauthenticated' } });
  });

  it('a plain frame is refused where a key is configured', () => {
    const datagram = encodeFrame({ from: 2, messages: [post] });
    expect(decodeFrame(datagram, key)).toMatchObject({
      ok: false,
      error: { kind: 'unauthenticated' },
    });
  });

  it('any changed byte is refused (sender, epoch or content)', () => {
    const datagram = encodeFrame({ from: 2, epoch: 5, messages: [post] }, key);
    for (let at = 3; at < datagram.length; at++) {
      for (const bit of [0, 3, 7]) {
        const forged = Uint8Array.from(datagram);
        forged[at] = forged[at]! ^ (1 << bit);
        expect(decodeFrame(forged, key).ok).toBe(false);
      }
    }
  });

  it('need an epoch and a sane tag length to be encoded', () => {
    expect(() => encodeFrame({ from: 1, messages: [] }, key)).toThrow(RangeError);
    expect(() => packFrames(1, [post], 999, { epoch: 0, authenticator: key })).toThrow(RangeError);
    const shortTag = { tagBytes: 4, tag: () => new Uint8Array(4) };
    expect(() => packFrames(1, [post], 999, { epoch: 1, authenticator: shortTag })).toThrow(
      RangeError,
    );
  });

  it('an 800-byte text from a 32-character nick fits in 999 bytes with a 32-byte tag', () => {
    const nick = '\u{1F600}'.repeat(32);
    const payload = encodeUtf8(`<${nick}> ${'x'.repeat(800)}`);
    const hmacSized = { tagBytes: 32, tag: () => new Uint8Array(32).fill(0xab) };
    // Relayed in a view change by another server, with every number at its widest.
    const message: PeerMessage = {
      kind: 'relay',
      writer: 64,
      entry: { kind: 'post', view: PEER_VIEW_ID_MAX, seq: 2 ** 53 - 1, room: 1024, payload },
    };
    const [datagram, ...rest] = packFrames(64, [message], 999, {
      epoch: 2 ** 53 - 1,
      authenticator: hmacSized,
    });
    expect(rest).toEqual([]);
    expect(datagram!.length).toBeLessThanOrEqual(999);
    expect(datagram!.includes(0)).toBe(false);
  });

  it('packed sealed datagrams decode back to the messages, in order', () => {
    const messages: PeerMessage[] = Array.from({ length: 300 }, (_, i) => ({
      ...post,
      seq: i + 1,
    }));
    const datagrams = packFrames(3, messages, 999, { epoch: 9, authenticator: key });
    expect(datagrams.length).toBeGreaterThan(1);
    const decoded = datagrams.flatMap((datagram) => {
      expect(datagram.length).toBeLessThanOrEqual(999);
      const result = decodeFrame(datagram, key);
      if (!result.ok) throw new Error(JSON.stringify(result.error));
      expect(result.frame.epoch).toBe(9);
      return result.frame.messages;
    });
    expect(decoded).toEqual(messages);
  });
});
