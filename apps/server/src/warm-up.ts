import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { SocketAddress } from '@chat/protocol';
import { DebugLog } from './debug-log.js';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import { ChatServer, type ChatServerOptions } from './server.js';
import { InMemoryNetwork } from './testing/in-memory-network.js';

/**
 * Posts the warm-up makes in all. A fresh server runs its first thousands of posts in V8's
 * interpreter and baseline compiler, compiling each function the first time it runs; measured on
 * a fresh cluster, that is most of a p99 of tens of ms in its first second. About this many posts
 * through every hot path gets them optimized, for a few hundred ms of CPU before the socket opens.
 */
export const WARM_UP_POSTS = 3_000;
/** Servers in the throwaway cluster: enough for fan-out and total order's sequencer to run. */
const WARM_UP_SERVERS_MAX = 3;
const CLIENTS_PER_SERVER = 2;
/** Posts per client between two event-loop turns (when the servers flush to their peers). */
const POSTS_PER_TURN = 4;
/** Cluster key of the throwaway cluster: its frames are sealed and checked as the real ones. */
const WARM_UP_KEY_BYTES = 32;
/** Turns the throwaway cluster gets to finish its last posts: far more than total order needs. */
const SETTLE_TURNS_MAX = 100;
/**
 * How long the throwaway servers get to install their first view together (a few heartbeats and
 * round trips; the membership runs on real timers). Past it the warm-up goes on anyway: posts made
 * before the view are held, or refused once too many wait, which costs the warm-up, not the server.
 */
const FIRST_VIEW_WAIT_MS_MAX = 5_000;
const WAIT_POLL_MS = 5;
/** How long the last posts get to be delivered everywhere (total order waits for acknowledgements). */
const SETTLE_WAIT_MS_MAX = 2_000;

const utf8 = new TextEncoder();

/** What the throwaway servers did, for tests: the warm-up must really post and deliver. */
export interface WarmUpSummary {
  readonly posted: number;
  /** Datagrams the throwaway servers sent to their clients. */
  readonly deliveries: number;
  readonly refused: number;
}

/**
 * Runs the hot paths of a server — client commands, posting, the engine's post / receive /
 * deliver, frame packing, sealing and decoding, fan-out — on a throwaway cluster of ChatServers
 * wired to an in-memory network, with the real server's mode, limits and logging, so that V8 has
 * compiled and optimized them before the first real datagram. Nothing is sent on any socket and
 * nothing is logged; the throwaway servers and their counters are dropped afterwards.
 */
export async function warmUp(
  options: ChatServerOptions,
  posts = WARM_UP_POSTS,
): Promise<WarmUpSummary> {
  const serverCount = Math.min(options.servers.length, WARM_UP_SERVERS_MAX);
  const network = new InMemoryNetwork();
  const address = (host: number, port: number): SocketAddress => ({
    host: `10.255.0.${host}`,
    port,
  });
  const config = Array.from({ length: serverCount }, (_, i) => ({
    forward: address(i + 1, 5000),
    bind: address(i + 1, 5000),
  }));
  const authenticator =
    options.sealing === undefined
      ? undefined
      : hmacSha256Authenticator(randomBytes(WARM_UP_KEY_BYTES));
  const discard = { write: (): void => undefined };
  const servers = config.map(
    ({ bind }, position) =>
      new ChatServer(
        {
          ...options,
          index: position + 1,
          servers: config,
          sealing:
            authenticator === undefined
              ? undefined
              : { epoch: options.sealing!.epoch, authenticator },
          multicast: undefined,
          log: new DebugLog(options.log.enabled, position + 1, discard),
        },
        network.endpoint(bind),
      ),
  );
  try {
    const clients = Array.from({ length: serverCount * CLIENTS_PER_SERVER }, (_, i) => {
      const endpoint = network.endpoint(address(100 + i, 40_000 + i));
      return { index: i, endpoint, server: config[i % serverCount]!.bind };
    });
    const say = (client: (typeof clients)[number], line: string): void =>
      client.endpoint.send(utf8.encode(line), client.server);
    for (const client of clients) {
      say(client, `/nick w${client.index}`);
      say(client, `/join 1`);
    }
    const turn = async (): Promise<void> => {
      network.deliverInFlight();
      await nextTurn();
      network.deliverInFlight();
    };
    await turn();
    const deadline = performance.now() + FIRST_VIEW_WAIT_MS_MAX;
    while (
      servers.some((server) => server.view().members.length < serverCount) &&
      performance.now() < deadline
    ) {
      await sleep(WAIT_POLL_MS);
      await turn();
    }
    const rounds = Math.ceil(posts / (clients.length * POSTS_PER_TURN));
    let seq = 0;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < POSTS_PER_TURN; i++, seq++) {
        for (const client of clients) say(client, `${client.index}.${seq}`);
      }
      await turn();
    }
    // What the servers still owe each other (total order's last agreements, which wait for the
    // acknowledgements' timers), then the other commands once each.
    const total = (key: string): number =>
      servers.reduce((sum, server) => sum + (server.stats()[key] ?? 0), 0);
    const expected = seq * clients.length * clients.length;
    const settleDeadline = performance.now() + SETTLE_WAIT_MS_MAX;
    for (
      let i = 0;
      i < SETTLE_TURNS_MAX && network.inFlightCount + network.deliverInFlight() > 0;
      i++
    ) {
      await turn();
    }
    while (total('server.deliveryDatagrams') < expected && performance.now() < settleDeadline) {
      await sleep(WAIT_POLL_MS);
      await turn();
    }
    for (const client of clients) {
      say(client, '/part');
      say(client, '/quit');
    }
    await turn();
    return {
      posted: seq * clients.length,
      deliveries: total('server.deliveryDatagrams'),
      refused: total('server.postsRefused'),
    };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}
