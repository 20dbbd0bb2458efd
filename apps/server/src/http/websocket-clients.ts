import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ClientChannel } from '../client-registry.js';
import { TokenBucket } from '../token-bucket.js';
import {
  WS_CLOSE,
  WS_CLOSE_WAIT_MS,
  WS_MESSAGE_BYTES_MAX,
  WS_SEND_BUFFER_BYTES_MAX,
} from './websocket-limits.js';

/** What the WebSocket clients need of the chat server. */
export interface LineHandler {
  clientLine(data: Uint8Array, channel: ClientChannel): void;
  clientGone(key: string): void;
}

export interface WebSocketClientsOptions {
  readonly connectionsMax: number;
  /** The same rate, burst and idle period as the server's UDP clients. */
  readonly messagesPerSecondMax: number;
  readonly messagesBurstMax: number;
  readonly idleMsMax: number;
  readonly clock: () => number;
}

/** Idle connections are looked for a few times per idle period, but at least once a minute. */
const IDLE_SWEEP_INTERVAL_MS_MAX = 60_000;
const IDLE_SWEEPS_PER_IDLE_PERIOD = 4;

const utf8Lenient = new TextDecoder('utf-8', { fatal: false });

/** One WebSocket connection: a client of the server whose lines are text messages. */
class WebSocketChannel implements ClientChannel {
  readonly key: string;
  readonly defaultNickname: string;
  lastHeardMs: number;
  readonly inbound: TokenBucket;
  closing = false;

  constructor(
    readonly socket: WebSocket,
    request: IncomingMessage,
    private readonly owner: WebSocketClients,
    options: WebSocketClientsOptions,
    nowMs: number,
  ) {
    // Like a UDP client, it is known by where it comes from; `ws:` keeps the keys of the two
    // transports apart (a TCP and a UDP port may have the same number).
    const address = `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? 0}`;
    this.key = `ws:${address}`;
    this.defaultNickname = address;
    this.lastHeardMs = nowMs;
    this.inbound = new TokenBucket(options.messagesPerSecondMax, options.messagesBurstMax, nowMs);
  }

  /** One reply or delivery: one text message. */
  send(data: Uint8Array): void {
    if (this.closing || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > WS_SEND_BUFFER_BYTES_MAX) {
      this.owner.close(this, WS_CLOSE.slowReader, 'slowReader');
      return;
    }
    // As text: a peer's bytes that are not UTF-8 must not make the browser drop the connection.
    this.socket.send(utf8Lenient.decode(data));
    this.owner.counters.messagesSent += 1;
  }
}

/** Why the server closed connections, each with its counter. */
const CLOSE_COUNTERS = {
  flood: 'closedFlood',
  slowReader: 'closedSlowReader',
  idle: 'closedIdle',
  binary: 'closedBinary',
  full: 'closedFull',
  goingAway: 'closedGoingAway',
} as const;
type CloseCause = keyof typeof CLOSE_COUNTERS;

/**
 * The server's WebSocket clients: each connection to `/ws` is a client of the chat server exactly
 * like a UDP client (its lines go to `clientLine`, its replies and deliveries come back as text
 * messages), with a stream's extra limits: at most `connectionsMax` open, messages of at most
 * WS_MESSAGE_BYTES_MAX bytes, a flood (past the client rate and burst) or a reader that falls
 * WS_SEND_BUFFER_BYTES_MAX behind is disconnected, and so is a connection silent for the idle period.
 */
export class WebSocketClients {
  readonly counters = {
    connectionsAccepted: 0,
    messagesReceived: 0,
    messagesSent: 0,
    upgradesRefused: 0,
    closedFlood: 0,
    closedSlowReader: 0,
    closedIdle: 0,
    closedBinary: 0,
    closedFull: 0,
    closedGoingAway: 0,
    closedTooBig: 0,
    closedInvalidUtf8: 0,
  };
  private readonly channels = new Set<WebSocketChannel>();
  private readonly server: WebSocketServer;
  private readonly idleSweepTimer: NodeJS.Timeout;
  private shuttingDown = false;

  constructor(
    private readonly handler: LineHandler,
    private readonly options: WebSocketClientsOptions,
  ) {
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: WS_MESSAGE_BYTES_MAX,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.server.on('wsClientError', (error: Error, socket: Duplex) => {
      refuseUpgrade(socket, 400, error.message);
      this.counters.upgradesRefused += 1;
    });
    const sweepIntervalMs = Math.min(
      IDLE_SWEEP_INTERVAL_MS_MAX,
      Math.ceil(options.idleMsMax / IDLE_SWEEPS_PER_IDLE_PERIOD),
    );
    this.idleSweepTimer = setInterval(this.closeIdle, sweepIntervalMs).unref();
  }

  get size(): number {
    return this.channels.size;
  }

  /** Bytes queued to clients, all connections together. */
  bufferedBytes(): number {
    let total = 0;
    for (const channel of this.channels) total += channel.socket.bufferedAmount;
    return total;
  }

  stats(): Record<string, number> {
    return {
      connections: this.channels.size,
      bufferedBytes: this.bufferedBytes(),
      ...this.counters,
    };
  }

  /** An HTTP upgrade request (the caller has checked the path). */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.shuttingDown) {
      refuseUpgrade(socket, 503, WS_CLOSE.goingAway.reason);
      this.counters.upgradesRefused += 1;
      return;
    }
    this.server.handleUpgrade(request, socket, head, (webSocket) =>
      this.accept(webSocket, request),
    );
  }

  /** Closes a connection once, counting why; its socket is destroyed if the close is not answered. */
  close(
    channel: WebSocketChannel,
    close: { code: number; reason: string },
    cause: CloseCause,
    detail = '',
  ): void {
    if (channel.closing) return;
    channel.closing = true;
    this.counters[CLOSE_COUNTERS[cause]] += 1;
    channel.socket.close(close.code, `${close.reason}${detail}`);
    setTimeout(() => channel.socket.terminate(), WS_CLOSE_WAIT_MS).unref();
  }

  /** Closes every connection (1001) and waits, at most WS_CLOSE_WAIT_MS, until they are gone. */
  async shutDown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.idleSweepTimer);
    const closed = [...this.channels].map(
      (channel) => new Promise<void>((resolve) => channel.socket.once('close', () => resolve())),
    );
    for (const channel of this.channels) this.close(channel, WS_CLOSE.goingAway, 'goingAway');
    await Promise.all(closed);
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const now = this.options.clock();
    const channel = new WebSocketChannel(socket, request, this, this.options, now);
    // Listened to before anything else: `ws` reports protocol errors (too big, bad UTF-8) here,
    // after closing with the matching code.
    socket.on('error', (error: Error & { code?: string }) => {
      channel.closing = true;
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.counters.closedTooBig += 1;
      else if (error.code === 'WS_ERR_INVALID_UTF8') this.counters.closedInvalidUtf8 += 1;
    });
    if (this.channels.size >= this.options.connectionsMax) {
      this.close(channel, WS_CLOSE.full, 'full', ` (at most ${this.options.connectionsMax})`);
      return;
    }
    this.channels.add(channel);
    this.counters.connectionsAccepted += 1;
    socket.on('message', (data: RawData, isBinary: boolean) =>
      this.onMessage(channel, data, isBinary),
    );
    socket.on('close', () => {
      this.channels.delete(channel);
      this.handler.clientGone(channel.key);
    });
  }

  private onMessage(channel: WebSocketChannel, data: RawData, isBinary: boolean): void {
    if (channel.closing) return;
    const now = this.options.clock();
    channel.lastHeardMs = now;
    this.counters.messagesReceived += 1;
    if (!channel.inbound.take(now)) {
      this.close(
        channel,
        WS_CLOSE.flood,
        'flood',
        ` (at most ${this.options.messagesPerSecondMax} a second)`,
      );
      return;
    }
    if (isBinary) {
      this.close(channel, WS_CLOSE.binary, 'binary');
      return;
    }
    // With the default binary type `ws` hands over one Buffer per message, fragments joined.
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : data;
    this.handler.clientLine(bytes, channel);
  }

  private readonly closeIdle = (): void => {
    const silentSince = this.options.clock() - this.options.idleMsMax;
    for (const channel of this.channels) {
      if (channel.lastHeardMs < silentSince) {
        this.close(
          channel,
          WS_CLOSE.idle,
          'idle',
          ` (${this.options.idleMsMax} ms without a message)`,
        );
      }
    }
  };
}

/** Answers an upgrade that will not become a WebSocket with a plain-text reason, and hangs up. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  503: 'Service Unavailable',
};
