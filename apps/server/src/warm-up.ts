import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import {
  SEND_BATCH_DATAGRAMS_MAX,
  UdpBindError,
  UdpEndpoint,
  type UdpEndpointOptions,
} from '@chat/transport';
import { CLIENT_IDLE_MS_DEFAULT, CLIENT_RATE_MAX_LIMIT, HEARTBEAT_MS_DEFAULT } from './cli.js';
import { DebugLog } from './debug-log.js';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import { ChatServer, SOCKET_BUFFER_BYTES_REQUESTED, type ChatServerOptions } from './server.js';

/**
 * Posts the warm-up makes in all. A fresh server runs its first thousands of posts in V8's
 * interpreter and baseline compiler, compiling each function the first time it runs, its own and
 * node:dgram's; measured on a fresh cluster, that is most of a p99 of tens of ms in its first
 * second. Fewer posts leave functions that a real load makes hot compiled in its first second
 * instead: those the second cluster's start threw away (below) were still unoptimized after
 * 12,000 posts once acknowledgements had a schedule of their own (StatusSchedule), and a cold
 * FIFO burst at 120,000 posts/s had a median p99 of 16 ms against 4.9 ms after 20,000 (3 servers,
 * 6 runs each). The 8,000 more posts cost about 0.2 s before a server answers its first client
 * (3 servers started together on 2 cores: 1.6 s, against 1.4-1.5 s).
 */
export const WARM_UP_POSTS = 20_000;
/**
 * The share of the posts the first of the two throwaway clusters makes. V8 optimizes a function
 * for what it has seen and throws the optimized code away at the first path it has not (a map, a
 * branch, a call): in a real server's first second that code is compiled again, on two cores
 * beside the load. So the first cluster runs every path a server's first seconds run — its start,
 * clients and peers met for the first time, a full send batch, a quiet spell in which statuses
 * bring nothing new — before most of them are optimized, and the second, with most of the posts,
 * runs them again: its start deoptimizes what the first optimized too early, and its posts
 * optimize it again on the whole feedback. With equal halves, the functions the second start
 * deoptimized (the peer-message codec, the end of a turn) were still unoptimized when the second
 * cluster ended, and were compiled in the real server's first burst.
 */
const FIRST_CLUSTER_POST_SHARE = 0.25;
/** Servers in the throwaway cluster: enough for fan-out and total order's sequencer to run. */
const WARM_UP_SERVERS_MAX = 3;
const CLIENTS_PER_SERVER = 2;
/** Posts per client in one go, before the warm-up lets the event loop run the sockets. */
const POSTS_PER_ROUND = 4;
/**
 * Every this many rounds, every post of the round is long, as real clients' lines may be: frames
 * of long posts take the codec's paths for runs of 254 bytes and more, and a turn's posts no longer
 * fit one datagram, so frames are split (paths that short posts never reach, and that a real
 * server's first burst would otherwise compile, throwing away the optimized code around them).
 */
const LONG_ROUND_EVERY = 8;
const LONG_POST_TEXT = 'w'.repeat(300);
/**
 * Rounds sent but not yet delivered everywhere, at most: the warm-up paces itself by the
 * deliveries, so that it neither fills the post window nor overflows a socket buffer.
 */
const ROUNDS_IN_FLIGHT_MAX = 4;
/**
 * Heartbeats the first cluster idles for once its posts are delivered, and how long at most: with a
 * long `--heartbeat-ms` the server would otherwise wait minutes to serve, for a warm-up that only
 * saves it milliseconds.
 */
const QUIET_SPELL_HEARTBEATS = 3;
const QUIET_SPELL_MS_MAX = 1_000;
const FILLER_DATAGRAM = new Uint8Array(1);
/** Cluster key of the throwaway cluster: its frames are sealed and checked as the real ones. */
const WARM_UP_KEY_BYTES = 32;
/**
 * How long the throwaway servers get to install their first view together (a few heartbeats and
 * round trips; the membership runs on real timers). Past it the warm-up goes on anyway: posts made
 * before the view are held, or refused once too many wait, which costs the warm-up, not the server.
 */
const FIRST_VIEW_WAIT_MS_MAX = 5_000;
const WAIT_POLL_MS = 5;
/** How long the warm-up waits for the deliveries, all in all: a busy machine may be slow. */
const DELIVERY_WAIT_MS_MAX = 10_000;
/**
 * The throwaway cluster's sockets: the real path (node:dgram, batched sends) on loopback, on an
 * address of its own. On 127.0.0.1 its ephemeral ports could be the very ports other servers
 * starting on the same host (a test cluster, a local cluster) were just given and are about to
 * bind there. Its ports also avoid every configured port, for a cluster configured on this address.
 */
const WARM_UP_HOST = '127.0.0.2';

const utf8 = new TextEncoder();

/** What the throwaway servers did, for tests: the warm-up must really post and deliver. */
export interface WarmUpSummary {
  readonly posted: number;
  /** Datagrams the throwaway servers sent to their clients. */
  readonly deliveries: number;
  readonly refused: number;
}

/**
 * Runs the hot paths of a server — node:dgram's receive path, client commands, posting, the
 * engine's post / receive / deliver, frame packing, sealing and decoding, fan-out, batched sends —
 * on a throwaway cluster of ChatServers and clients talking over loopback sockets (WARM_UP_HOST),
 * with the real server's mode, limits and logging, so that V8 has compiled and optimized them
 * before the first real datagram. Nothing leaves the host and nothing is logged; the throwaway
 * servers, their sockets and their counters are dropped afterwards.
 */
export async function warmUp(
  options: ChatServerOptions,
  posts = WARM_UP_POSTS,
): Promise<WarmUpSummary> {
  const firstPosts = Math.ceil(posts * FIRST_CLUSTER_POST_SHARE);
  const first = await runThrowawayCluster(options, firstPosts, { uncommonPaths: true });
  const second = await runThrowawayCluster(options, posts - firstPosts, { uncommonPaths: false });
  return {
    posted: first.posted + second.posted,
    deliveries: first.deliveries + second.deliveries,
    refused: first.refused + second.refused,
  };
}

/**
 * One throwaway cluster, from its first datagram to its sockets closed; with `uncommonPaths`, also
 * a full send batch and a quiet spell (see FIRST_CLUSTER_POST_SHARE).
 */
async function runThrowawayCluster(
  options: ChatServerOptions,
  posts: number,
  { uncommonPaths }: { readonly uncommonPaths: boolean },
): Promise<WarmUpSummary> {
  const serverCount = Math.min(options.servers.length, WARM_UP_SERVERS_MAX);
  const clientCount = serverCount * CLIENTS_PER_SERVER;
  const configuredPorts = new Set(
    options.servers.flatMap(({ forward, bind }) => [forward.port, bind.port]),
  );
  // One more: the canary's, below. Buffers as the real server's: a client's takes the full send
  // batch below, which a default buffer would mostly drop.
  const endpoints = await openEndpoints(
    serverCount + clientCount + 1,
    {
      batchSends: options.batchSends ?? true,
      batchReceives: options.batchReceives ?? true,
      recvBufferSizeBytes: SOCKET_BUFFER_BYTES_REQUESTED,
      sendBufferSizeBytes: SOCKET_BUFFER_BYTES_REQUESTED,
    },
    configuredPorts,
  );
  // Without a loopback socket there is nothing to warm up with: the server starts cold.
  if (endpoints === undefined) return { posted: 0, deliveries: 0, refused: 0 };
  const servers: ChatServer[] = [];
  try {
    const serverEndpoints = endpoints.slice(0, serverCount);
    const config = serverEndpoints.map(({ address }) => ({ forward: address, bind: address }));
    const authenticator =
      options.sealing === undefined
        ? undefined
        : hmacSha256Authenticator(randomBytes(WARM_UP_KEY_BYTES));
    const discard = { write: (): void => undefined };
    const throwawayOptions = (
      index: number,
      servers: ChatServerOptions['servers'],
    ): ChatServerOptions => ({
      ...options,
      index,
      servers,
      // The warm-up's clients post in bursts and wait for the view: neither may cost them.
      clientRateMax: CLIENT_RATE_MAX_LIMIT,
      clientIdleMsMax: CLIENT_IDLE_MS_DEFAULT,
      sealing:
        authenticator === undefined ? undefined : { epoch: options.sealing!.epoch, authenticator },
      multicast: undefined,
      log: new DebugLog(options.log.enabled, index, discard),
    });
    // The canary, a server of its own one-server cluster, closes (and so does its socket) before
    // any traffic. V8 optimizes a read of a field never written since its object was built on the
    // premise that it stays so, and throws the optimized code away when one object's field is
    // written: closing is that write for the fields that say whether a server or a socket
    // (node:dgram's included) is closed, read on every datagram. Closed after the traffic, the
    // throwaway servers would discard the hot paths' optimized code just as the real server starts.
    const canaryEndpoint = endpoints[serverCount + clientCount]!;
    const canaryConfig = [{ forward: canaryEndpoint.address, bind: canaryEndpoint.address }];
    await new ChatServer(throwawayOptions(1, canaryConfig), canaryEndpoint).close();
    for (const [position, endpoint] of serverEndpoints.entries()) {
      servers.push(new ChatServer(throwawayOptions(position + 1, config), endpoint));
    }
    const clients = endpoints
      .slice(serverCount, serverCount + clientCount)
      .map((endpoint, index) => {
        // What the servers send the clients is counted in the servers' stats.
        endpoint.onDatagram(() => undefined);
        return { index, endpoint, server: config[index % serverCount]!.bind };
      });
    const say = (client: (typeof clients)[number], line: string): void =>
      client.endpoint.send(utf8.encode(line), client.server);
    const total = (key: string): number =>
      servers.reduce((sum, server) => sum + (server.stats()[key] ?? 0), 0);
    const deadline = performance.now() + DELIVERY_WAIT_MS_MAX;
    /** Lets the sockets run until `done` or the deadline; false at the deadline. */
    const runUntil = async (done: () => boolean): Promise<boolean> => {
      await nextTurn();
      while (!done()) {
        if (performance.now() > deadline) return false;
        await sleep(WAIT_POLL_MS);
      }
      return true;
    };
    // A room per client of a server, when the server has that many: every room spans every
    // server, and each server delivers to clients of several rooms, as in a real cluster.
    const roomCount = Math.min(CLIENTS_PER_SERVER, options.roomCount);
    const roomOf = (client: (typeof clients)[number]): number =>
      (Math.floor(client.index / serverCount) % roomCount) + 1;
    for (const client of clients) {
      say(client, `/nick w${client.index}`);
      say(client, `/join ${roomOf(client)}`);
    }
    const viewDeadline = performance.now() + FIRST_VIEW_WAIT_MS_MAX;
    await runUntil(
      () =>
        servers.every((server) => server.view().members.length === serverCount) ||
        performance.now() > viewDeadline,
    );
    if (uncommonPaths) {
      // A full send batch, sent at once instead of at the end of the turn: a real server's first
      // burst fills one. Any endpoint's sends take that path; the other client ignores them.
      const [sender, receiver] = clients;
      for (let i = 0; i < SEND_BATCH_DATAGRAMS_MAX; i++) {
        sender!.endpoint.send(FILLER_DATAGRAM, receiver!.endpoint.address);
      }
    }
    const rounds = Math.ceil(posts / (clients.length * POSTS_PER_ROUND));
    // Each post reaches the clients of its room (rooms are equal), unless it was refused.
    const roomSize = clients.length / roomCount;
    /** Whether every client's posts up to `seq` are accounted for. */
    const caughtUpTo = (seq: number): boolean =>
      total('server.deliveryDatagrams') + total('server.postsRefused') * roomSize >=
      seq * clients.length * roomSize;
    let seq = 0;
    for (let round = 0; round < rounds; round++) {
      const text = round % LONG_ROUND_EVERY === 0 ? ` ${LONG_POST_TEXT}` : '';
      for (let i = 0; i < POSTS_PER_ROUND; i++, seq++) {
        for (const client of clients) say(client, `${client.index}.${seq}${text}`);
      }
      if (!(await runUntil(() => caughtUpTo(seq - POSTS_PER_ROUND * ROUNDS_IN_FLIGHT_MAX)))) break;
    }
    // The last posts (total order's last agreements wait for acknowledgements), then the other
    // commands once each.
    await runUntil(() => caughtUpTo(seq));
    // Heartbeats with nothing new: a real server's first peers send them before its first client.
    // A lone server has no peers to hear them from.
    if (uncommonPaths && serverCount > 1) {
      const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS_DEFAULT;
      await sleep(Math.min(QUIET_SPELL_HEARTBEATS * heartbeatMs, QUIET_SPELL_MS_MAX));
    }
    for (const client of clients) {
      say(client, '/part');
      say(client, '/quit');
    }
    await runUntil(() => servers.every((server) => server.stats().clients === 0));
    return {
      posted: seq * clients.length,
      deliveries: total('server.deliveryDatagrams'),
      refused: total('server.postsRefused'),
    };
  } finally {
    // A server closes its socket; the rest (clients', and any a failed start left) close here.
    await Promise.all([
      ...servers.map((server) => server.close()),
      ...endpoints.map((endpoint) => endpoint.close()),
    ]);
  }
}

/**
 * `count` sockets on loopback, none on a port in `avoidedPorts`, or undefined if one cannot be
 * bound (then none stays open).
 */
async function openEndpoints(
  count: number,
  socketOptions: Omit<UdpEndpointOptions, 'bind'>,
  avoidedPorts: ReadonlySet<number>,
): Promise<UdpEndpoint[] | undefined> {
  const endpoints: UdpEndpoint[] = [];
  // Held while the others are bound, so that the OS does not hand the same port out again.
  const avoided: UdpEndpoint[] = [];
  try {
    while (endpoints.length < count) {
      const endpoint = await UdpEndpoint.open({
        bind: { host: WARM_UP_HOST, port: 0 },
        ...socketOptions,
      });
      (avoidedPorts.has(endpoint.address.port) ? avoided : endpoints).push(endpoint);
    }
    return endpoints;
  } catch (error) {
    await Promise.all(endpoints.map((endpoint) => endpoint.close()));
    if (error instanceof UdpBindError) return undefined;
    throw error;
  } finally {
    await Promise.all(avoided.map((endpoint) => endpoint.close()));
  }
}
