import { escapeControlCharacters } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import { UDP_PAYLOAD_BYTES_MAX } from '@chat/transport';
import type { LinePrinter } from './line-printer.js';

export const QUIT_COMMAND = '/quit';

/** The part of a UDP endpoint a session uses. */
export interface DatagramPort {
  send(data: Uint8Array, to: SocketAddress): void;
  onDatagram(handler: (data: Buffer, from: SocketAddress) => void): void;
}

export type SendLineOutcome = 'sent' | 'quit' | 'too-long';

/**
 * One client's conversation with its server: typed lines go out as datagrams, datagrams from the
 * server come back as printed lines. Datagrams from anyone else are ignored, so a stray sender
 * cannot put words in the server's mouth.
 */
export class ChatSession {
  #quitSent = false;
  #foreignDatagrams = 0;

  constructor(
    private readonly port: DatagramPort,
    private readonly server: SocketAddress,
    private readonly printer: LinePrinter,
  ) {
    port.onDatagram((data, from) => this.#receive(data, from));
  }

  /** Datagrams ignored because they did not come from the server. */
  get foreignDatagrams(): number {
    return this.#foreignDatagrams;
  }

  /**
   * Sends one typed line (its CR/LF already removed by the line reader) as one datagram.
   * `quit` means the line was `/quit` and the session is over.
   */
  sendLine(line: string): SendLineOutcome {
    const data = Buffer.from(line, 'utf8');
    if (data.length > UDP_PAYLOAD_BYTES_MAX) return 'too-long';
    this.port.send(data, this.server);
    if (line !== QUIT_COMMAND) return 'sent';
    this.#quitSent = true;
    return 'quit';
  }

  /** Tells the server this client is leaving, unless the user already typed `/quit`. */
  quit(): void {
    if (this.#quitSent) return;
    this.#quitSent = true;
    this.port.send(Buffer.from(QUIT_COMMAND, 'utf8'), this.server);
  }

  #receive(data: Buffer, from: SocketAddress): void {
    if (from.port !== this.server.port || from.host !== this.server.host) {
      this.#foreignDatagrams++;
      return;
    }
    // Each datagram is one line; a sender's own line ending would only print as `\n`.
    const text = data.toString('utf8').replace(/\r?\n$/, '');
    this.printer.line(escapeControlCharacters(text));
  }
}
