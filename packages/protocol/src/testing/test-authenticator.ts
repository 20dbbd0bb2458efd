import type { FrameAuthenticator } from '../wire-format.js';

/**
 * A keyed 16-byte checksum standing in for HMAC in this package's tests (the package has no crypto
 * of its own: servers bring node:crypto). Different keys give different tags; it is not secure.
 */
export function testAuthenticator(key: number): FrameAuthenticator {
  return {
    tagBytes: 16,
    tag(data: Uint8Array): Uint8Array {
      const tag = new Uint8Array(16);
      let hash = (0x811c9dc5 ^ key) >>> 0;
      for (let lane = 0; lane < 16; lane++) {
        for (const byte of data) hash = Math.imul(hash ^ byte ^ lane, 0x01000193) >>> 0;
        tag[lane] = hash & 0xff;
      }
      return tag;
    },
  };
}
