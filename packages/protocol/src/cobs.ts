/**
 * Consistent Overhead Byte Stuffing: rewrites bytes so that no 0x00 remains, for at most one extra
 * byte per 254. The output is a sequence of blocks: a code byte `c` (1..255) then `c - 1` non-zero
 * data bytes; every block but the last, unless its code is 255, stands for its data followed by a
 * 0x00. A run of 254 non-zero bytes at the very end is one 255 block with nothing after it, which
 * makes the encoding of every input unique; the decoder accepts only that encoding.
 */

const FULL_BLOCK = 0xff;
/** Blocks at least this long are copied natively; shorter ones byte by byte (measured faster). */
const BLOCK_COPY_BYTES_MIN = 16;

/** The most bytes `cobsEncode` writes for `length` input bytes. */
export function cobsEncodedLengthMax(length: number): number {
  return length + Math.max(1, Math.ceil(length / 254));
}

/**
 * Writes the encoding of the first `sourceLength` bytes of `source` at `offset`; `target` needs
 * `cobsEncodedLengthMax(sourceLength)` bytes there. Returns the offset after the last byte written.
 */
export function cobsEncode(
  source: Uint8Array,
  target: Uint8Array,
  offset: number,
  sourceLength: number = source.length,
): number {
  let codeAt = offset;
  let at = offset + 1;
  let code = 1;
  for (let index = 0; index < sourceLength; index++) {
    const byte = source[index]!;
    if (byte === 0) {
      target[codeAt] = code;
      codeAt = at++;
      code = 1;
      continue;
    }
    target[at++] = byte;
    code++;
    if (code === FULL_BLOCK && index + 1 < sourceLength) {
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
  // Valid data has no zero byte. Finding the first one natively up front lets the block loop copy
  // without testing every byte; a block reports it exactly where a byte-by-byte scan would.
  const firstZero = source.indexOf(0, offset);
  const bytes = new Uint8Array(source.length - offset - 1);
  let length = 0;
  let read = offset;
  let previousCode = 0;
  while (read < source.length) {
    if (read === firstZero) return { ok: false, reason: `zero byte at ${read}` };
    const code = source[read++]!;
    const end = read + code - 1;
    if (end > source.length) return { ok: false, reason: 'COBS block runs past the end' };
    if (firstZero >= read && firstZero < end)
      return { ok: false, reason: `zero byte at ${firstZero}` };
    if (end - read >= BLOCK_COPY_BYTES_MIN) {
      bytes.set(source.subarray(read, end), length);
      length += end - read;
      read = end;
    } else {
      for (; read < end; read++) bytes[length++] = source[read]!;
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
