import type { SocketAddress } from '@chat/protocol';
import { UDP_PAYLOAD_BYTES_MAX } from '@chat/transport';
import { describe, expect, it } from 'vitest';
import { ChatSession } from './chat-session.js';
import type { DatagramPort } from './chat-session.js';
import type { LinePrinter } from './line-printer.js';

const SERVER = { host: '127.0.0.1', port: 5000 };

class FakePort implements DatagramPort {
  readonly sent: { text: string; to: SocketAddress }[] = [];
  #handler: ((data: Buffer, from: SocketAddress) => void) | undefined;

  send(data: Uint8Array, to: SocketAddress): void {
    this.sent.push({ text: Buffer.from(data).toString('utf8'), to });
  }

  onDatagram(handler: (data: Buffer, from: SocketAddress) => void): void {
    this.#handler = handler;
  }

  deliver(text: string | Buffer, from: SocketAddress = SERVER): void {
    this.#handler?.(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, from);
  }
}

class RecordingPrinter implements LinePrinter {
  readonly lines: string[] = [];
  readonly warnings: string[] = [];
  line(text: string): void {
    this.lines.push(text);
  }
  warning(text: string): void {
    this.warnings.push(text);
  }
}

function setUp() {
  const port = new FakePort();
  const printer = new RecordingPrinter();
  const session = new ChatSession(port, [SERVER], printer);
  return { port, printer, session };
}

describe('ChatSession', () => {
  it('sends each line to the server as one datagram', () => {
    const { port, session } = setUp();

    expect(session.sendLine('/join 1')).toBe('sent');
    expect(session.sendLine('')).toBe('sent');
    expect(session.sendLine('héllo')).toBe('sent');

    expect(port.sent).toEqual([
      { text: '/join 1', to: SERVER },
      { text: '', to: SERVER },
      { text: 'héllo', to: SERVER },
    ]);
  });

  it('ends the session on a typed /quit and does not send a second one', () => {
    const { port, session } = setUp();

    expect(session.sendLine('/quit')).toBe('quit');
    session.quit();

    expect(port.sent.map((sent) => sent.text)).toEqual(['/quit']);
  });

  it('treats only the exact line /quit as quitting', () => {
    const { session } = setUp();

    expect(session.sendLine('/quit now')).toBe('sent');
    expect(session.sendLine(' /quit')).toBe('sent');
  });

  it('sends /quit once when asked to quit', () => {
    const { port, session } = setUp();

    session.quit();
    session.quit();

    expect(port.sent).toEqual([{ text: '/quit', to: SERVER }]);
  });

  it('refuses a line too long for one datagram', () => {
    const { port, session } = setUp();

    expect(session.sendLine('x'.repeat(UDP_PAYLOAD_BYTES_MAX + 1))).toBe('too-long');
    expect(session.sendLine('x'.repeat(UDP_PAYLOAD_BYTES_MAX))).toBe('sent');

    expect(port.sent).toHaveLength(1);
  });

  it('prints each datagram from the server as one line, control characters escaped', () => {
    const { port, printer } = setUp();

    port.deliver('+OK You are now in chat room #1');
    port.deliver('<eve> \x1b[2Jgotcha\x07');
    port.deliver('two\nlines');

    expect(printer.lines).toEqual([
      '+OK You are now in chat room #1',
      '<eve> \\x1b[2Jgotcha\\x07',
      'two\\nlines',
    ]);
  });

  it('drops one trailing line ending a server may add', () => {
    const { port, printer } = setUp();

    port.deliver('with LF\n');
    port.deliver('with CRLF\r\n');

    expect(printer.lines).toEqual(['with LF', 'with CRLF']);
  });

  it('shows invalid UTF-8 as replacement characters', () => {
    const { port, printer } = setUp();

    port.deliver(Buffer.from([0x3c, 0xff, 0x3e]));

    expect(printer.lines).toEqual(['<\ufffd>']);
  });

  it('ignores datagrams from anyone but the server', () => {
    const { port, printer, session } = setUp();

    port.deliver('spoofed', { host: '127.0.0.1', port: 5001 });
    port.deliver('spoofed', { host: '127.0.0.2', port: 5000 });

    expect(printer.lines).toEqual([]);
    expect(session.foreignDatagrams).toBe(2);
  });
});
