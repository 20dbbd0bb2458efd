import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointCount, decodeUtf8, encodeUtf8, utf8ByteLength } from './utf8.js';

const anyCodeUnitString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
});

describe('utf8ByteLength', () => {
  it('counts 1, 2, 3 and 4 byte characters', () => {
    expect(utf8ByteLength('')).toBe(0);
    expect(utf8ByteLength('a')).toBe(1);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
  });

  it('counts a lone surrogate as the 3 bytes of U+FFFD', () => {
    expect(utf8ByteLength('\ud800')).toBe(3);
    expect(utf8ByteLength('\udc00x')).toBe(4);
  });

  it('equals the encoded length for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), anyCodeUnitString), (text) => {
        expect(utf8ByteLength(text)).toBe(encodeUtf8(text).length);
      }),
    );
  });
});

describe('codePointCount', () => {
  it('counts a surrogate pair once and a lone surrogate once', () => {
    expect(codePointCount('a😀b')).toBe(3);
    expect(codePointCount('\ud800a')).toBe(2);
  });

  it('equals the number of code points of the string', () => {
    fc.assert(
      fc.property(anyCodeUnitString, (text) => {
        expect(codePointCount(text)).toBe([...text].length);
      }),
    );
  });

  it('stops counting just past stopAfter', () => {
    expect(codePointCount('x'.repeat(10_000), 32)).toBe(33);
  });
});

describe('decodeUtf8', () => {
  it('replaces invalid sequences with U+FFFD instead of failing', () => {
    expect(decodeUtf8(new Uint8Array([0x61, 0xff, 0x62, 0xc3]))).toBe('a\ufffdb\ufffd');
  });

  it('keeps a leading byte order mark', () => {
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa');
  });

  it('round-trips any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(decodeUtf8(encodeUtf8(text))).toBe(text);
      }),
    );
  });
});
