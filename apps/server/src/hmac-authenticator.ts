import { createHmac, createSecretKey } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FrameAuthenticator } from '@chat/protocol';

/** The full SHA-256 output: truncating the tag would only weaken it. */
export const HMAC_SHA256_TAG_BYTES = 32;

/** The optional addon (native/hmac-sha256.c), built at install when a C compiler is there. */
interface HmacAddon {
  /** A context holding `key`. */
  create(key: Uint8Array): object;
  /** Writes HMAC-SHA256(key, data) into out[0..32). */
  tag(context: object, data: Uint8Array, out: Uint8Array): void;
}

let addon: HmacAddon | null | undefined;

/** The addon, or undefined when it was not built (or does not load here). */
export function hmacAddon(): HmacAddon | undefined {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)('../build/hmac_sha256.node') as HmacAddon;
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}

/**
 * Tags server-to-server frames with HMAC-SHA256 under the cluster key: through the addon where it
 * was built (no object per tag for the garbage collector; see native/hmac-sha256.c), else, or with
 * `useAddon` false, through node:crypto. The addon's tag is written into one array that the next tag
 * overwrites, as FrameAuthenticator allows.
 */
export function hmacSha256Authenticator(key: Uint8Array, useAddon = true): FrameAuthenticator {
  const native = useAddon ? hmacAddon() : undefined;
  const context = native === undefined ? undefined : contextOf(native, key);
  if (native !== undefined && context !== undefined) {
    const out = new Uint8Array(HMAC_SHA256_TAG_BYTES);
    return {
      tagBytes: HMAC_SHA256_TAG_BYTES,
      tag: (data) => {
        native.tag(context, data, out);
        return out;
      },
    };
  }
  const secret = createSecretKey(key);
  return {
    tagBytes: HMAC_SHA256_TAG_BYTES,
    tag: (data) => createHmac('sha256', secret).update(data).digest(),
  };
}

/** The addon's context for `key`, or undefined if OpenSSL refuses (node:crypto tags instead). */
function contextOf(native: HmacAddon, key: Uint8Array): object | undefined {
  try {
    return native.create(key);
  } catch {
    return undefined;
  }
}
