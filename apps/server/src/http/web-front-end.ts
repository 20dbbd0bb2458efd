import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { formatSocketAddress, type ServerAddresses, type SocketAddress } from '@chat/protocol';
import type { HttpOptions } from '../cli.js';
import type { ServerMetrics } from './server-metrics.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';
import type { ClusterInfo, Health, MembershipView, ServerStatsSnapshot } from './web-api.js';
import { WebSocketClients, refuseUpgrade, type LineHandler } from './websocket-clients.js';
import { HTTP_CONNECTIONS_EXTRA, HTTP_HEADERS_TIMEOUT_MS } from './websocket-limits.js';

/** What the front end serves: the chat server's lines, counters and view. */
export interface ServedChatServer extends LineHandler {
  /** The Stats line's counters (with the process's memory). */
  stats(): Record<string, number>;
  view(): MembershipView | undefined;
}

export interface WebFrontEndOptions {
  readonly http: HttpOptions;
  readonly index: number;
  readonly mode: string;
  readonly roomCount: number;
  readonly servers: readonly ServerAddresses[];
  /** Each WebSocket client's rate, burst and idle period: those of the UDP clients. */
  readonly clientRateMax: number;
  readonly clientBurstMax: number;
  readonly clientIdleMsMax: number;
  /** Where the built pages are (dist/web). */
  readonly staticDirectory: URL;
  readonly metrics: ServerMetrics;
  readonly clock: () => number;
}

/** Page paths and the file each serves. */
const PAGES: Readonly<Record<string, string>> = {
  '/': 'chat.html',
  '/dashboard': 'dashboard.html',
  '/chat.js': 'chat.js',
  '/dashboard.js': 'dashboard.js',
  '/style.css': 'style.css',
};

/**
 * One TCP port for browsers and operators: the chat page (`/`), the dashboard (`/dashboard`),
 * WebSocket clients (`/ws`), `/healthz`, `/metrics` (Prometheus) and the JSON the pages poll
 * (`/api/cluster`, `/api/stats`). The read-only endpoints answer any origin (CORS `*`), so the
 * page and dashboard served by one server can poll all the others; they expose nothing a
 * scrape does not.
 */
export class WebFrontEnd {
  readonly clients: WebSocketClients;
  private readonly startedMs: number;
  private readonly securityPolicy: string;

  private constructor(
    private readonly options: WebFrontEndOptions,
    private readonly chat: ServedChatServer,
    private readonly files: ReadonlyMap<string, StaticFile>,
    private readonly server: Server,
  ) {
    this.startedMs = options.clock();
    this.clients = new WebSocketClients(chat, {
      connectionsMax: options.http.wsConnectionsMax,
      messagesPerSecondMax: options.clientRateMax,
      messagesBurstMax: options.clientBurstMax,
      idleMsMax: options.clientIdleMsMax,
      clock: options.clock,
    });
    // The pages may talk to every server of the cluster, and load nothing from anywhere else.
    const origins = (options.http.cluster ?? []).flatMap((address) => [
      `http://${formatSocketAddress(address)}`,
      `ws://${formatSocketAddress(address)}`,
    ]);
    this.securityPolicy = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src 'self' ${origins.join(' ')}`.trim(),
      "img-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    server.on('request', this.onRequest);
    server.on('upgrade', this.onUpgrade);
    // What Node answers by itself, but without a stack of keep-alive: one status, then hang up.
    server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    });
  }

  /** Loads the pages and listens; rejects when they are not built or the port is taken. */
  static async open(options: WebFrontEndOptions, chat: ServedChatServer): Promise<WebFrontEnd> {
    const files = await loadStaticFiles(options.staticDirectory);
    const server = createServer({
      headersTimeout: HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: HTTP_HEADERS_TIMEOUT_MS,
    });
    server.maxConnections = options.http.wsConnectionsMax + HTTP_CONNECTIONS_EXTRA;
    const front = new WebFrontEnd(options, chat, files, server);
    const { host, port } = options.http.listen;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return front;
  }

  get address(): SocketAddress {
    const bound = this.server.address();
    if (bound === null || typeof bound === 'string') return this.options.http.listen;
    return { host: bound.address, port: bound.port };
  }

  /** Closes every WebSocket (1001), then the listening socket and any idle HTTP connection. */
  async close(): Promise<void> {
    await this.clients.shutDown();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The Stats keys with the WebSocket clients' counters (`websocket.*`). */
  stats(): Record<string, number> {
    const stats = this.chat.stats();
    for (const [key, value] of Object.entries(this.clients.stats()))
      stats[`websocket.${key}`] = value;
    return stats;
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(request) !== '/ws') {
      refuseUpgrade(socket, 404, 'No WebSocket endpoint here: connect to /ws');
      this.clients.counters.upgradesRefused += 1;
      return;
    }
    this.clients.upgrade(request, socket, head);
  };

  private readonly onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    this.route(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendText(
          response,
          500,
          `Internal error: ${error instanceof Error ? error.message : String(error)}`,
        );
      } else {
        response.destroy();
      }
    });
  };

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = pathOf(request);
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') {
      response.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, HEAD' });
      response.end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD, OPTIONS');
      sendText(response, 405, 'Only GET and HEAD');
      return;
    }
    const page = PAGES[path];
    if (page !== undefined) {
      this.sendFile(request, response, page);
      return;
    }
    switch (path) {
      case '/healthz':
        sendJson(response, this.health());
        return;
      case '/api/cluster':
        sendJson(response, this.clusterInfo());
        return;
      case '/api/stats':
        sendJson(response, await this.statsSnapshot());
        return;
      case '/metrics': {
        const text = await this.options.metrics.scrape();
        response.writeHead(200, {
          ...CORS,
          'Content-Type': this.options.metrics.contentType,
          'Cache-Control': 'no-store',
        });
        response.end(text);
        return;
      }
      case '/ws':
        sendText(response, 426, 'This is the WebSocket endpoint: connect with a WebSocket client', {
          Upgrade: 'websocket',
        });
        return;
      default:
        sendText(response, 404, 'Not found');
    }
  }

  private sendFile(request: IncomingMessage, response: ServerResponse, name: string): void {
    const file = this.files.get(name);
    if (file === undefined) {
      sendText(response, 404, 'Not found');
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': file.contentType,
      'Cache-Control': 'no-cache',
      ETag: file.etag,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (file.contentType.startsWith('text/html'))
      headers['Content-Security-Policy'] = this.securityPolicy;
    if (request.headers['if-none-match'] === file.etag) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    const body = gzip ? file.gzipped : file.body;
    if (gzip) headers['Content-Encoding'] = 'gzip';
    headers['Content-Length'] = String(body.byteLength);
    response.writeHead(200, headers);
    response.end(body);
  }

  private uptimeSeconds(): number {
    return Math.round((this.options.clock() - this.startedMs) / 1000);
  }

  private health(): Health {
    const view = this.chat.view() ?? null;
    return {
      status: view === null || view.primary ? 'ok' : 'minority',
      index: this.options.index,
      mode: this.options.mode,
      uptimeSeconds: this.uptimeSeconds(),
      clients: this.chat.stats().clients ?? 0,
      websocketConnections: this.clients.size,
      view,
    };
  }

  private clusterInfo(): ClusterInfo {
    const { cluster, listen } = this.options.http;
    const view = this.chat.view();
    return {
      self: this.options.index,
      mode: this.options.mode,
      roomCount: this.options.roomCount,
      servers: this.options.servers.map((server, position) => {
        const index = position + 1;
        const own = index === this.options.index && listen.host !== '0.0.0.0' ? listen : undefined;
        const http = cluster?.[position] ?? own;
        return {
          index,
          udp: formatSocketAddress(server.bind),
          http: http === undefined ? null : `http://${formatSocketAddress(http)}`,
          inView: view === undefined ? null : view.members.includes(index),
        };
      }),
    };
  }

  private async statsSnapshot(): Promise<ServerStatsSnapshot> {
    return {
      index: this.options.index,
      mode: this.options.mode,
      uptimeSeconds: this.uptimeSeconds(),
      stats: this.stats(),
      view: this.chat.view() ?? null,
      latency: await this.options.metrics.latencySummary(),
    };
  }
}

/** Read-only endpoints answer any origin: the pages of every server of the cluster poll them. */
const CORS = { 'Access-Control-Allow-Origin': '*' };

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function sendJson(response: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(200, {
    ...CORS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(`${text}\n`);
}
