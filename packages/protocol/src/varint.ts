/**
 * Unsigned LEB128 varints: 7 bits per byte, least significant group first, the high bit set on
 * every byte but the last. Values are safe integers (0..2^53 - 1), so at most 8 bytes. Only the
 * canonical (shortest) encoding of a value is accepted, so every value has exactly one encoding.
 */

export const VARINT_BYTES_MAX = 8;

/** `readVarint` results below zero are these failures. */
export const VARINT_TRUNCATED = -1;
export const VARINT_OVERLONG = -2;
export const VARINT_TOO_LARGE = -3;

/** Bytes `writeVarint` uses for `value`, a safe non-negative integer. */
export function varintByteLength(value: number): number {
  if (value < 2 ** 7) return 1;
  if (value < 2 ** 14) return 2;
  if (value < 2 ** 21) return 3;
  if (value < 2 ** 28) return 4;
  if (value < 2 ** 35) return 5;
  if (value < 2 ** 42) return 6;
  if (value < 2 ** 49) return 7;
  return 8;
}

/** Writes `value` (a safe non-negative integer) at `offset`; returns the offset after it. */
export function writeVarint(target: Uint8Array, offset: number, value: number): number {
  // Most values (rooms, node ids, lengths, small seqs) fit one byte.
  if (value < 0x80) {
    target[offset] = value;
    return offset + 1;
  }
  let at = offset;
  let rest = value;
  // Division rather than shifts: JavaScript's bitwise operators truncate to 32 bits.
  while (rest >= 0x80) {
    target[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  target[at++] = rest;
  return at;
}

/**
 * Reads the varint at `offset`: its value, or a negative `VARINT_*` failure. A value occupies
 * `varintByteLength(value)` bytes, since only canonical encodings are accepted.
 */
export function readVarint(source: Uint8Array, offset: number): number {
  let value = 0;
  let scale = 1;
  for (let index = 0; index < VARINT_BYTES_MAX; index++) {
    const byte = source[offset + index];
    if (byte === undefined) return VARINT_TRUNCATED;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (byte === 0 && index > 0) return VARINT_OVERLONG;
      // Exact below 2^53; above it rounding may blur the value, but never back below 2^53.
      return value > Number.MAX_SAFE_INTEGER ? VARINT_TOO_LARGE : value;
    }
    scale *= 0x80;
  }
  return VARINT_TOO_LARGE;
}
