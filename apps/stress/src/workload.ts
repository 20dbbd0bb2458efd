import { clientBindHost } from './client-bind-host.js';
import { createSocket, type Socket } from 'node:dgram';
import { DeliveryLedger, type LedgerSummary } from './delivery-ledger.js';
import { parseDeliveryLine, type ParsedDelivery } from './delivery-line.js';
import { TraceSample, type TraceSampleData } from './trace-sample.js';
import { udpDropsAtPorts } from './udp-drops.js';

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
  /**
   * Messages posted in this first stretch of the run are checked like the others, but left out of
   * the latencies and the posting rate: the servers' JIT compiler is still at work then. Load also
   * ramps up over it, as on a real server: a fixed rate from 0, a window from 1.
   */
  readonly warmupMs?: number;
  /** Keep a sample of messages with all their times, for the space-time diagram. */
  readonly traceSample?: boolean;
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
  /** Posts per second after the warm-up, to the last post (over the whole run without one). */
  readonly postedPerSecond: number;
  /** Deliveries per second after the warm-up, to the last delivery (likewise). */
  readonly deliveredPerSecond: number;
  /** CPU time (user + system) this process spent from the first post to the last delivery. */
  readonly generatorCpuMs: number;
  /** Posts the servers refused under back-pressure (`-ERR Server busy`), and the deliveries they cost. */
  readonly busyReplies: number;
  readonly refusedDeliveries: number;
  readonly unexpectedDatagrams: number;
  /** E.g. ICMP port unreachable while a server was down: counted, the run goes on. */
  readonly socketErrors: number;
  /**
   * Datagrams the kernel dropped at the clients' sockets because this generator read too slowly:
   * losses that are the generator's, not the servers'. Undefined without /proc.
   */
  readonly clientDrops: number | undefined;
  readonly trace: TraceSampleData | undefined;
}

const SETUP_RETRY_MS = 300;
const SETUP_ATTEMPTS_MAX = 20;
const RATE_TICK_MS = 1;
const PROGRESS_INTERVAL_MS = 250;
const CLIENT_RECV_BUFFER_BYTES = 4 * 1024 * 1024;
const BUSY_REPLY = '-ERR Server busy';
const MINUS = 0x2d;

/**
 * Client i is on server i mod S and in room floor(i * G / C) + 1: rooms differ in size by at most
 * one member, and each room's members are spread over the servers.
 */
export function roomOfClient(client: number, clientCount: number, roomCount: number): number {
  return Math.floor((client * roomCount) / clientCount) + 1;
}

interface LoadClient {
  readonly index: number;
  readonly socket: Socket;
  readonly server: ServerAddress;
  readonly room: number;
  nextSeq: number;
  /** Own posts not yet echoed (or refused): the closed loop keeps it at the window. */
  inFlight: number;
  /** Resolves the pending setup step when its reply arrives. */
  awaitReply: ((line: string) => void) | undefined;
}

/** Posts `messagesPerClient` lines from every client and accounts for every delivery. */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const { servers, clientCount, roomCount, messagesPerClient } = options;
  const clientRooms = Array.from({ length: clientCount }, (_, i) =>
    roomOfClient(i, clientCount, roomCount),
  );
  const clientServers = clientRooms.map((_, i) => i % servers.length);
  const roomSizes = new Map<number, number>();
  for (const room of clientRooms) roomSizes.set(room, (roomSizes.get(room) ?? 0) + 1);
  const ledger = new DeliveryLedger(clientRooms, messagesPerClient);
  const trace = options.traceSample
    ? new TraceSample(clientServers, clientRooms, servers.length, messagesPerClient)
    : undefined;
  const postTarget = clientCount * messagesPerClient;
  const expectedDeliveries = ledger.expectedDeliveries;
  const clients = await Promise.all(
    clientRooms.map((room, index) => openClient(index, servers[clientServers[index]!]!, room)),
  );
  const windowed = options.ratePerSecond === undefined;
  const parsed: ParsedDelivery = { sender: 0, seq: 0 };
  let posted = 0;
  let deliveries = 0;
  let busyReplies = 0;
  let refusedDeliveries = 0;
  let unexpectedDatagrams = 0;
  const warmupMs = options.warmupMs ?? 0;
  let firstPostMs = Number.NaN;
  let lastPostMs = Number.NaN;
  let warmupEndMs = Number.NaN;
  let postedAfterWarmup = 0;
  let deliveredAfterWarmup = 0;
  let lastDeliveryMs = Number.NaN;
  let lastProgressMs = performance.now();
  let socketErrors = 0;
  let cpuAtFirstPost = process.cpuUsage();
  let generatorCpuMs = Number.NaN;
  let finish: (() => void) | undefined;

  const postNext = (client: LoadClient): boolean => {
    const seq = client.nextSeq;
    if (seq >= messagesPerClient) return false;
    client.nextSeq = seq + 1;
    client.inFlight += 1;
    posted += 1;
    const nowMs = performance.now();
    if (Number.isNaN(firstPostMs)) {
      firstPostMs = nowMs;
      cpuAtFirstPost = process.cpuUsage();
      warmupEndMs = nowMs + warmupMs;
      ledger.measureLatencyFrom(warmupEndMs);
      trace?.start(nowMs);
    }
    lastPostMs = nowMs;
    if (nowMs >= warmupEndMs) postedAfterWarmup += 1;
    ledger.recordPosted(client.index, seq, nowMs);
    trace?.recordPosted(client.index, seq, nowMs);
    // Connected socket: no address to resolve per send.
    client.socket.send(`${client.index}.${seq}`);
    return true;
  };

  /**
   * Closed loop: posts until the client has its window of unechoed posts. During the warm-up the
   * window grows from 1 to `windowPerClient`, so cold servers are not hit with the full window.
   */
  const topUp = (client: LoadClient, nowMs: number): void => {
    const sinceStartMs = Number.isNaN(firstPostMs) ? 0 : nowMs - firstPostMs;
    const window =
      sinceStartMs >= warmupMs
        ? options.windowPerClient
        : Math.max(1, Math.ceil((options.windowPerClient * sinceStartMs) / warmupMs));
    while (client.inFlight < window && postNext(client));
  };

  const onDatagram = (client: LoadClient, data: Buffer): void => {
    const nowMs = performance.now();
    if (client.awaitReply !== undefined) {
      client.awaitReply(data.toString('latin1'));
      return;
    }
    if (!parseDeliveryLine(data, parsed)) {
      if (data[0] === MINUS && data.toString('latin1').startsWith(BUSY_REPLY)) {
        // Back-pressure: the server refused a post, which therefore reaches no one. Which of the
        // client's posts it was is not said, so it is counted, not retried.
        busyReplies += 1;
        refusedDeliveries += roomSizes.get(client.room)!;
        client.inFlight -= 1;
        if (windowed) topUp(client, nowMs);
        checkDone(nowMs);
      } else {
        unexpectedDatagrams += 1;
      }
      return;
    }
    const { sender, seq } = parsed;
    if (!ledger.recordDelivered(client.index, sender, seq, nowMs)) {
      unexpectedDatagrams += 1;
      return;
    }
    trace?.recordDelivered(client.index, sender, seq, nowMs);
    deliveries += 1;
    if (nowMs >= warmupEndMs) deliveredAfterWarmup += 1;
    lastDeliveryMs = nowMs;
    lastProgressMs = nowMs;
    if (sender === client.index) {
      client.inFlight -= 1;
      if (windowed) topUp(client, nowMs);
    }
    checkDone(nowMs);
  };

  const checkDone = (nowMs: number): void => {
    if (deliveries + refusedDeliveries < expectedDeliveries) return;
    lastProgressMs = nowMs;
    finish?.();
  };

  for (const client of clients) {
    client.socket.on('message', (data: Buffer) => onDatagram(client, data));
    client.socket.on('error', () => {
      socketErrors += 1;
    });
  }
  await Promise.all(
    clients.map(async (client) => {
      await request(client, `/nick c${client.index}`, ['+OK Nickname']);
      // A lost reply makes the retry find the client already in the room: that is success too.
      await request(client, `/join ${client.room}`, [
        '+OK You are now',
        `-ERR You are already in room #${client.room}`,
      ]);
    }),
  );

  await new Promise<void>((resolve) => {
    const startedMs = performance.now();
    lastProgressMs = startedMs;
    let rateTimer: NodeJS.Timeout | undefined;
    const watchdog = setInterval(() => {
      options.onProgress?.({ posted, postTarget, deliveries, expectedDeliveries });
      if (performance.now() - lastProgressMs > options.idleTimeoutMs) finish?.();
    }, PROGRESS_INTERVAL_MS);
    finish = () => {
      finish = undefined;
      const cpu = process.cpuUsage(cpuAtFirstPost);
      generatorCpuMs = (cpu.user + cpu.system) / 1000;
      clearInterval(watchdog);
      clearInterval(rateTimer);
      resolve();
    };
    if (windowed) {
      for (const client of clients) topUp(client, performance.now());
    } else {
      let cursor = 0;
      const ratePerSecond = options.ratePerSecond!;
      rateTimer = setInterval(() => {
        const due =
          Math.floor(postsDue(performance.now() - startedMs, ratePerSecond, warmupMs)) - posted;
        for (let i = 0; i < due && posted < postTarget; i++) {
          // Round-robin over clients with messages left.
          for (let tries = 0; tries < clientCount; tries++) {
            const client = clients[cursor]!;
            cursor = cursor + 1 === clientCount ? 0 : cursor + 1;
            if (postNext(client)) break;
          }
        }
        if (posted >= postTarget) clearInterval(rateTimer);
      }, RATE_TICK_MS);
    }
  });

  const clientDrops = udpDropsAtPorts(new Set(clients.map(({ socket }) => socket.address().port)));
  await Promise.all(clients.map((client) => closeClient(client)));
  return {
    ...ledger.summary(),
    clientCount,
    roomCount,
    serverCount: servers.length,
    postingMs: lastPostMs - firstPostMs,
    deliveringMs: lastDeliveryMs - firstPostMs,
    postedPerSecond: eventsPerSecond(postedAfterWarmup, lastPostMs - warmupEndMs),
    deliveredPerSecond: eventsPerSecond(deliveredAfterWarmup, lastDeliveryMs - warmupEndMs),
    generatorCpuMs,
    busyReplies,
    refusedDeliveries,
    unexpectedDatagrams,
    socketErrors,
    clientDrops,
    trace: trace?.data(),
  };
}

/** `count` events in `ms`, per second; NaN when there is nothing to measure. */
function eventsPerSecond(count: number, ms: number): number {
  return count > 0 && ms > 0 ? (count * 1000) / ms : Number.NaN;
}

/**
 * Posts due `elapsedMs` into a fixed-rate run: the rate ramps up linearly from 0 over `rampMs`,
 * then holds at `ratePerSecond`.
 */
export function postsDue(elapsedMs: number, ratePerSecond: number, rampMs: number): number {
  const perMs = ratePerSecond / 1000;
  if (elapsedMs >= rampMs) return perMs * (elapsedMs - rampMs / 2);
  return (perMs * elapsedMs * elapsedMs) / (2 * rampMs);
}

async function openClient(index: number, server: ServerAddress, room: number): Promise<LoadClient> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: CLIENT_RECV_BUFFER_BYTES });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, clientBindHost(server.host), () => {
      socket.connect(server.port, server.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  });
  return { index, socket, server, room, nextSeq: 0, inFlight: 0, awaitReply: undefined };
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
      client.socket.send(line);
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
  client.socket.send('/quit');
  await new Promise<void>((resolve) => client.socket.close(() => resolve()));
}
