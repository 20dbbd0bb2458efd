import { createSocket, type Socket } from 'node:dgram';
import { DeliveryLedger, type LedgerSummary } from './delivery-ledger.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

export interface WorkloadOptions {
  /** Where clients send: each server's bind address. Client i talks to server i mod S. */
  readonly servers: readonly ServerAddress[];
  readonly clientCount: number;
  readonly roomCount: number;
  readonly messagesPerClient: number;
  /** Posted messages per second across all clients; undefined = as fast as the window allows. */
  readonly ratePerSecond: number | undefined;
  /** Own messages a client may have posted and not yet seen echoed. */
  readonly windowPerClient: number;
  /** Give up when nothing arrives for this long. */
  readonly idleTimeoutMs: number;
  readonly onProgress?: (progress: WorkloadProgress) => void;
}

export interface WorkloadProgress {
  readonly posted: number;
  readonly postTarget: number;
  readonly deliveries: number;
  readonly expectedDeliveries: number;
}

export interface WorkloadResult extends LedgerSummary {
  readonly clientCount: number;
  readonly roomCount: number;
  readonly serverCount: number;
  /** From the first post to the last post / last delivery. */
  readonly postingMs: number;
  readonly deliveringMs: number;
  /** Posts the servers refused under back-pressure (`-ERR Server busy`), and the deliveries they cost. */
  readonly busyReplies: number;
  readonly refusedDeliveries: number;
  readonly unexpectedDatagrams: number;
}

const SETUP_RETRY_MS = 300;
const SETUP_ATTEMPTS_MAX = 20;
const RATE_TICK_MS = 1;
const PROGRESS_INTERVAL_MS = 250;
const CLIENT_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Spreads each room over every server: client i is on server i mod S, in room floor(i / S) mod G + 1. */
export function roomOfClient(client: number, serverCount: number, roomCount: number): number {
  return (Math.floor(client / serverCount) % roomCount) + 1;
}

interface LoadClient {
  readonly index: number;
  readonly socket: Socket;
  readonly server: ServerAddress;
  nextSeq: number;
  /** Own messages posted and not yet echoed back. */
  inFlight: number;
  /** Resolves the pending setup step when its reply arrives. */
  awaitReply: ((line: string) => void) | undefined;
}

/** Posts `messagesPerClient` lines from every client and accounts for every delivery. */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const { servers, clientCount, roomCount, messagesPerClient } = options;
  const clientRooms = Array.from({ length: clientCount }, (_, i) =>
    roomOfClient(i, servers.length, roomCount),
  );
  const ledger = new DeliveryLedger(clientRooms, messagesPerClient);
  const postTarget = clientCount * messagesPerClient;
  const clients = await Promise.all(
    clientRooms.map((_, index) => openClient(index, servers[index % servers.length]!)),
  );
  let posted = 0;
  let deliveries = 0;
  let busyReplies = 0;
  let refusedDeliveries = 0;
  const roomSizes = new Map<number, number>();
  for (const room of clientRooms) roomSizes.set(room, (roomSizes.get(room) ?? 0) + 1);
  let unexpectedDatagrams = 0;
  let firstPostMs = Number.NaN;
  let lastPostMs = Number.NaN;
  let lastDeliveryMs = Number.NaN;
  let lastProgressMs = performance.now();
  const windowed = options.ratePerSecond === undefined;

  const post = (client: LoadClient, seq: number): void => {
    const nowMs = performance.now();
    if (Number.isNaN(firstPostMs)) firstPostMs = nowMs;
    lastPostMs = nowMs;
    ledger.recordPosted(client.index, seq, nowMs);
    client.socket.send(`${client.index}.${seq}`, client.server.port, client.server.host);
  };
  const postNext = (client: LoadClient): boolean => {
    if (client.nextSeq >= messagesPerClient) return false;
    client.inFlight += 1;
    posted += 1;
    post(client, client.nextSeq++);
    return true;
  };

  for (const client of clients) {
    client.socket.on('message', (data) => {
      const nowMs = performance.now();
      const line = data.toString('latin1');
      if (client.awaitReply !== undefined) {
        client.awaitReply(line);
        return;
      }
      const delivered = parseDelivery(line);
      if (delivered === undefined) {
        if (line.startsWith('-ERR Server busy')) {
          // Back-pressure: the server refused a post, which therefore reaches no one. Which of the
          // client's posts it was is not said, so it is counted, not retried.
          busyReplies += 1;
          refusedDeliveries += roomSizes.get(clientRooms[client.index]!)!;
          client.inFlight -= 1;
          if (windowed) postNext(client);
        } else {
          unexpectedDatagrams += 1;
        }
        return;
      }
      if (!ledger.recordDelivered(client.index, delivered.sender, delivered.seq, nowMs)) {
        unexpectedDatagrams += 1;
        return;
      }
      deliveries += 1;
      lastDeliveryMs = nowMs;
      lastProgressMs = nowMs;
      if (delivered.sender === client.index) {
        client.inFlight -= 1;
        if (windowed) postNext(client);
      }
    });
  }

  for (const client of clients) {
    const room = clientRooms[client.index]!;
    await request(client, `/nick c${client.index}`, ['+OK Nickname']);
    // A lost reply makes the retry find the client already in the room: that is success too.
    await request(client, `/join ${room}`, [
      '+OK You are now',
      `-ERR You are already in room #${room}`,
    ]);
  }

  const expectedDeliveries = ledger.expectedDeliveries;
  await new Promise<void>((resolve) => {
    const startedMs = performance.now();
    lastProgressMs = startedMs;
    let rateTimer: NodeJS.Timeout | undefined;
    if (windowed) {
      for (const client of clients) {
        for (let i = 0; i < options.windowPerClient; i++) postNext(client);
      }
    } else {
      let cursor = 0;
      rateTimer = setInterval(() => {
        const due =
          Math.floor(((performance.now() - startedMs) * options.ratePerSecond!) / 1000) - posted;
        for (let i = 0; i < due && posted < postTarget; i++) {
          // Round-robin over clients with messages left.
          for (let tries = 0; tries < clientCount; tries++) {
            const client = clients[cursor]!;
            cursor = (cursor + 1) % clientCount;
            if (postNext(client)) break;
          }
        }
        if (posted >= postTarget) clearInterval(rateTimer);
      }, RATE_TICK_MS);
    }
    const watchdog = setInterval(() => {
      options.onProgress?.({ posted, postTarget, deliveries, expectedDeliveries });
      const idle = performance.now() - lastProgressMs > options.idleTimeoutMs;
      if (deliveries + refusedDeliveries >= expectedDeliveries || idle) {
        clearInterval(watchdog);
        clearInterval(rateTimer);
        resolve();
      }
    }, PROGRESS_INTERVAL_MS);
  });

  await Promise.all(clients.map((client) => closeClient(client)));
  return {
    ...ledger.summary(),
    clientCount,
    roomCount,
    serverCount: servers.length,
    postingMs: lastPostMs - firstPostMs,
    deliveringMs: lastDeliveryMs - firstPostMs,
    busyReplies,
    refusedDeliveries,
    unexpectedDatagrams,
  };
}

/** `<cS> S.Q` → sender S, seq Q. */
function parseDelivery(line: string): { sender: number; seq: number } | undefined {
  const close = line.indexOf('> ');
  if (!line.startsWith('<') || close < 0) return undefined;
  const dot = line.indexOf('.', close);
  if (dot < 0) return undefined;
  const sender = Number(line.slice(close + 2, dot));
  const seq = Number(line.slice(dot + 1));
  return Number.isInteger(sender) && Number.isInteger(seq) ? { sender, seq } : undefined;
}

async function openClient(index: number, server: ServerAddress): Promise<LoadClient> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: CLIENT_RECV_BUFFER_BYTES });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return { index, socket, server, nextSeq: 0, inFlight: 0, awaitReply: undefined };
}

/** Sends a setup command until its reply comes (UDP may lose either). */
async function request(
  client: LoadClient,
  line: string,
  replyPrefixes: readonly string[],
): Promise<void> {
  for (let attempt = 0; attempt < SETUP_ATTEMPTS_MAX; attempt++) {
    const reply = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), SETUP_RETRY_MS);
      client.awaitReply = (received) => {
        clearTimeout(timer);
        resolve(received);
      };
      client.socket.send(line, client.server.port, client.server.host);
    });
    client.awaitReply = undefined;
    if (reply !== undefined && replyPrefixes.some((prefix) => reply.startsWith(prefix))) return;
  }
  const server = `${client.server.host}:${client.server.port}`;
  throw new Error(
    `client ${client.index}: no '${replyPrefixes[0]}' reply to '${line}' from ${server}`,
  );
}

async function closeClient(client: LoadClient): Promise<void> {
  client.socket.send('/quit', client.server.port, client.server.host);
  await new Promise<void>((resolve) => client.socket.close(() => resolve()));
}
