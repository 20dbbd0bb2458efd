/**
 * Fuzzing the servers' whole datagram handler: 70,000 datagrams in CI (times FUZZ_RUNS_MULTIPLIER)
 * into three ChatServers wired in memory, from a pool of client addresses (more than a server
 * admits, one of them flooding) and from the servers' own addresses (replayed and mutated frames
 * the servers really sent, frames with made-up content of every message kind, frames sealed with
 * the wrong key or an earlier run's epoch, random bytes).
 *
 * Throughout: nothing throws, no handler fails (`server.internalErrors` stays 0), the registry and
 * the engine stay within their limits, and no datagram is answered with more than one reply of at
 * most REPLY_BYTES_MAX bytes. Afterwards, once the fuzz clients have idled out, a normal post is
 * delivered: with a key, on every server; without one (where anyone who can send from a server's
 * address can corrupt its peers' view of it: what the key is for), on the sender's own server.
 *
 * Reproduce a failure with the seed it prints: FUZZ_SEED=N.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type NodeId, type OrderingMode, type PeerMessage } from '@chat/ordering';
import {
  REPLY_BYTES_MAX,
  encodeFrame,
  formatSocketAddress,
  type FrameAuthenticator,
  type SocketAddress,
} from '@chat/protocol';
import { CLIENT_BURST_SECONDS } from './cli.js';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import { fuzzRuns, mutate, type Mutation } from '@chat/test-support/fuzz';
import {
  clientDatagramArbitrary,
  mutationsArbitrary,
  peerMessageArbitrary,
} from './testing/fuzz-inputs.js';
import { POST_WINDOW_ENTRIES } from './server.js';
import {
  InMemoryCluster,
  inMemoryServerAddress,
  type InMemoryClient,
} from './testing/in-memory-cluster.js';
import type { SentDatagram } from './testing/in-memory-network.js';

const SERVER_COUNT = 3;
/** Fewer than the client addresses in the pool, so that servers fill up. */
const CLIENTS_MAX = 48;
const CLIENT_POOL_SIZE = 160;
/** Low, so that the flooding address goes over it. */
const CLIENT_RATE_MAX = 20;
const CLIENT_IDLE_MS_MAX = 2_000;
/** Each datagram moves the servers' clock on by this much, so rates and idleness come into play. */
const CLOCK_STEP_MS = 1;
/** Datagrams between two settles (the servers flush to peers, the network delivers). */
const BATCH_SIZE = 1_000;
/** Frames the servers sent each other, kept for replaying. */
const CAPTURED_FRAMES_MAX = 512;
const EPOCH_BASE = 1_700_000_000_000;
const NO_MAJORITY = '-ERR No majority of servers reachable; try again later';
/** chatclient's keepalive: a command no server knows, answered with exactly one reply. */
const KEEPALIVE = '/ping';
const KEEPALIVE_REPLY = '-ERR Unknown command /ping';

const clusterKey = hmacSha256Authenticator(new Uint8Array(32).fill(0x5a));
const wrongKey = hmacSha256Authenticator(new Uint8Array(32).fill(0xa5));

const clientAddress = (index: number): SocketAddress => ({
  host: `192.0.2.${1 + (index % 2)}`,
  port: 40_000 + index,
});

type PeerFrameKind = 'replay' | 'plain' | 'wrong-key' | 'other-epoch' | 'random';

type FuzzCase =
  | {
      readonly kind: 'client';
      readonly server: number;
      readonly client: number;
      readonly data: Uint8Array;
    }
  | {
      readonly kind: 'peer';
      readonly server: number;
      /** The server whose address it comes from. */
      readonly source: NodeId;
      readonly frame: PeerFrameKind;
      /** Inside the frame: may differ from `source` (spoofed). */
      readonly claimedFrom: NodeId;
      readonly messages: readonly PeerMessage[];
      readonly epochDelta: number;
      readonly captured: number;
      readonly mutations: readonly Mutation[];
      readonly randomBytes: Uint8Array;
    };

const serverIndex = fc.integer({ min: 1, max: SERVER_COUNT });

const caseArbitrary = (keyed: boolean): fc.Arbitrary<FuzzCase> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('client' as const),
        server: serverIndex,
        // Address 0 floods: a third of all client datagrams.
        client: fc.oneof(
          { arbitrary: fc.constant(0), weight: 1 },
          { arbitrary: fc.integer({ min: 1, max: CLIENT_POOL_SIZE - 1 }), weight: 2 },
        ),
        data: clientDatagramArbitrary,
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('peer' as const),
        server: serverIndex,
        source: serverIndex,
        frame: fc.constantFrom<PeerFrameKind>(
          'replay',
          'replay',
          'replay',
          'plain',
          'wrong-key',
          ...(keyed ? (['other-epoch'] as const) : []),
          'random',
        ),
        claimedFrom: fc.oneof(
          { arbitrary: fc.constant(0), weight: 4 }, // 0: the same as the source
          { arbitrary: fc.integer({ min: 1, max: SERVER_COUNT + 1 }), weight: 1 },
        ),
        messages: fc.array(peerMessageArbitrary(SERVER_COUNT), { maxLength: 6 }),
        // Earlier runs only: a later epoch sealed with the key can only come from the real server
        // restarted (it then replaces the run its peers knew), or from a key holder, against whom
        // the key protects nothing. Restarts are tested in peer-link.test.ts and server.test.ts.
        epochDelta: fc.integer({ min: -5, max: -1 }),
        captured: fc.nat(),
        mutations: mutationsArbitrary,
        randomBytes: fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          fc.uint8Array({ maxLength: 80 }).map((rest) => Uint8Array.of(0xc5, 0x53, 0x02, ...rest)),
        ),
      }),
    },
  );

interface FuzzSetup {
  readonly mode: OrderingMode;
  readonly authenticator: FrameAuthenticator | undefined;
  readonly cases: number;
}

/** The datagram a peer case sends, built from what the servers have really sent so far. */
function peerDatagram(
  fuzzCase: Extract<FuzzCase, { kind: 'peer' }>,
  captured: readonly Uint8Array[],
  authenticator: FrameAuthenticator | undefined,
): Uint8Array {
  const from = fuzzCase.claimedFrom === 0 ? fuzzCase.source : fuzzCase.claimedFrom;
  const frame = { from, messages: fuzzCase.messages };
  switch (fuzzCase.frame) {
    case 'replay': {
      const original = captured[fuzzCase.captured % Math.max(1, captured.length)];
      return mutate(original ?? encodeFrame(frame), fuzzCase.mutations);
    }
    case 'plain':
      return encodeFrame(frame);
    case 'wrong-key':
      return encodeFrame({ ...frame, epoch: EPOCH_BASE + from }, wrongKey);
    case 'other-epoch':
      // Recorded from an earlier run: sealed with the right key.
      return encodeFrame(
        { ...frame, epoch: EPOCH_BASE + from + fuzzCase.epochDelta },
        authenticator ?? wrongKey,
      );
    case 'random':
      return fuzzCase.randomBytes;
  }
}

function sum(cluster: InMemoryCluster, counter: string): number {
  return cluster.servers.reduce((total, server) => total + (server.stats()[counter] ?? 0), 0);
}

function checkLimits(cluster: InMemoryCluster): void {
  for (const [position, server] of cluster.servers.entries()) {
    const stats = server.stats();
    const name = `S${position + 1}`;
    expect(stats['server.internalErrors'], name).toBe(0);
    expect(stats.clients, name).toBeLessThanOrEqual(CLIENTS_MAX);
    expect(stats['engine.logDepth'], name).toBeLessThanOrEqual(
      POST_WINDOW_ENTRIES * (SERVER_COUNT + 1),
    );
    expect(stats['engine.holdBackDepth'], name).toBeLessThanOrEqual(
      DEFAULT_LIMITS.receiveWindowEntriesMax * (SERVER_COUNT - 1),
    );
  }
}

/**
 * One post delivered on every server before the fuzz: each server has heard from each peer, so
 * (with a key) each peer's epoch is pinned by real traffic. A recording of an earlier run sent
 * before a peer's first datagram would pin the wrong one; SECURITY.md describes that limitation.
 */
async function warmUp(cluster: InMemoryCluster): Promise<void> {
  const room = 10;
  const members = cluster.addresses.map((server, position) => {
    const member = cluster.client({ host: '198.51.100.2', port: 7000 + position });
    member.send(`/join ${room}`, server);
    return { member, server };
  });
  await cluster.settle();
  // A post from every server: each server then has an authenticated frame from every other one,
  // so each peer's epoch is pinned by the real peer before any replayed or forged frame arrives.
  for (const { member, server } of members) member.send('warming up', server);
  await cluster.runUntil(
    () => members.every(({ member }) => member.received.length === 1 + members.length),
    'the warm-up posts reach every server',
  );
  for (const { member, server } of members) member.send('/quit', server);
  await cluster.settle();
}

/**
 * The flooding address registers on every server and goes over its rate at once: whether it would
 * during the fuzz depends on whether it finds the client table full, and on how much real time the
 * run takes (the servers' clock is real time plus the fuzz's steps), which a busy machine changes.
 */
async function floodFirst(cluster: InMemoryCluster): Promise<void> {
  const flooder = cluster.client(clientAddress(0));
  for (const server of cluster.addresses) {
    // The first registers it; a burst's worth more, and one over.
    for (let i = 0; i <= CLIENT_RATE_MAX * CLIENT_BURST_SECONDS + 1; i++) {
      flooder.send('/nick flooder', server);
    }
  }
  await cluster.settle();
}

async function fuzzServers(setup: FuzzSetup, seed: number): Promise<InMemoryCluster> {
  let clockOffsetMs = 0;
  const cluster = new InMemoryCluster({
    servers: SERVER_COUNT,
    mode: setup.mode,
    ...(setup.authenticator === undefined ? {} : { authenticator: setup.authenticator }),
    epochBase: EPOCH_BASE,
    clientsMax: CLIENTS_MAX,
    clientRateMax: CLIENT_RATE_MAX,
    clientIdleMsMax: CLIENT_IDLE_MS_MAX,
    clock: () => performance.now() + clockOffsetMs,
  });
  const serverKeys = new Set(cluster.addresses.map(formatSocketAddress));
  const captured: Uint8Array[] = [];
  let capturedCount = 0;
  /** What the servers send to the address being fuzzed, while its datagram is handled. */
  let watched: { key: string; sent: SentDatagram[] } | undefined;
  cluster.network.onSend((sent) => {
    const to = formatSocketAddress(sent.to);
    if (serverKeys.has(to) && serverKeys.has(formatSocketAddress(sent.from))) {
      // A ring: replays draw on recent frames as well as the first ones.
      captured[capturedCount % CAPTURED_FRAMES_MAX] = sent.data;
      capturedCount += 1;
    }
    if (watched?.key === to) watched.sent.push(sent);
  });

  await warmUp(cluster);
  await floodFirst(cluster);
  const arbitrary = caseArbitrary(setup.authenticator !== undefined);
  for (let done = 0; done < setup.cases; done += BATCH_SIZE) {
    const cases = fc.sample(arbitrary, {
      numRuns: Math.min(BATCH_SIZE, setup.cases - done),
      seed: seed + done,
    });
    for (const [offset, fuzzCase] of cases.entries()) {
      clockOffsetMs += CLOCK_STEP_MS;
      const to = inMemoryServerAddress(fuzzCase.server);
      const from =
        fuzzCase.kind === 'client'
          ? clientAddress(fuzzCase.client)
          : inMemoryServerAddress(fuzzCase.source);
      const data =
        fuzzCase.kind === 'client'
          ? fuzzCase.data
          : peerDatagram(fuzzCase, captured, setup.authenticator);
      watched = { key: formatSocketAddress(from), sent: [] };
      try {
        cluster.network.inject(Buffer.from(data), from, to);
      } catch (error) {
        throw new Error(`case ${done + offset} threw (seed ${seed})`, { cause: error });
      }
      if (fuzzCase.kind === 'client') {
        // Deliveries (`<NICK> TEXT`) go to room members; anything else is a reply.
        const replies = watched.sent.filter(({ data: sent }) => sent[0] !== 0x3c);
        if (replies.length > 1 || replies.some(({ data: sent }) => sent.length > REPLY_BYTES_MAX)) {
          const texts = replies.map(({ data: sent }) => sent.toString('utf8'));
          throw new Error(`case ${done + offset} (seed ${seed}) got ${JSON.stringify(texts)}`);
        }
      }
      watched = undefined;
    }
    await cluster.settle();
    checkLimits(cluster);
  }

  // Every fuzz client goes quiet: the idle sweep forgets them all, and there is room again.
  clockOffsetMs += CLIENT_IDLE_MS_MAX + 1;
  await cluster.runUntil(
    () => cluster.servers.every((server) => server.stats().clients === 0),
    'the idle fuzz clients are forgotten',
  );
  // The fuzz moved the servers' clock on much faster than their peers' datagrams arrived (and by
  // a whole idle period at the end), so they took each other for failed and changed views: with a
  // key, the checks after it start once all three are in one view again. (Without one, forged
  // heartbeats and view changes from the servers' addresses may keep them apart: the key is what
  // protects the membership.)
  if (setup.authenticator !== undefined) {
    await cluster.runUntil(() => cluster.inOneView(), 'the servers are in one view of all three');
  }
  return cluster;
}

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const keyedRuns = fuzzRuns(40_000);
const keylessRuns = fuzzRuns(30_000);

describe(`ChatServer fuzzing (${(keyedRuns + keylessRuns).toLocaleString('en-US')} datagrams, seed ${seed})`, () => {
  it(`survives ${keyedRuns.toLocaleString('en-US')} hostile datagrams with a cluster key (total order), then delivers on every server`, async () => {
    await using cluster = await fuzzServers(
      { mode: 'total', authenticator: clusterKey, cases: keyedRuns },
      seed,
    );
    checkLimits(cluster);
    // The fuzz reached what it is meant to exercise.
    for (const counter of [
      'server.clientDatagramsOverRate',
      'server.slowDownReplies',
      'server.clientsRefusedFull',
      'server.clientsForgottenIdle',
      'peers.dropped.unauthenticated',
      'peers.dropped.replayed',
      'peers.dropped.malformed',
      'engine.duplicatesDropped',
    ]) {
      expect(sum(cluster, counter), counter).toBeGreaterThan(0);
    }

    // Everything posted during the fuzz gets agreed, acknowledged and dropped from the logs.
    await cluster.runUntil(
      () => cluster.servers.every((server) => server.stats()['engine.logDepth'] === 0),
      'every log drains',
    );
    const checkers = [1, 2, 3].map((index) =>
      cluster.client({ host: '198.51.100.1', port: 7000 + index }),
    );
    for (const [position, checker] of checkers.entries()) {
      checker.send(`/nick checker${position + 1}`, inMemoryServerAddress(position + 1));
      checker.send('/join 1', inMemoryServerAddress(position + 1));
    }
    await cluster.settle();
    const speaker = checkers[0]!;
    speaker.send('after the storm', inMemoryServerAddress(1));
    const line = '<checker1> after the storm';
    const answers = (checker: InMemoryClient) =>
      checker.received.filter((received) => received !== KEEPALIVE_REPLY);
    let keptAliveAtMs = performance.now();
    await cluster.runUntil(
      () => {
        // The servers' clock is real time: on a busy machine this wait can outlast the idle
        // period, and a checker forgotten as idle would never hear the post. They send
        // chatclient's keepalive, as a real client waiting this long would.
        if (performance.now() - keptAliveAtMs > CLIENT_IDLE_MS_MAX / 4) {
          for (const [position, checker] of checkers.entries()) {
            checker.send(KEEPALIVE, inMemoryServerAddress(position + 1));
          }
          keptAliveAtMs = performance.now();
        }
        // All three servers run in this process: a stall of it longer than the suspicion timeout
        // (a busy CI machine) makes them suspect each other and split into minority views for a
        // moment. A client told so tries again once they are one view again, as the reply says.
        if (answers(speaker).at(-1) === NO_MAJORITY && cluster.inOneView()) {
          speaker.received.splice(speaker.received.lastIndexOf(NO_MAJORITY), 1);
          speaker.send('after the storm', inMemoryServerAddress(1));
        }
        return checkers.every((checker) => checker.received.includes(line));
      },
      () =>
        // What each checker got, and the views: a failure here on a busy machine says why.
        `a normal post reaches every server; received ${JSON.stringify(checkers.map(answers))}, in one view: ${cluster.inOneView()}`,
    );
    for (const [position, checker] of checkers.entries()) {
      expect(answers(checker)).toEqual([
        `+OK Nickname set to 'checker${position + 1}'`,
        '+OK You are now in chat room #1',
        line,
      ]);
    }
  });

  it(`survives ${keylessRuns.toLocaleString('en-US')} hostile datagrams without a key (FIFO), then delivers locally`, async () => {
    await using cluster = await fuzzServers(
      { mode: 'fifo', authenticator: undefined, cases: keylessRuns },
      seed + 1,
    );
    checkLimits(cluster);
    for (const counter of [
      'server.clientDatagramsOverRate',
      'server.clientsRefusedFull',
      'peers.dropped.unauthenticated',
      'peers.dropped.spoofed',
      'engine.invalidDropped',
    ]) {
      expect(sum(cluster, counter), counter).toBeGreaterThan(0);
    }
    const checker = cluster.client({ host: '198.51.100.1', port: 7001 });
    checker.send('/nick checker', inMemoryServerAddress(1));
    checker.send('/join 1', inMemoryServerAddress(1));
    checker.send('after the storm', inMemoryServerAddress(1));
    const line = '<checker> after the storm';
    await cluster.runUntil(
      () => checker.received.includes(line),
      () => `the checker hears its own post; received ${JSON.stringify(checker.received)}`,
    );
    await cluster.settle();
    // Without a key, views forged from the servers' addresses may still keep them apart, and posts
    // from the fuzz (real ones held up by those views, or forged ones) may reach room 1 when they
    // come together: more deliveries after the two replies, which a key would have prevented.
    expect(checker.received.slice(0, 2)).toEqual([
      "+OK Nickname set to 'checker'",
      '+OK You are now in chat room #1',
    ]);
    expect(checker.received.filter((received) => received === line)).toHaveLength(1);
  });
});
