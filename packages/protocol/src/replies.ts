/**
 * The exact text of every reply a server sends to a client (SPEC.md, "Client protocol"). Each reply
 * is one datagram.
 */

import { formatSocketAddress, type SocketAddress } from './cluster-config.js';
import { escapeControlCharacters } from './escape-control-characters.js';

export function joined(room: number): string {
  return `+OK You are now in chat room #${room}`;
}

/** `/join` while already in `room`. */
export function alreadyInRoom(room: number): string {
  return `-ERR You are already in room #${room}`;
}

export function left(room: number): string {
  return `+OK You have left chat room #${room}`;
}

/** `/part`, or a post, from a client in no room. */
export function notInRoom(): string {
  return '-ERR You are not in any chat room';
}

export function nickSet(nick: string): string {
  return `+OK Nickname set to '${nick}'`;
}

/** A post the server cannot take now: the room's replication window is full. */
export function serverBusy(): string {
  return '-ERR Server busy, try again later';
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

/** Echoing a whole 64 KiB "command word" back would not fit in a reply datagram. */
const UNKNOWN_COMMAND_ECHO_UNITS_MAX = 100;

/** Echoes the command word (escaped, and shortened with `...` past 100 UTF-16 units). */
export function unknownCommand(word: string): string {
  if (word.length <= UNKNOWN_COMMAND_ECHO_UNITS_MAX) {
    return `-ERR Unknown command ${escapeControlCharacters(word)}`;
  }
  let end = UNKNOWN_COMMAND_ECHO_UNITS_MAX;
  const last = word.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never split a surrogate pair
  return `-ERR Unknown command ${escapeControlCharacters(word.slice(0, end))}...`;
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
