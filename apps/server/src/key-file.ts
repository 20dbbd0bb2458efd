import { open } from 'node:fs/promises';
import { describeFileError } from '@chat/app-support';

/** Shorter keys are guessable; 16 bytes is 128 bits. */
export const KEY_BYTES_MIN = 16;
/** HMAC hashes longer keys down anyway; anything this large is not a key file. */
export const KEY_FILE_BYTES_MAX = 4096;
/** The environment variable naming the key file when `--key-file` is absent. */
export const KEY_FILE_ENV = 'CHAT_KEY_FILE';

/** Where the key file's name came from, for error messages. */
export type KeyFileOrigin = '--key-file' | typeof KEY_FILE_ENV;

export interface KeyFileSource {
  readonly path: string;
  readonly origin: KeyFileOrigin;
}

export type KeyFileResult =
  | { readonly ok: true; readonly key: Uint8Array }
  | { readonly ok: false; readonly message: string };

/**
 * Reads the cluster key: the file's bytes, less one trailing newline (`echo secret > key` works).
 * Every failure is one line naming the file; the key itself never appears in a message.
 */
export async function loadKeyFile(source: KeyFileSource): Promise<KeyFileResult> {
  const named =
    source.origin === KEY_FILE_ENV ? `'${source.path}' (from ${KEY_FILE_ENV})` : `'${source.path}'`;
  let bytes: Uint8Array;
  try {
    bytes = await readAtMost(source.path, KEY_FILE_BYTES_MAX + 1);
  } catch (error) {
    return { ok: false, message: `cannot read key file ${named}: ${describeFileError(error)}` };
  }
  if (bytes.length > KEY_FILE_BYTES_MAX) {
    return { ok: false, message: `key file ${named} is larger than ${KEY_FILE_BYTES_MAX} bytes` };
  }
  const key = withoutTrailingNewline(bytes);
  if (key.length < KEY_BYTES_MIN) {
    return {
      ok: false,
      message:
        `key file ${named} holds ${key.length} bytes; a cluster key needs at least ` +
        `${KEY_BYTES_MIN} (make one with: head -c 32 /dev/urandom > ${source.path})`,
    };
  }
  return { ok: true, key };
}

/** The file's first `bytesMax` bytes. Reads instead of trusting stat: the file may be a pipe. */
async function readAtMost(path: string, bytesMax: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytesMax);
    let length = 0;
    while (length < bytesMax) {
      const { bytesRead } = await file.read(buffer, length, bytesMax - length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await file.close();
  }
}

const LF = 0x0a;
const CR = 0x0d;

function withoutTrailingNewline(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  if (bytes[end - 1] === LF) end--;
  if (end < bytes.length && bytes[end - 1] === CR) end--;
  return bytes.subarray(0, end);
}
