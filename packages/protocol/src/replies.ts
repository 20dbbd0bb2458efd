/**
 * The exact text of every reply a server sends to a client. Each reply
 * is one datagram.
 */

import { formatSocketAddress, type SocketAddress } from './cluster-config.js';
import { escapeControlCharacters } from './escape-control-characters.js';
import { utf8ByteLength } from './utf8.js';

/**
 * The longest reply, in UTF-8 bytes, with the default limits: `+OK Nickname set to 'NAME'` for a
 * 32-code-point name of 4-byte characters. Every other reply is shorter (an unknown command's echo
 * is cut at 100 bytes), so a server never answers a datagram with more than this: a spoofed source
 * cannot use it to amplify traffic towards a victim.
 */
export const REPLY_BYTES_MAX = 150;

/** `/join` succeeded. */
export function joined(room: number): string {
  return `+OK You are now in chat room #${room}`;
}

/** `/join` while already in `room`. */
export function alreadyInRoom(room: number): string {
  return `-ERR You are already in room #${room}`;
}

/** `/part` succeeded. */
export function left(room: number): string {
  return `+OK You have left chat room #${room}`;
}

/** `/part`, or a post, from a client in no room. */
export function notInRoom(): string {
  return '-ERR You are not in any chat room';
}

/** `/nick` succeeded; `nick` as the client sent it (the parser has already checked it). */
export function nickSet(nick: string): string {
  return `+OK Nickname set to '${nick}'`;
}

/** A post the server cannot take now: the room's replication window is full. */
export function serverBusy(): string {
  return '-ERR Server busy, try again later';
}

/**
 * A post in total order on a server cut off from most of the cluster (a minority view): no total
 * order can be agreed until it rejoins a majority.
 */
export function noMajority(): string {
  return '-ERR No majority of servers reachable; try again later';
}

/** A new client's first `/join` or `/nick` when the server already keeps `clientsMax` clients. */
export function serverFull(clientsMax: number): string {
  return `-ERR Server is full (${clientsMax} clients); try again later`;
}

/** A client over its rate limit; sent at most once a second per client, the rest is dropped. */
export function slowDown(datagramsPerSecondMax: number): string {
  return `-ERR Slow down (at most ${datagramsPerSecondMax} datagrams per second)`;
}

/**
 * The line, with the poster's nickname and its control characters escaped, would not fit in one
 * server-to-server datagram of at most 999 bytes (the course's proxy cuts longer ones).
 */
export function messageTooLongToRelay(textBytesMax: number): string {
  return `-ERR Message too long to relay (at most ${Math.max(0, textBytesMax)} bytes with your nickname)`;
}

/** A room the parser accepted but the server's ordering engine does not serve. */
export function roomNotServed(): string {
  return '-ERR This chat room is not served';
}

/** What every client in the room receives for a post. `text` should already be escaped. */
export function formatDelivery(nick: string, text: string): string {
  return `<${nick}> ${text}`;
}

/** A client's nickname until it sets one: its source `IP:port`. */
export function defaultNickname(client: SocketAddress): string {
  return formatSocketAddress(client);
}

/*
 * Rejections of malformed commands; `parseClientDatagram` returns them, whatever the client's state.
 */

/**
 * Echoing a whole 64 KiB "command word" back would not fit in a reply datagram, and would let a
 * spoofed source amplify traffic: the echo is cut here (in UTF-8 bytes, after escaping).
 */
const UNKNOWN_COMMAND_ECHO_BYTES_MAX = 100;

/**
 * Echoes the command word, escaped; past 100 bytes it is cut at a character boundary (never inside
 * a surrogate pair or an escape like `\x1b`) and ends with `...`.
 */
export function unknownCommand(word: string): string {
  let echo = '';
  let echoBytes = 0;
  // Iterates code points and stops at the cut, so a huge word costs no more than a short one.
  for (const character of word) {
    const shown = escapeControlCharacters(character);
    echoBytes += utf8ByteLength(shown);
    if (echoBytes > UNKNOWN_COMMAND_ECHO_BYTES_MAX) return `-ERR Unknown command ${echo}...`;
    echo += shown;
  }
  return `-ERR Unknown command ${echo}`;
}

export function roomNumberInvalid(roomCount: number): string {
  return `-ERR Room must be a number from 1 to ${roomCount}`;
}

export function messageTooLong(textBytesMax: number): string {
  return `-ERR Message too long (at most ${textBytesMax} bytes)`;
}

export function nicknameEmpty(): string {
  return '-ERR Nickname must not be empty';
}

export function nicknameTooLong(nickCharsMax: number): string {
  return `-ERR Nickname must be at most ${nickCharsMax} characters`;
}

export function nicknameHasControlCharacter(): string {
  return '-ERR Nickname must not contain control characters';
}

export function nicknameHasAngleBracket(): string {
  return "-ERR Nickname must not contain '<' or '>'";
}

export function nicknameInvisible(): string {
  return '-ERR Nickname must contain a visible character';
}
