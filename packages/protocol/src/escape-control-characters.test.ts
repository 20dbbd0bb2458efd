import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, isControlCharacter } from './escape-control-characters.js';

describe('escapeControlCharacters', () => {
  it('makes a terminal escape sequence visible', () => {
    expect(escapeControlCharacters('\x1b[2J\x1b]0;pwned\x07')).toBe('\\x1b[2J\\x1b]0;pwned\\x07');
  });

  it('writes tab, line feed and carriage return as \\t, \\n, \\r', () => {
    expect(escapeControlCharacters('a\tb\nc\rd')).toBe('a\\tb\\nc\\rd');
  });

  it('escapes NUL, DEL and the C1 range with two hex digits', () => {
    expect(escapeControlCharacters('\x00\x1f\x7f\x80\x85\x9f')).toBe(
      '\\x00\\x1f\\x7f\\x80\\x85\\x9f',
    );
  });

  it('leaves everything else alone, backslashes and non-ASCII included', () => {
    const text = 'héllo \\x1b ¡ 😀 \u00a0 \u2028 <b>';
    expect(escapeControlCharacters(text)).toBe(text);
  });

  it('leaves no control character in any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (text) => {
        const escaped = escapeControlCharacters(text);
        for (let index = 0; index < escaped.length; index++) {
          expect(isControlCharacter(escaped.charCodeAt(index))).toBe(false);
        }
      }),
    );
  });

  it('changes only control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const hasControl = [...text].some((char) => isControlCharacter(char.charCodeAt(0)));
        expect(escapeControlCharacters(text) === text).toBe(!hasControl);
      }),
    );
  });
});
