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
});
