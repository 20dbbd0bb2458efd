import type { TimestampedLog } from '@chat/app-support';
import { formatSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import { UdpEndpoint } from '@chat/transport';
import {
  LINK_COMMAND_CHARS_MAX,
  applyLinkCommand,
  describeLinkCuts,
  parseLinkCommand,
} from './link-command.js';
import type { LinkCuts } from './link-cuts.js';

/** Only local users may cut links: the socket is bound to loopback. */
export const CONTROL_HOST = '127.0.0.1';

/**
 * The proxy's control socket: one command per datagram (`cut 1,2|3`, `cut 1->3`, `heal`, `links`,
 * see `parseLinkCommand`), applied at once. Each command gets one reply datagram, `+OK links cut:
 * ...` or `-ERR ...`, and one log line, so a test can wait for the reply and an operator sending
 * with `echo cut 1,2\|3 > /dev/udp/127.0.0.1/PORT` can read the proxy's output.
 */
export class ControlSocket implements AsyncDisposable {
  private constructor(
    private readonly endpoint: UdpEndpoint,
    private readonly cuts: LinkCuts,
    private readonly serverCount: number,
    private readonly log: TimestampedLog,
  ) {
    endpoint.onDatagram((data, from) => this.#command(data, from));
  }

  static async open(
    port: number,
    cuts: LinkCuts,
    serverCount: number,
    log: TimestampedLog,
  ): Promise<ControlSocket> {
    const endpoint = await UdpEndpoint.open({ bind: { host: CONTROL_HOST, port } });
    return new ControlSocket(endpoint, cuts, serverCount, log);
  }

  get address(): SocketAddress {
    return this.endpoint.address;
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #command(data: Buffer, from: SocketAddress): void {
    // Decoding a cut-off multi-byte character is harmless: the command is then unknown.
    const text = data.subarray(0, LINK_COMMAND_CHARS_MAX + 1).toString('utf8');
    const parsed = parseLinkCommand(text, this.serverCount);
    let reply: string;
    if (parsed.ok) {
      applyLinkCommand(this.cuts, parsed.command);
      reply = `+OK links cut: ${describeLinkCuts(this.cuts)}`;
    } else {
      reply = `-ERR ${parsed.message}`;
    }
    this.log.line(`Control from ${formatSocketAddress(from)}: '${printable(text)}': ${reply}`);
    this.endpoint.send(Buffer.from(reply, 'utf8'), from);
  }
}

/** The command as the log shows it: trimmed, control characters escaped, at most 200 characters. */
function printable(text: string): string {
  const shown = text.trim().replace(/\p{Cc}/gu, (char) => `\\x${char.charCodeAt(0).toString(16)}`);
  return shown.length > 200 ? `${shown.slice(0, 200)}...` : shown;
}
