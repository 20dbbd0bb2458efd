/**
 * The client line protocol: one UDP datagram is one line of text, either
 * a `/command` or a line to post. Parsing is pure and never fails: a malformed command comes back as
 * `rejected`, with the exact reply to send.
 */

import { isControlCharacter } from './escape-control-characters.js';
import {
  messageTooLong,
  nicknameEmpty,
  nicknameHasAngleBracket,
  nicknameHasControlCharacter,
  nicknameInvisible,
  nicknameTooLong,
  roomNumberInvalid,
  unknownCommand,
} from './replies.js';
import { codePointCount, decodeUtf8, utf8ByteLength } from './utf8.js';

export interface ClientProtocolLimits {
  /** Rooms are numbered 1..roomCount. */
  readonly roomCount: number;
  /** Longest post, in UTF-8 bytes of the decoded text. */
  readonly textBytesMax: number;
  /** Longest nickname, in Unicode code points. */
  readonly nickCharsMax: number;
}

/** 10 rooms, posts of at most 1,000 bytes, nicknames of at most 32 characters. */
export const DEFAULT_CLIENT_PROTOCOL_LIMITS: ClientProtocolLimits = {
  roomCount: 10,
  textBytesMax: 1000,
  nickCharsMax: 32,
};

/** What one client datagram asks for; see {@link parseClientDatagram}. */
export type ClientCommand =
  | { readonly kind: 'join'; readonly room: number }
  | { readonly kind: 'part' }
  | { readonly kind: 'nick'; readonly nick: string }
  | { readonly kind: 'quit' }
  | { readonly kind: 'post'; readonly text: string }
  /** Answered with this exact `-ERR` reply, whatever the client's state. */
  | { readonly kind: 'rejected'; readonly reply: string };

const CR = 0x0d;
const LF = 0x0a;

/**
 * Parses one datagram from a client. Trailing CR/LF characters are dropped and the rest is decoded
 * leniently as UTF-8 (invalid sequences become U+FFFD). Command words are case-sensitive and end at
 * the first space; arguments after `/part` and `/quit` are ignored, so a client can always leave.
 * Post text is returned as sent: escaping it for display is the server's job.
 */
export function parseClientDatagram(
  datagram: Uint8Array,
  limits: ClientProtocolLimits,
): ClientCommand {
  let end = datagram.length;
  while (end > 0 && (datagram[end - 1] === CR || datagram[end - 1] === LF)) end--;
  const line = decodeUtf8(datagram.subarray(0, end));

  if (!line.startsWith('/')) {
    if (utf8ByteLength(line) > limits.textBytesMax) {
      return { kind: 'rejected', reply: messageTooLong(limits.textBytesMax) };
    }
    return { kind: 'post', text: line };
  }

  const space = line.indexOf(' ');
  const word = space < 0 ? line : line.slice(0, space);
  const argument = space < 0 ? '' : line.slice(space + 1);
  switch (word) {
    case '/join':
      return parseJoin(argument, limits.roomCount);
    case '/part':
      return { kind: 'part' };
    case '/nick':
      return parseNick(argument, limits.nickCharsMax);
    case '/quit':
      return { kind: 'quit' };
    default:
      return { kind: 'rejected', reply: unknownCommand(word) };
  }
}

function parseJoin(argument: string, roomCount: number): ClientCommand {
  const digits = argument.trim();
  // Plain decimal digits only: Number() would also accept '+3', '1e1', '0x3' and ''.
  if (/^[0-9]+$/.test(digits)) {
    const room = Number(digits);
    // Digit strings above 2^53 - 1 round to a number that is not a safe integer, never into range.
    if (Number.isSafeInteger(room) && room >= 1 && room <= roomCount) return { kind: 'join', room };
  }
  return { kind: 'rejected', reply: roomNumberInvalid(roomCount) };
}

/**
 * A nickname is shown as `<NICK>` before every line its owner posts, so it must not be able to fake
 * that frame (`<`, `>`), to drive the terminal (control characters) or to be invisible.
 */
function parseNick(argument: string, nickCharsMax: number): ClientCommand {
  const nick = argument.trim();
  if (nick === '') return { kind: 'rejected', reply: nicknameEmpty() };
  if (codePointCount(nick, nickCharsMax) > nickCharsMax) {
    return { kind: 'rejected', reply: nicknameTooLong(nickCharsMax) };
  }
  for (let index = 0; index < nick.length; index++) {
    const code = nick.charCodeAt(index);
    if (isControlCharacter(code)) return { kind: 'rejected', reply: nicknameHasControlCharacter() };
    if (code === 0x3c || code === 0x3e) {
      return { kind: 'rejected', reply: nicknameHasAngleBracket() };
    }
  }
  // Trimming removed the whitespace at the ends; this catches names made only of zero-width,
  // filler and similar characters (mixed with inner spaces), which would look like no name at all.
  if (/^[\s\p{Default_Ignorable_Code_Point}]+$/u.test(nick)) {
    return { kind: 'rejected', reply: nicknameInvisible() };
  }
  return { kind: 'nick', nick };
}
