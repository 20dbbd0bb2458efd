import { describe, expect, it } from 'vitest';
import { SLAB_BYTES, SlabEncoder } from './slab-encoder.js';

const reference = new TextEncoder();

describe('SlabEncoder', () => {
  it('encodes as TextEncoder does, lone surrogates as U+FFFD', () => {
    const encoder = new SlabEncoder();
    for (const text of [
      '',
      '<127.0.0.1:4000> hi',
      'héllo wörld',
      '日本語 🎉',
      'a\uD800b',
      '\uDFFF',
    ]) {
      expect(encoder.encode(text)).toEqual(reference.encode(text));
    }
  });

  it('never writes over bytes it handed out, across slabs', () => {
    const encoder = new SlabEncoder();
    const texts = Array.from(
      { length: 3 * (SLAB_BYTES / 50) },
      (_, i) => `<nick${i}> ${'é'.repeat(i % 40)}`,
    );
    const encoded = texts.map((text) => encoder.encode(text));
    for (const [i, bytes] of encoded.entries()) expect(bytes).toEqual(reference.encode(texts[i]));
    // The views share a few slabs rather than having an array each.
    expect(new Set(encoded.map((bytes) => bytes.buffer)).size).toBeLessThan(texts.length / 100);
  });

  it('encodes a string longer than a slab whole', () => {
    const encoder = new SlabEncoder();
    encoder.encode('x'.repeat(100));
    const long = '€'.repeat(SLAB_BYTES);
    expect(encoder.encode(long)).toEqual(reference.encode(long));
    expect(encoder.encode('after')).toEqual(reference.encode('after'));
  });

  it('hands the bytes given back out again, so refused posts leave no gaps between kept ones', () => {
    const encoder = new SlabEncoder();
    const kept: Uint8Array[] = [];
    for (let i = 0; i < 1000; i++) {
      kept.push(encoder.encode(`<nick> hi ${i}`));
      // A refused post, about 4 KiB once escaped: given back at once.
      encoder.giveBack(encoder.encode('\\x1b'.repeat(1000)));
    }
    for (const [i, bytes] of kept.entries())
      expect(bytes).toEqual(reference.encode(`<nick> hi ${i}`));
    const keptBytes = kept.reduce((sum, bytes) => sum + bytes.byteLength, 0);
    // Slabs for the kept bytes, and one more where a refused post did not fit the rest of a slab.
    expect(new Set(kept.map((bytes) => bytes.buffer)).size).toBeLessThanOrEqual(
      Math.ceil(keptBytes / SLAB_BYTES) + 1,
    );
  });

  it('takes back only the bytes encoded last', () => {
    const encoder = new SlabEncoder();
    const first = encoder.encode('first');
    const second = encoder.encode('second');
    encoder.giveBack(first);
    expect(encoder.encode('third').byteOffset).toBe(second.byteOffset + second.byteLength);
    expect(first).toEqual(reference.encode('first'));
  });
});
