import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '@chat/ordering';
import { decodeFrame, encodeFrame } from '@chat/protocol';
import { UdpEndpoint } from '@chat/transport';
import { HMAC_SHA256_TAG_BYTES, hmacAddon, hmacSha256Authenticator } from './hmac-authenticator.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('the HMAC addon', () => {
  it("is built at install wherever @chat/transport's addon is (the same compiler and headers)", async () => {
    await using endpoint = await UdpEndpoint.open({ bind: { host: '127.0.0.1', port: 0 } });
    expect(hmacAddon() !== undefined).toBe(endpoint.sendsBatched);
  });

  it.runIf(hmacAddon() !== undefined)('takes an empty key itself, not through the fallback', () => {
    const addon = hmacAddon()!;
    const data = new TextEncoder().encode('no key');
    const out = new Uint8Array(HMAC_SHA256_TAG_BYTES);
    addon.tag(addon.create(new Uint8Array(0)), data, out);
    expect(hex(out)).toBe(createHmac('sha256', new Uint8Array(0)).update(data).digest('hex'));
  });

  it.runIf(hmacAddon() !== undefined)(
    'refuses what is not its context, and a tag array too short',
    () => {
      const addon = hmacAddon()!;
      expect(() => addon.tag({}, new Uint8Array(1), new Uint8Array(32))).toThrow(/tag\(context/);
      expect(() =>
        addon.tag(addon.create(new Uint8Array(16)), new Uint8Array(1), new Uint8Array(31)),
      ).toThrow(/tag\(context/);
    },
  );
});

describe.each([
  { path: 'the addon', useAddon: true },
  { path: 'node:crypto', useAddon: false },
])('hmacSha256Authenticator through $path', ({ useAddon }) => {
  it('computes HMAC-SHA256 (RFC 4231, test case 2)', () => {
    const authenticator = hmacSha256Authenticator(new TextEncoder().encode('Jefe'), useAddon);
    const tag = authenticator.tag(new TextEncoder().encode('what do ya want for nothing?'));
    expect(authenticator.tagBytes).toBe(HMAC_SHA256_TAG_BYTES);
    expect(hex(tag)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it.each([0, 16, 32, 100, 4096])(
    'tags as node:crypto does with a %i-byte key, whatever the length and offset of the data',
    (keyBytes) => {
      const key = randomBytes(keyBytes);
      const authenticator = hmacSha256Authenticator(key, useAddon);
      const backing = randomBytes(2100);
      for (const [start, end] of [
        [0, 0],
        [0, 1],
        [3, 67],
        [5, 1004],
        [17, 2100],
      ] as const) {
        const data = backing.subarray(start, end);
        const expected = createHmac('sha256', key).update(data).digest('hex');
        expect(hex(authenticator.tag(data))).toBe(expected);
      }
    },
  );

  it('takes an empty key as node:crypto does', () => {
    const data = new TextEncoder().encode('no key');
    const tag = hmacSha256Authenticator(new Uint8Array(0), useAddon).tag(data);
    expect(hex(tag)).toBe(createHmac('sha256', new Uint8Array(0)).update(data).digest('hex'));
  });

  it('seals frames that only the same key opens', () => {
    const key = hmacSha256Authenticator(new Uint8Array(32).fill(1), useAddon);
    const otherKey = hmacSha256Authenticator(new Uint8Array(32).fill(2), useAddon);
    const status: PeerMessage = {
      kind: 'status',
      view: 1,
      received: [1, 2, 3],
      delivered: [1, 2, 3],
      stable: 0,
      safe: 0,
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
