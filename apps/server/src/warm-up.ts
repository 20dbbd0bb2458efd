import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { UdpBindError, UdpEndpoint } from '@chat/transport';
import { CLIENT_IDLE_MS_DEFAULT, CLIENT_RATE_MAX_LIMIT } from './cli.js';
import { DebugLog } from './debug-log.js';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import { ChatServer, type ChatServerOptions } from './server.js';

/**
 * Posts the warm-up makes in all. A fresh server runs its first thousands of posts in V8's
 * interpreter and baseline compiler, compiling each function the first time it runs, its own and
 * node:dgram's; measured on a fresh cluster, that is most of a p99 of tens of ms in its first
 * second. About this many posts through every hot path gets them optimized, for a few hundred ms
 * of CPU before the socket opens.
 */
export const WARM_UP_POSTS = 3_000;
/** Servers in the throwaway cluster: enough for fan-out and total order's sequencer to run. */
const WARM_UP_SERVERS_MAX = 3;
const CLIENTS_PER_SERVER = 2;
/** Posts per client in one go, before the warm-up lets the event loop run the sockets. */
const POSTS_PER_ROUND = 4;
/**
 * Rounds sent but not yet delivered everywhere, at most: the warm-up paces itself by the
 * deliveries, so that it neither fills the post window nor overflows a socket buffer.
 */
const ROUNDS_IN_FLIGHT_MAX = 4;
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
  const serverCount = Math.min(options.servers.length, WARM_UP_SERVERS_MAX);
  const clientCount = serverCount * CLIENTS_PER_SERVER;
  const configuredPorts = new Set(
    options.servers.flatMap(({ forward, bind }) => [forward.port, bind.port]),
  );
  const endpoints = await openEndpoints(
    serverCount + clientCount,
    options.batchSends ?? true,
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
    for (const [position, endpoint] of serverEndpoints.entries()) {
      const server = new ChatServer(
        {
          ...options,
          index: position + 1,
          servers: config,
          // The warm-up's clients post in bursts and wait for the view: neither may cost them.
          clientRateMax: CLIENT_RATE_MAX_LIMIT,
          clientIdleMsMax: CLIENT_IDLE_MS_DEFAULT,
          sealing:
            authenticator === undefined
              ? undefined
              : { epoch: options.sealing!.epoch, authenticator },
          multicast: undefined,
          log: new DebugLog(options.log.enabled, position + 1, discard),
        },
        endpoint,
      );
      servers.push(server);
    }
    const clients = endpoints.slice(serverCount).map((endpoint, index) => {
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
    for (const client of clients) {
      say(client, `/nick w${client.index}`);
      say(client, `/join 1`);
    }
    const viewDeadline = performance.now() + FIRST_VIEW_WAIT_MS_MAX;
    await runUntil(
      () =>
        servers.every((server) => server.view().members.length === serverCount) ||
        performance.now() > viewDeadline,
    );
    const rounds = Math.ceil(posts / (clients.length * POSTS_PER_ROUND));
    const postsPerRound = POSTS_PER_ROUND * clients.length;
    // Each post reaches every client (all are in room 1), unless it was refused.
    const delivered = (rounds: number): number => rounds * postsPerRound * clients.length;
    const accounted = (): number =>
      total('server.deliveryDatagrams') + total('server.postsRefused') * clients.length;
    let seq = 0;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < POSTS_PER_ROUND; i++, seq++) {
        for (const client of clients) say(client, `${client.index}.${seq}`);
      }
      const caughtUp = round + 1 - ROUNDS_IN_FLIGHT_MAX;
      if (!(await runUntil(() => accounted() >= delivered(caughtUp)))) break;
    }
    // The last posts (total order's last agreements wait for acknowledgements), then the other
    // commands once each.
    await runUntil(() => accounted() >= seq * clients.length * clients.length);
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
  batchSends: boolean,
  avoidedPorts: ReadonlySet<number>,
): Promise<UdpEndpoint[] | undefined> {
  const endpoints: UdpEndpoint[] = [];
  // Held while the others are bound, so that the OS does not hand the same port out again.
  const avoided: UdpEndpoint[] = [];
  try {
    while (endpoints.length < count) {
      const endpoint = await UdpEndpoint.open({
        bind: { host: WARM_UP_HOST, port: 0 },
        batchSends,
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
