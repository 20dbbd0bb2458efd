import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '@chat/ordering';
import { decodeFrame, encodeFrame } from '@chat/protocol';
import { HMAC_SHA256_TAG_BYTES, hmacSha256Authenticator } from './hmac-authenticator.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('hmacSha256Authenticator', () => {
  it('computes HMAC-SHA256 (RFC 4231, test case 2)', () => {
    const authenticator = hmacSha256Authenticator(new TextEncoder().encode('Jefe'));
    const tag = authenticator.tag(new TextEncoder().encode('what do ya want for nothing?'));
    expect(authenticator.tagBytes).toBe(HMAC_SHA256_TAG_BYTES);
    expect(hex(tag)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('seals frames that only the same key opens', () => {
    const key = hmacSha256Authenticator(new Uint8Array(32).fill(1));
    const otherKey = hmacSha256Authenticator(new Uint8Array(32).fill(2));
    const status: PeerMessage = {
      kind: 'status',
      view: 1,
      received: [1, 2, 3],
      delivered: [1, 2, 3],
      stable: 0,
    };
    const datagram = encodeFrame({ from: 2, epoch: 1_700_000_000_000, messages: [status] }, key);
    expect(decodeFrame(datagram, key)).toEqual({
      ok: true,
      frame: { from: 2, epoch: 1_700_000_000_000, messages: [status] },
    });
    expect(decodeFrame(datagram, otherKey)).toEqual({
      ok: false,
      error: { kind: 'unauthenticated', reason: 'bad tag' },
    });
  });
});
