/**
 * UTF-8 helpers. The package compiles without DOM or Node typings (it runs anywhere), so the
 * WHATWG `TextEncoder`/`TextDecoder` that every supported runtime has are typed here, locally,
 * instead of through a global declaration that would clash with those typings in other projects.
 */

interface Utf8Encoder {
  encode(text: string): Uint8Array;
}

interface Utf8Decoder {
  decode(bytes: Uint8Array): string;
}

interface TextEncodingGlobals {
  readonly TextEncoder: new () => Utf8Encoder;
  readonly TextDecoder: new (
    label: 'utf-8',
    options: { readonly fatal: boolean; readonly ignoreBOM: boolean },
  ) => Utf8Decoder;
}

const textEncoding = globalThis as unknown as TextEncodingGlobals;

const encoder = new textEncoding.TextEncoder();

/**
 * Lenient: invalid sequences become U+FFFD rather than failing. A leading byte order mark is kept
 * (`ignoreBOM`), so the text is exactly what the bytes say.
 */
const decoder = new textEncoding.TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Lone surrogates are encoded as U+FFFD. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Never fails: invalid sequences become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `encodeUtf8(text).length`, without encoding. */
export function utf8ByteLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      length += 4;
      index++;
    } else length += 3; // the rest of the BMP, and lone surrogates (encoded as U+FFFD)
  }
  return length;
}

/** Counts code points; a lone surrogate counts as one. Stops counting past `stopAfter`. */
export function codePointCount(text: string, stopAfter = Infinity): number {
  let count = 0;
  for (let index = 0; index < text.length && count <= stopAfter; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) index++;
    count++;
  }
  return count;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
