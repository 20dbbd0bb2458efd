/**
 * Chat text is shown raw on other people's terminals, so control characters in it (a stray ESC
 * starts a terminal escape sequence) are replaced with visible escapes before anyone sees them.
 */

/** C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F). */
export function isControlCharacter(codeUnit: number): boolean {
  return codeUnit <= 0x1f || (codeUnit >= 0x7f && codeUnit <= 0x9f);
}

/**
 * Replaces each control character with the escape a JavaScript string literal would use: `\t`,
 * `\n` and `\r` for tab, line feed and carriage return, `\xHH` (two lowercase hex digits) for the
 * rest, e.g. ESC becomes `\x1b`, DEL `\x7f` and NEL (U+0085) `\x85`. Everything else, backslashes
 * included, is unchanged.
 */
export function escapeControlCharacters(text: string): string {
  let escaped = '';
  let copiedUpTo = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!isControlCharacter(code)) continue;
    escaped += text.slice(copiedUpTo, index) + escapeFor(code);
    copiedUpTo = index + 1;
  }
  return copiedUpTo === 0 ? text : escaped + text.slice(copiedUpTo);
}

function escapeFor(code: number): string {
  switch (code) {
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    default:
      return `\\x${code.toString(16).padStart(2, '0')}`;
  }
}
