import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode, cobsEncodedLengthMax } from './cobs.js';

function encode(source: Uint8Array | number[]): number[] {
  const input = Uint8Array.from(source);
  const target = new Uint8Array(cobsEncodedLengthMax(input.length));
  return [...target.subarray(0, cobsEncode(input, target, 0))];
}

function decode(encoded: number[]): number[] | string {
  const result = cobsDecode(Uint8Array.from(encoded), 0);
  return result.ok ? [...result.bytes] : result.reason;
}

const nonZero = (length: number, from = 1): number[] =>
  Array.from({ length }, (_, index) => ((from - 1 + index) % 255) + 1);

describe('cobsEncode', () => {
  it('encodes the standard examples', () => {
    expect(encode([])).toEqual([0x01]);
    expect(encode([0x00])).toEqual([0x01, 0x01]);
    expect(encode([0x00, 0x00])).toEqual([0x01, 0x01, 0x01]);
    expect(encode([0x11, 0x22, 0x00, 0x33])).toEqual([0x03, 0x11, 0x22, 0x02, 0x33]);
    expect(encode([0x11, 0x22, 0x33, 0x44])).toEqual([0x05, 0x11, 0x22, 0x33, 0x44]);
    expect(encode([0x11, 0x00, 0x00, 0x00])).toEqual([0x02, 0x11, 0x01, 0x01, 0x01]);
  });

  it('ends a trailing run of 254 non-zero bytes with a full block and nothing after it', () => {
    expect(encode(nonZero(254))).toEqual([0xff, ...nonZero(254)]);
    expect(encode([0x00, ...nonZero(254)])).toEqual([0x01, 0xff, ...nonZero(254)]);
  });

  it('starts a new block after 254 non-zero bytes when more follow', () => {
    expect(encode(nonZero(255))).toEqual([0xff, ...nonZero(254), 0x02, 0xff]);
    expect(encode([...nonZero(254), 0x00])).toEqual([0xff, ...nonZero(254), 0x01, 0x01]);
  });

  it('writes at an offset', () => {
    const target = new Uint8Array(6).fill(0xee);
    expect(cobsEncode(Uint8Array.from([0x11, 0x00]), target, 2)).toBe(5);
    expect([...target]).toEqual([0xee, 0xee, 0x02, 0x11, 0x01, 0xee]);
  });

  it('never writes a zero byte and stays within cobsEncodedLengthMax', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 1200 }),
          fc.uint8Array({ maxLength: 1200, min: 0, max: 1 }),
        ),
        (source) => {
          const encoded = encode(source);
          expect(encoded).not.toContain(0);
          expect(encoded.length).toBeLessThanOrEqual(cobsEncodedLengthMax(source.length));
        },
      ),
    );
  });

  it('reaches cobsEncodedLengthMax exactly for data without zeros', () => {
    for (const length of [0, 1, 253, 254, 255, 508, 509, 1000]) {
      expect(encode(nonZero(length)).length, String(length)).toBe(cobsEncodedLengthMax(length));
    }
  });
});

describe('cobsDecode', () => {
  it('round-trips any bytes', () => {
    const source = fc.oneof(
      fc.uint8Array({ maxLength: 1200 }),
      fc.uint8Array({ maxLength: 1200, min: 0, max: 1 }),
      fc.uint8Array({ minLength: 250, maxLength: 800, min: 1, max: 255 }),
    );
    fc.assert(
      fc.property(source, (bytes) => {
        expect(decode(encode(bytes))).toEqual([...bytes]);
      }),
    );
  });

  it('decodes from an offset into a fresh array', () => {
    const source = Uint8Array.from([0xc5, 0x53, 0x01, 0x03, 0x11, 0x22, 0x02, 0x33]);
    const result = cobsDecode(source, 3);
    expect(result.ok && [...result.bytes]).toEqual([0x11, 0x22, 0x00, 0x33]);
    source.fill(0);
    expect(result.ok && [...result.bytes]).toEqual([0x11, 0x22, 0x00, 0x33]);
  });

  it('rejects empty data, zero bytes and blocks running past the end', () => {
    expect(decode([])).toBe('COBS data is empty');
    expect(decode([0x00])).toBe('zero byte at 0');
    expect(decode([0x03, 0x11, 0x00])).toBe('zero byte at 2');
    expect(decode([0x05, 0x11, 0x22])).toBe('COBS block runs past the end');
  });

  it('rejects the redundant empty block after a trailing full block (one encoding per input)', () => {
    expect(decode([0xff, ...nonZero(254), 0x01])).toBe('COBS data ends in a redundant empty block');
  });

  it('accepts exactly the encoder output: whatever decodes re-encodes to the same bytes', () => {
    // Well-formed block sequences (a code, then code - 1 non-zero bytes), codes biased to the edges.
    const blocks = fc.array(
      fc.oneof(fc.constantFrom(0x01, 0x02, 0xfe, 0xff), fc.integer({ min: 1, max: 255 })),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(blocks, (codes) => {
        const encoded = codes.flatMap((code) => [code, ...nonZero(code - 1, code)]);
        const decoded = decode(encoded);
        if (typeof decoded === 'string') {
          expect(decoded).toBe('COBS data ends in a redundant empty block');
        } else {
          expect(encode(decoded)).toEqual(encoded);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
