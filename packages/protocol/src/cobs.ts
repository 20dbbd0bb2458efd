/**
 * Consistent Overhead Byte Stuffing: rewrites bytes so that no 0x00 remains, for at most one extra
 * byte per 254. The output is a sequence of blocks: a code byte `c` (1..255) then `c - 1` non-zero
 * data bytes; every block but the last, unless its code is 255, stands for its data followed by a
 * 0x00. A run of 254 non-zero bytes at the very end is one 255 block with nothing after it, which
 * makes the encoding of every input unique; the decoder accepts only that encoding.
 */

const FULL_BLOCK = 0xff;

/** The most bytes `cobsEncode` writes for `length` input bytes. */
export function cobsEncodedLengthMax(length: number): number {
  return length + Math.max(1, Math.ceil(length / 254));
}

/**
 * Writes the encoding of `source` at `offset`; `target` needs `cobsEncodedLengthMax` bytes there.
 * Returns the offset after the last byte written.
 */
export function cobsEncode(source: Uint8Array, target: Uint8Array, offset: number): number {
  let codeAt = offset;
  let at = offset + 1;
  let code = 1;
  for (let index = 0; index < source.length; index++) {
    const byte = source[index]!;
    if (byte === 0) {
      target[codeAt] = code;
      codeAt = at++;
      code = 1;
      continue;
    }
    target[at++] = byte;
    code++;
    if (code === FULL_BLOCK && index + 1 < source.length) {
      target[codeAt] = code;
      codeAt = at++;
      code = 1;
    }
  }
  target[codeAt] = code;
  return at;
}

export type CobsDecodeResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: string };

/** Decodes `source` from `offset` to its end into a new array (never a view of `source`). */
export function cobsDecode(source: Uint8Array, offset: number): CobsDecodeResult {
  if (offset >= source.length) return { ok: false, reason: 'COBS data is empty' };
  const bytes = new Uint8Array(source.length - offset - 1);
  let length = 0;
  let read = offset;
  let previousCode = 0;
  while (read < source.length) {
    const code = source[read++]!;
    if (code === 0) return { ok: false, reason: `zero byte at ${read - 1}` };
    const end = read + code - 1;
    if (end > source.length) return { ok: false, reason: 'COBS block runs past the end' };
    for (; read < end; read++) {
      const byte = source[read]!;
      if (byte === 0) return { ok: false, reason: `zero byte at ${read}` };
      bytes[length++] = byte;
    }
    if (read < source.length) {
      if (code !== FULL_BLOCK) bytes[length++] = 0;
    } else if (code === 1 && previousCode === FULL_BLOCK) {
      return { ok: false, reason: 'COBS data ends in a redundant empty block' };
    }
    previousCode = code;
  }
  return { ok: true, bytes: bytes.subarray(0, length) };
}
