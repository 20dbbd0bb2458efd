import { describe, expect, it } from 'vitest';
import {
  alreadyInRoom,
  defaultNickname,
  formatDelivery,
  joined,
  left,
  nickSet,
  notInRoom,
  roomNumberInvalid,
  serverBusy,
  unknownCommand,
} from './replies.js';

describe('replies (exact SPEC text)', () => {
  it('joined', () => expect(joined(3)).toBe('+OK You are now in chat room #3'));
  it('alreadyInRoom', () => expect(alreadyInRoom(7)).toBe('-ERR You are already in room #7'));
  it('left', () => expect(left(3)).toBe('+OK You have left chat room #3'));
  it('notInRoom', () => expect(notInRoom()).toBe('-ERR You are not in any chat room'));
  it('nickSet', () => expect(nickSet('Alice')).toBe("+OK Nickname set to 'Alice'"));
  it('serverBusy', () => expect(serverBusy()).toBe('-ERR Server busy, try again later'));
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
});
