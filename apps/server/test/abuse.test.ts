/**
 * Hostile input against real processes: three keyed servers (and a fourth config line the test
 * stands in for, so that it can send from a configured server address) get malformed commands,
 * empty, binary and 64 KB datagrams, terminal escapes, forged server frames from a client port and
 * from the fourth server's address with the wrong key, then a flood of 50,000 datagrams. Afterwards
 * every server still answers, its memory is back near where it started, and a normal post reaches
 * every server's clients.
 *
 * Memory: the servers are not run with --expose-gc, so a collection cannot be forced; garbage from
 * the flood may still be on the heap when the second stats line is read. The bound is therefore
 * generous (+50 MB over the start, for heap and RSS alike): it catches what matters, state that
 * grows with the input (a registry, a buffer or a queue without a limit), which would take far
 * more after 50,000 datagrams, without failing on when the collector last ran.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '@chat/ordering';
import { encodeFrame, type SocketAddress } from '@chat/protocol';
import { hmacSha256Authenticator } from '../src/hmac-authenticator.js';
import { TestCluster, waitUntilAnswering } from './fixtures/cluster.js';
import { TempDirectory } from './fixtures/temp-directory.js';
import type { TestClient } from './fixtures/test-client.js';

const SERVERS = 3;
const FLOOD_DATAGRAMS = 50_000;
/** Sent between two pauses, so that neither the test process nor the kernel's queues balloon. */
const FLOOD_BATCH = 500;
const FLOOD_SENDERS = 40;
const MEMORY_GROWTH_BYTES_MAX = 50 * 1024 * 1024;
const ROOM_RANGE = '-ERR Room must be a number from 1 to 10';
const NOT_IN_ROOM = '-ERR You are not in any chat room';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A UDP socket on a free loopback port, standing in for a configured server that is absent. */
async function bindImpostor(): Promise<Socket & AsyncDisposable & { at: SocketAddress }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  // Replies and the servers' traffic for the absent server arrive here; they are not needed.
  socket.on('message', () => undefined);
  return Object.assign(socket, {
    at: { host: '127.0.0.1', port: socket.address().port },
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  });
}

/** Reads datagrams until `line` arrives; returns everything read (at most `datagramsMax`). */
async function receiveUntil(
  client: TestClient,
  line: string,
  datagramsMax = 50,
): Promise<string[]> {
  const received: string[] = [];
  while (received.length < datagramsMax) {
    const datagram = await client.nextDatagram();
    received.push(datagram);
    if (datagram === line) return received;
  }
  throw new Error(`no '${line}' in ${datagramsMax} datagrams: ${JSON.stringify(received)}`);
}

/** Datagrams per second a client may send in this test (the default is 5,000). */
const FLOOD_CLIENT_RATE_MAX = 200;

/** What the flooder posts: binary, escapes, overlong lines; never a command. */
function floodPost(index: number): Uint8Array {
  switch (index % 4) {
    case 0: {
      const bytes = randomBytes(1 + (index % 200));
      if (bytes[0] === 0x2f) bytes[0] = 0x78; // not a command
      return bytes;
    }
    case 1:
      return encode(`\x1b]0;pwned ${index}\x07\x1b[2J`);
    case 2:
      return encode('y'.repeat(1 + (index % 1200)));
    default:
      return encode(`flood ${index}`);
  }
}

/** What the strangers send: a mix of everything hostile, none of it a /join or /nick. */
function floodDatagram(index: number): Uint8Array {
  switch (index % 8) {
    case 0:
      return randomBytes(1 + (index % 200)); // binary, NULs included
    case 1:
      return encode(
        `/join ${['-1', '0', '11', 'x', '', '1e3', '99999999999999999999'][index % 7]}`,
      );
    case 2:
      return encode(`/\x1b[${index % 97}m\x00${'z'.repeat(index % 300)}`);
    case 3:
      return new Uint8Array(0);
    case 4:
      return index % 400 === 4 ? new Uint8Array(65_507).fill(0x41) : encode('x'.repeat(1001));
    case 5:
      return Uint8Array.of(0xc5, 0x53, 0x02, ...randomBytes(60)); // looks like a server frame
    case 6:
      return encode(`/part ${index}`);
    default:
      return encode(`\x1b]0;pwned ${index}\x07`);
  }
}

describe('abuse', () => {
  it('keeps every server alive, bounded and delivering through hostile input and a flood', async () => {
    await using keys = await TempDirectory.create('chat-abuse-');
    const keyBytes = randomBytes(32);
    const keyPath = await keys.write('cluster.key', keyBytes);
    await using impostor = await bindImpostor();
    await using cluster = await TestCluster.start({
      servers: SERVERS,
      absentServers: [impostor.at],
      // A rate limit far below what a flooder sends even on a busy machine (it sends 25,000
      // posts in a few seconds), so the limit is certain to be reached.
      serverArgs: ['--key-file', keyPath, '--client-rate-max', String(FLOOD_CLIENT_RATE_MAX)],
    });
    const servers = [1, 2, 3];
    const before = await Promise.all(servers.map((index) => cluster.counters(index)));

    // Listeners in room 1, one per server: they must get the normal post and nothing forged.
    const listeners = await Promise.all(servers.map((index) => cluster.client(index)));
    await using mallory = await cluster.client(1);
    await using forger = await cluster.client(2);
    await using flooder = await cluster.client(2);
    const floodSenders = await Promise.all(
      Array.from({ length: FLOOD_SENDERS }, (_, i) => cluster.client((i % SERVERS) + 1)),
    );
    try {
      for (const [position, listener] of listeners.entries()) {
        await listener.request(`/nick listener${position + 1}`);
        await listener.request('/join 1');
      }

      // Malformed commands, one reply each.
      expect(await mallory.request('')).toBe(NOT_IN_ROOM);
      expect(await mallory.request(new Uint8Array(65_507).fill(0x78))).toBe(
        '-ERR Message too long (at most 1000 bytes)',
      );
      expect(await mallory.request(Uint8Array.of(0x00, 0xff, 0x00, 0x1b, 0x00))).toBe(NOT_IN_ROOM);
      for (const room of ['', ' ', '-1', '0', '11', '99999999999999999999', 'abc', '3x']) {
        expect(await mallory.request(`/join ${room}`), room).toBe(ROOM_RANGE);
      }
      expect(await mallory.request(`/nick ${'n'.repeat(10_000)}`)).toBe(
        '-ERR Nickname must be at most 32 characters',
      );
      expect(await mallory.request('/nick \x1b[2J')).toBe(
        '-ERR Nickname must not contain control characters',
      );
      expect(await mallory.request(`/${'\x1b'.repeat(10_000)}`)).toBe(
        `-ERR Unknown command /${'\\x1b'.repeat(24)}...`,
      );
      // Escapes in a post reach the others escaped.
      await mallory.request('/join 1');
      mallory.send('\x1b[2J\x1b]0;pwned\x07');
      const escaped = `<${mallory.defaultNickname}> \\x1b[2J\\x1b]0;pwned\\x07`;
      for (const listener of listeners) expect(await listener.nextDatagram()).toBe(escaped);
      expect(await mallory.nextDatagram()).toBe(escaped);

      // A server frame, sealed with the right key even, from a client port is a client's line.
      const forgedPost: PeerMessage = {
        kind: 'post',
        view: 1,
        seq: 1,
        room: 1,
        payload: encode('<forged> from a client port'),
      };
      const sealed = encodeFrame(
        { from: 1, epoch: Date.now(), messages: [forgedPost] },
        hmacSha256Authenticator(keyBytes),
      );
      expect(await forger.request(sealed)).toBe(NOT_IN_ROOM);

      // From the absent server's address: a wrong key, no key, someone else's name, garbage.
      const wrongKey = hmacSha256Authenticator(randomBytes(32));
      const forgedFrames = [
        encodeFrame({ from: 4, epoch: Date.now(), messages: [forgedPost] }, wrongKey),
        encodeFrame({ from: 1, epoch: Date.now(), messages: [forgedPost] }, wrongKey),
        encodeFrame({ from: 4, messages: [forgedPost] }),
        encodeFrame({
          from: 4,
          messages: [{ kind: 'nak', view: 1, writer: 1, first: 1, last: 1000 }],
        }),
      ];
      for (const address of cluster.clientAddresses) {
        for (const frame of forgedFrames) impostor.send(frame, address.port, address.host);
        impostor.send(encode('/join 1'), address.port, address.host);
      }
      // Each server handles its socket's datagrams in order: once a client's later command is
      // answered, the forged frames have been handled.
      for (const listener of listeners) {
        expect(await listener.request('/join 1')).toBe('-ERR You are already in room #1');
      }

      // The flood: a flooder in room 2 posting as fast as it can, and strangers sending garbage.
      await flooder.request('/nick flooder');
      await flooder.request('/join 2');
      for (let sent = 0; sent < FLOOD_DATAGRAMS; sent += FLOOD_BATCH) {
        for (let index = sent; index < sent + FLOOD_BATCH; index++) {
          if (index % 2 === 0) flooder.send(floodPost(index / 2));
          else floodSenders[index % FLOOD_SENDERS]!.send(floodDatagram(index));
        }
        await setImmediate();
      }

      // Alive: every server answers a new client.
      for (const [position, address] of cluster.clientAddresses.entries()) {
        await waitUntilAnswering(address, [cluster.servers[position]!]);
      }
      const after = await Promise.all(servers.map((index) => cluster.counters(index)));

      // Delivering: a normal post reaches every server's listener; nothing forged ever did.
      listeners[0]!.send('still standing');
      const line = '<listener1> still standing';
      for (const listener of listeners) {
        const received = await receiveUntil(listener, line);
        expect(received.filter((datagram) => datagram.includes('<forged>'))).toEqual([]);
      }

      for (const [position, counters] of after.entries()) {
        const name = `S${position + 1}`;
        expect(counters['server.internalErrors'], name).toBe(0);
        expect(counters['peers.dropped.unauthenticated'], name).toBe(forgedFrames.length);
        expect(counters['peers.dropped.foreign'], name).toBe(1);
        for (const memory of ['memory.rssBytes', 'memory.heapUsedBytes']) {
          expect(counters[memory], `${name} ${memory}`).toBeLessThan(
            before[position]![memory]! + MEMORY_GROWTH_BYTES_MAX,
          );
        }
      }
      const flooded = after[1]!;
      expect(flooded['server.clientDatagramsOverRate']).toBeGreaterThan(0);
      expect(flooded['server.slowDownReplies']).toBeGreaterThan(0);

      const megabytes = (bytes: number | undefined): string =>
        `${((bytes ?? 0) / 1024 / 1024).toFixed(1)} MB`;
      console.info(
        [
          `abuse: ${FLOOD_DATAGRAMS} flood datagrams; the normal post reached ${listeners.length} of ${listeners.length} servers`,
          ...after.map(
            (counters, position) =>
              `S${position + 1}: client datagrams ${counters['server.clientDatagrams']}, ` +
              `over rate ${counters['server.clientDatagramsOverRate']}, ` +
              `delivered ${counters['server.deliveryDatagrams']}, ` +
              `unauthenticated ${counters['peers.dropped.unauthenticated']}, ` +
              `rss ${megabytes(before[position]!['memory.rssBytes'])} -> ${megabytes(counters['memory.rssBytes'])}, ` +
              `heap ${megabytes(before[position]!['memory.heapUsedBytes'])} -> ${megabytes(counters['memory.heapUsedBytes'])}`,
          ),
        ].join('\n'),
      );
    } finally {
      await Promise.all([...listeners, ...floodSenders].map((client) => client.close()));
    }
  });
});
