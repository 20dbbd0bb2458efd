import { createHmac, createSecretKey } from 'node:crypto';
import type { FrameAuthenticator } from '@chat/protocol';

/** The full SHA-256 output: truncating the tag would only weaken it. */
export const HMAC_SHA256_TAG_BYTES = 32;

/** Tags server-to-server frames with HMAC-SHA256 under the cluster key. */
export function hmacSha256Authenticator(key: Uint8Array): FrameAuthenticator {
  const secret = createSecretKey(key);
  return {
    tagBytes: HMAC_SHA256_TAG_BYTES,
    tag: (data) => createHmac('sha256', secret).update(data).digest(),
  };
}
