/**
 * Reads a decoded frame body front to back without throwing. The first failure is kept in
 * `problem`; from then on every read returns zero or empty, so decoding code can read a whole
 * message and check once.
 */

import { readVarint, varintByteLength, VARINT_OVERLONG, VARINT_TRUNCATED } from './varint.js';

export class ByteReader {
  #offset = 0;
  #problem: string | undefined;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get problem(): string | undefined {
    return this.#problem;
  }

  get atEnd(): boolean {
    return this.#offset >= this.#bytes.length;
  }

  fail(problem: string): void {
    this.#problem ??= problem;
  }

  byte(what: string): number {
    const byte = this.#bytes[this.#offset];
    if (this.#problem !== undefined || byte === undefined) {
      this.fail(`truncated ${what}`);
      return 0;
    }
    this.#offset++;
    return byte;
  }

  /** A canonical varint, 0..2^53 - 1. */
  varint(what: string): number {
    if (this.#problem !== undefined) return 0;
    // One byte below 0x80 is a whole canonical varint: the common case, without the general loop.
    const first = this.#bytes[this.#offset];
    if (first !== undefined && first < 0x80) {
      this.#offset += 1;
      return first;
    }
    const value = readVarint(this.#bytes, this.#offset);
    if (value < 0) {
      this.fail(
        value === VARINT_TRUNCATED
          ? `truncated ${what}`
          : value === VARINT_OVERLONG
            ? `overlong varint for ${what}`
            : `${what} exceeds 2^53-1`,
      );
      return 0;
    }
    this.#offset += varintByteLength(value);
    return value;
  }

  /** The next `length` bytes, as a view (no copy). */
  bytes(length: number, what: string): Uint8Array {
    if (length > this.#bytes.length - this.#offset) this.fail(`truncated ${what}`);
    if (this.#problem !== undefined) return this.#bytes.subarray(0, 0);
    const start = this.#offset;
    this.#offset += length;
    return this.#bytes.subarray(start, this.#offset);
  }
}
