import { describe, expect, it } from 'vitest';
import {
  REPLY_BYTES_MAX,
  alreadyInRoom,
  defaultNickname,
  formatDelivery,
  joined,
  left,
  messageTooLong,
  messageTooLongToRelay,
  nickSet,
  nicknameEmpty,
  nicknameHasAngleBracket,
  nicknameHasControlCharacter,
  nicknameInvisible,
  nicknameTooLong,
  notInRoom,
  roomNotServed,
  roomNumberInvalid,
  noMajority,
  serverBusy,
  serverFull,
  slowDown,
  unknownCommand,
} from './replies.js';
import { encodeUtf8 } from './utf8.js';

describe('replies (exact SPEC text)', () => {
  it('joined', () => expect(joined(3)).toBe('+OK You are now in chat room #3'));
  it('alreadyInRoom', () => expect(alreadyInRoom(7)).toBe('-ERR You are already in room #7'));
  it('left', () => expect(left(3)).toBe('+OK You have left chat room #3'));
  it('notInRoom', () => expect(notInRoom()).toBe('-ERR You are not in any chat room'));
  it('nickSet', () => expect(nickSet('Alice')).toBe("+OK Nickname set to 'Alice'"));
  it('serverBusy', () => expect(serverBusy()).toBe('-ERR Server busy, try again later'));
  it('noMajority', () =>
    expect(noMajority()).toBe('-ERR No majority of servers reachable; try again later'));
  it('formatDelivery', () => expect(formatDelivery('Alice', 'Hi all')).toBe('<Alice> Hi all'));

  it('defaultNickname is IP:port, port in host byte order', () => {
    const nick = defaultNickname({ host: '127.0.0.1', port: 50432 });
    expect(nick).toBe('127.0.0.1:50432');
    expect(formatDelivery(nick, 'Hello')).toBe('<127.0.0.1:50432> Hello');
  });

  it('roomNumberInvalid names the valid range', () => {
    expect(roomNumberInvalid(10)).toBe('-ERR Room must be a number from 1 to 10');
  });
});

describe('server refusals', () => {
  it('serverFull names the limit', () => {
    expect(serverFull(2)).toBe('-ERR Server is full (2 clients); try again later');
  });

  it('slowDown names the rate', () => {
    expect(slowDown(5000)).toBe('-ERR Slow down (at most 5000 datagrams per second)');
  });

  it('messageTooLongToRelay and roomNotServed', () => {
    expect(messageTooLongToRelay(803)).toBe(
      '-ERR Message too long to relay (at most 803 bytes with your nickname)',
    );
    expect(roomNotServed()).toBe('-ERR This chat room is not served');
  });
});

describe(`REPLY_BYTES_MAX (${REPLY_BYTES_MAX})`, () => {
  const bytes = (reply: string): number => encodeUtf8(reply).length;
  const huge = Number.MAX_SAFE_INTEGER;

  it('bounds every reply, at its most extreme arguments', () => {
    const replies = [
      joined(huge),
      alreadyInRoom(huge),
      left(huge),
      notInRoom(),
      nickSet('\u{1F600}'.repeat(32)),
      serverBusy(),
      noMajority(),
      serverFull(huge),
      slowDown(huge),
      messageTooLongToRelay(huge),
      roomNotServed(),
      unknownCommand(`/${'\x1b'.repeat(1000)}`),
      unknownCommand(`/${'\u{1F600}'.repeat(1000)}`),
      unknownCommand(`/${'\u0085'.repeat(1000)}`),
      roomNumberInvalid(huge),
      messageTooLong(huge),
      nicknameEmpty(),
      nicknameTooLong(huge),
      nicknameHasControlCharacter(),
      nicknameHasAngleBracket(),
      nicknameInvisible(),
    ];
    for (const reply of replies) expect(bytes(reply), reply).toBeLessThanOrEqual(REPLY_BYTES_MAX);
  });

  it('is tight: the longest nickname of 4-byte characters reaches it', () => {
    expect(bytes(nickSet('\u{1F600}'.repeat(32)))).toBe(REPLY_BYTES_MAX);
  });
});

describe('unknownCommand', () => {
  it('echoes the command', () => {
    expect(unknownCommand('/foo')).toBe('-ERR Unknown command /foo');
  });

  it('escapes control characters in the echo', () => {
    expect(unknownCommand('/\x1b[2J')).toBe('-ERR Unknown command /\\x1b[2J');
  });

  it('shortens a huge command word so the reply fits in a datagram', () => {
    const reply = unknownCommand(`/${'x'.repeat(65_000)}`);
    expect(reply).toBe(`-ERR Unknown command /${'x'.repeat(99)}...`);
  });

  it('does not split a surrogate pair when shortening', () => {
    const reply = unknownCommand(`/${'x'.repeat(98)}😀😀`);
    expect(reply).toBe(`-ERR Unknown command /${'x'.repeat(98)}...`);
  });

  it('cuts by bytes after escaping, never inside an escape', () => {
    const reply = unknownCommand(`/${'\x1b'.repeat(100)}`);
    expect(reply).toBe(`-ERR Unknown command /${'\\x1b'.repeat(24)}...`);
  });

  it('keeps a word of exactly 100 bytes whole', () => {
    const word = `/${'é'.repeat(49)}x`;
    expect(encodeUtf8(word).length).toBe(100);
    expect(unknownCommand(word)).toBe(`-ERR Unknown command ${word}`);
  });
});
