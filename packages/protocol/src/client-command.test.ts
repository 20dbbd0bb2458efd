import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLIENT_PROTOCOL_LIMITS,
  parseClientDatagram,
  type ClientCommand,
  type ClientProtocolLimits,
} from './client-command.js';
import { alreadyInRoom, formatDelivery, joined, left, nickSet, notInRoom } from './replies.js';
import { encodeUtf8 } from './utf8.js';

function parse(line: string, limits: ClientProtocolLimits = DEFAULT_CLIENT_PROTOCOL_LIMITS) {
  return parseClientDatagram(encodeUtf8(line), limits);
}

function rejected(reply: string): ClientCommand {
  return { kind: 'rejected', reply };
}

const ROOM_RANGE = '-ERR Room must be a number from 1 to 10';

/** One test per row of the SPEC's client protocol table, at the parse and reply level. */
describe('SPEC client protocol table', () => {
  it('`/join N` → `+OK You are now in chat room #N`', () => {
    expect(parse('/join 3')).toEqual({ kind: 'join', room: 3 });
    expect(joined(3)).toBe('+OK You are now in chat room #3');
  });

  it('`/join N` while in room M → `-ERR You are already in room #M`', () => {
    expect(parse('/join 5')).toEqual({ kind: 'join', room: 5 });
    expect(alreadyInRoom(2)).toBe('-ERR You are already in room #2');
  });

  it('`/join` with a missing, non-numeric or out-of-range room → `-ERR ` + the valid range', () => {
    for (const line of ['/join', '/join ', '/join abc', '/join 0', '/join 11', '/join -1']) {
      expect(parse(line), line).toEqual(rejected(ROOM_RANGE));
    }
  });

  it('`/part` in room N → `+OK You have left chat room #N`', () => {
    expect(parse('/part')).toEqual({ kind: 'part' });
    expect(left(4)).toBe('+OK You have left chat room #4');
  });

  it('`/part` in no room → `-ERR You are not in any chat room`', () => {
    expect(parse('/part')).toEqual({ kind: 'part' });
    expect(notInRoom()).toBe('-ERR You are not in any chat room');
  });

  it("`/nick NAME` → `+OK Nickname set to 'NAME'`", () => {
    expect(parse('/nick Alice')).toEqual({ kind: 'nick', nick: 'Alice' });
    expect(nickSet('Alice')).toBe("+OK Nickname set to 'Alice'");
  });

  it('`/nick` with an empty or unacceptable name → `-ERR ` + the reason', () => {
    expect(parse('/nick')).toEqual(rejected('-ERR Nickname must not be empty'));
    expect(parse('/nick <Bob>')).toEqual(rejected("-ERR Nickname must not contain '<' or '>'"));
  });

  it('`/quit` → no reply (the server forgets the client)', () => {
    expect(parse('/quit')).toEqual({ kind: 'quit' });
  });

  it('any other `/command` → `-ERR Unknown command` + the command', () => {
    expect(parse('/foo')).toEqual(rejected('-ERR Unknown command /foo'));
    expect(parse('/foo bar baz')).toEqual(rejected('-ERR Unknown command /foo'));
  });

  it('any other line, in room N → posted as `<NICK> TEXT`', () => {
    expect(parse('Hello')).toEqual({ kind: 'post', text: 'Hello' });
    expect(formatDelivery('127.0.0.1:50432', 'Hello')).toBe('<127.0.0.1:50432> Hello');
  });

  it('any other line, in no room → `-ERR You are not in any chat room`', () => {
    expect(parse('Hello')).toEqual({ kind: 'post', text: 'Hello' });
    expect(notInRoom()).toBe('-ERR You are not in any chat room');
  });
});

describe('line framing', () => {
  it('ignores trailing CR and LF characters, however many', () => {
    expect(parse('/join 3\r\n')).toEqual({ kind: 'join', room: 3 });
    expect(parse('/join 3\n')).toEqual({ kind: 'join', room: 3 });
    expect(parse('Hi\r\r\n\n')).toEqual({ kind: 'post', text: 'Hi' });
  });

  it('keeps CR and LF inside the line', () => {
    expect(parse('a\nb\r\n')).toEqual({ kind: 'post', text: 'a\nb' });
  });

  it('decodes invalid UTF-8 leniently', () => {
    const datagram = new Uint8Array([0x48, 0xff, 0x69]);
    expect(parseClientDatagram(datagram, DEFAULT_CLIENT_PROTOCOL_LIMITS)).toEqual({
      kind: 'post',
      text: 'H\ufffdi',
    });
  });

  it('treats an empty line as an empty post, for the server to decide', () => {
    expect(parse('')).toEqual({ kind: 'post', text: '' });
    expect(parse('\r\n')).toEqual({ kind: 'post', text: '' });
  });

  it('matches command words case-sensitively', () => {
    expect(parse('/JOIN 3')).toEqual(rejected('-ERR Unknown command /JOIN'));
    expect(parse('/Quit')).toEqual(rejected('-ERR Unknown command /Quit'));
  });

  it('ends the command word at the first space only', () => {
    expect(parse('/join3')).toEqual(rejected('-ERR Unknown command /join3'));
    expect(parse('/join\t3')).toEqual(rejected('-ERR Unknown command /join\\t3'));
  });

  it('ignores arguments of /part and /quit, so a client can always leave', () => {
    expect(parse('/part now')).toEqual({ kind: 'part' });
    expect(parse('/quit bye')).toEqual({ kind: 'quit' });
  });

  it('rejects a lone slash as an unknown command', () => {
    expect(parse('/')).toEqual(rejected('-ERR Unknown command /'));
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (datagram) => {
        const command = parseClientDatagram(datagram, DEFAULT_CLIENT_PROTOCOL_LIMITS);
        expect(['join', 'part', 'nick', 'quit', 'post', 'rejected']).toContain(command.kind);
      }),
    );
  });
});

describe('/join', () => {
  it('accepts every room 1..roomCount', () => {
    for (let room = 1; room <= 10; room++) {
      expect(parse(`/join ${room}`)).toEqual({ kind: 'join', room });
    }
  });

  it('accepts leading zeros and surrounding whitespace', () => {
    expect(parse('/join 03')).toEqual({ kind: 'join', room: 3 });
    expect(parse('/join 0010')).toEqual({ kind: 'join', room: 10 });
    expect(parse('/join  7 ')).toEqual({ kind: 'join', room: 7 });
  });

  it('rejects anything but plain decimal digits', () => {
    for (const argument of ['+3', '3x', '1e1', ' ', '0x3', '3.0', '3 4', '٣', 'Infinity', '']) {
      expect(parse(`/join ${argument}`), argument).toEqual(rejected(ROOM_RANGE));
    }
  });

  it('never lets a huge number round into a valid room', () => {
    for (const digits of ['9007199254740993', '18446744073709551619', '1'.padEnd(400, '0')]) {
      const limits = { ...DEFAULT_CLIENT_PROTOCOL_LIMITS, roomCount: Number.MAX_SAFE_INTEGER };
      expect(parse(`/join ${digits}`, limits).kind, digits).toBe('rejected');
    }
  });

  it('names the configured range', () => {
    const limits = { ...DEFAULT_CLIENT_PROTOCOL_LIMITS, roomCount: 25 };
    expect(parse('/join 25', limits)).toEqual({ kind: 'join', room: 25 });
    expect(parse('/join 26', limits)).toEqual(rejected('-ERR Room must be a number from 1 to 25'));
  });
});

describe('/nick', () => {
  it('trims the name', () => {
    expect(parse('/nick   Alice Smith  ')).toEqual({ kind: 'nick', nick: 'Alice Smith' });
  });

  it('rejects an empty or whitespace-only name', () => {
    for (const line of ['/nick', '/nick ', '/nick    ', '/nick \u3000\u00a0']) {
      expect(parse(line), line).toEqual(rejected('-ERR Nickname must not be empty'));
    }
  });

  it('counts code points, not bytes or UTF-16 units', () => {
    expect(parse(`/nick ${'😀'.repeat(32)}`)).toEqual({ kind: 'nick', nick: '😀'.repeat(32) });
    expect(parse(`/nick ${'😀'.repeat(33)}`)).toEqual(
      rejected('-ERR Nickname must be at most 32 characters'),
    );
    expect(parse(`/nick ${'x'.repeat(33)}`)).toEqual(
      rejected('-ERR Nickname must be at most 32 characters'),
    );
  });

  it('rejects control characters: C0, DEL and C1', () => {
    for (const char of ['\x00', '\x1b', '\t', '\x7f', '\x85', '\x9f']) {
      expect(parse(`/nick a${char}b`), JSON.stringify(char)).toEqual(
        rejected('-ERR Nickname must not contain control characters'),
      );
    }
  });

  it('rejects < and >, which would fake the <NICK> prefix', () => {
    expect(parse('/nick a<b')).toEqual(rejected("-ERR Nickname must not contain '<' or '>'"));
    expect(parse('/nick a>b')).toEqual(rejected("-ERR Nickname must not contain '<' or '>'"));
  });

  it('rejects a name made only of invisible characters', () => {
    for (const nick of ['\u200b', '\u200b \u200b', '\u3164', '\u2060\u180e']) {
      expect(parse(`/nick ${nick}`), JSON.stringify(nick)).toEqual(
        rejected('-ERR Nickname must contain a visible character'),
      );
    }
  });

  it('accepts non-ASCII names, quotes and punctuation', () => {
    for (const nick of ['Zoë', "O'Brien", '山田', 'a-b_c.d', 'x\u200by']) {
      expect(parse(`/nick ${nick}`)).toEqual({ kind: 'nick', nick });
    }
  });
});

describe('posts', () => {
  it('accepts text of exactly textBytesMax UTF-8 bytes', () => {
    expect(parse('x'.repeat(1000))).toEqual({ kind: 'post', text: 'x'.repeat(1000) });
    expect(parse('€'.repeat(333))).toEqual({ kind: 'post', text: '€'.repeat(333) });
  });

  it('rejects text longer than textBytesMax UTF-8 bytes', () => {
    const tooLong = rejected('-ERR Message too long (at most 1000 bytes)');
    expect(parse('x'.repeat(1001))).toEqual(tooLong);
    expect(parse('€'.repeat(334))).toEqual(tooLong);
  });

  it('measures the decoded text, where each invalid byte became a 3-byte U+FFFD', () => {
    const limits = { ...DEFAULT_CLIENT_PROTOCOL_LIMITS, textBytesMax: 6 };
    expect(parseClientDatagram(new Uint8Array([0xff, 0xff]), limits).kind).toBe('post');
    expect(parseClientDatagram(new Uint8Array([0xff, 0xff, 0xff]), limits).kind).toBe('rejected');
  });

  it('returns the text as sent, control characters included (the server escapes it)', () => {
    expect(parse('\x1b[31mred')).toEqual({ kind: 'post', text: '\x1b[31mred' });
  });

  it('posts a line that only looks like a command after a space', () => {
    expect(parse(' /join 3')).toEqual({ kind: 'post', text: ' /join 3' });
  });
});
