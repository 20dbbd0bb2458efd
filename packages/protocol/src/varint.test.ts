import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readVarint,
  VARINT_BYTES_MAX,
  varintByteLength,
  VARINT_OVERLONG,
  VARINT_TOO_LARGE,
  VARINT_TRUNCATED,
  writeVarint,
} from './varint.js';

function encode(value: number): number[] {
  const bytes = new Uint8Array(VARINT_BYTES_MAX);
  return [...bytes.subarray(0, writeVarint(bytes, 0, value))];
}

describe('varint', () => {
  it('encodes known values as unsigned LEB128', () => {
    expect(encode(0)).toEqual([0x00]);
    expect(encode(1)).toEqual([0x01]);
    expect(encode(127)).toEqual([0x7f]);
    expect(encode(128)).toEqual([0x80, 0x01]);
    expect(encode(300)).toEqual([0xac, 0x02]);
    expect(encode(2 ** 32)).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(encode(Number.MAX_SAFE_INTEGER)).toEqual([
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f,
    ]);
  });

  it('grows by one byte at every 7-bit boundary, up to 8 bytes', () => {
    for (let bytes = 1; bytes < VARINT_BYTES_MAX; bytes++) {
      expect(varintByteLength(2 ** (7 * bytes) - 1)).toBe(bytes);
      expect(varintByteLength(2 ** (7 * bytes))).toBe(bytes + 1);
    }
    expect(varintByteLength(Number.MAX_SAFE_INTEGER)).toBe(8);
  });

  it('round-trips every safe integer, in varintByteLength bytes', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.nat(4), (value, offset) => {
        const bytes = new Uint8Array(offset + VARINT_BYTES_MAX);
        const end = writeVarint(bytes, offset, value);
        expect(end - offset).toBe(varintByteLength(value));
        expect(readVarint(bytes, offset)).toBe(value);
      }),
    );
  });

  it('reports a truncated varint', () => {
    expect(readVarint(new Uint8Array([]), 0)).toBe(VARINT_TRUNCATED);
    expect(readVarint(new Uint8Array([0x80, 0x80]), 0)).toBe(VARINT_TRUNCATED);
    expect(readVarint(new Uint8Array([0x01]), 1)).toBe(VARINT_TRUNCATED);
  });

  it('rejects overlong (non-canonical) encodings', () => {
    expect(readVarint(new Uint8Array([0x80, 0x00]), 0)).toBe(VARINT_OVERLONG);
    expect(readVarint(new Uint8Array([0x81, 0x80, 0x00]), 0)).toBe(VARINT_OVERLONG);
  });

  it('rejects values above 2^53 - 1 and encodings longer than 8 bytes', () => {
    const twoToThe53 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
    expect(readVarint(new Uint8Array(twoToThe53), 0)).toBe(VARINT_TOO_LARGE);
    const nineBytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(readVarint(new Uint8Array(nineBytes), 0)).toBe(VARINT_TOO_LARGE);
  });

  it('never throws and accepts only canonical encodings of safe integers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10 }), (bytes) => {
        const value = readVarint(bytes, 0);
        if (value >= 0) {
          expect(Number.isSafeInteger(value)).toBe(true);
          expect(encode(value)).toEqual([...bytes.subarray(0, varintByteLength(value))]);
        } else {
          expect([VARINT_TRUNCATED, VARINT_OVERLONG, VARINT_TOO_LARGE]).toContain(value);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
