/**
 * WebSocket clients against real servers on loopback: each connection is a client like a UDP one
 * (same replies, same rooms), and every limit closes only the offending connection, with a clear
 * code and reason, while everyone else keeps chatting.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { metricName } from '../src/http/metric-names.js';
import type { ServerStatsSnapshot } from '../src/http/web-api.js';
import { WS_MESSAGE_BYTES_MAX, WS_SEND_BUFFER_BYTES_MAX } from '../src/http/websocket-limits.js';
import { TestWebSocket } from './fixtures/test-websocket.js';
import { WebCluster } from './fixtures/web-cluster.js';

/** Sends raw bytes to an HTTP port and returns everything it answers until it hangs up. */
async function rawHttp(url: string, request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    // A server that hangs up mid-request resets the connection: what it answered still counts.
    socket.on('error', (error) => (answer === '' ? reject(error) : resolve(answer)));
    socket.write(request);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in time')));
  });
}

/** A WebSocket opened by hand on a raw TCP socket, so a test can stop reading it. */
async function rawWebSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(
    'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const [head] = (await once(socket, 'data')) as [Buffer];
  expect(head.toString('latin1')).toMatch(/^HTTP\/1.1 101 /);
  return socket;
}

/** One masked text frame (clients must mask), for a payload under 126 bytes. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = [0x12, 0x34, 0x56, 0x78];
  const masked = payload.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, ...mask]), masked]);
}

async function statsOf(web: WebCluster): Promise<Readonly<Record<string, number>>> {
  const snapshot = (await (await fetch(web.url(1, '/api/stats'))).json()) as ServerStatsSnapshot;
  return snapshot.stats;
}

const wsUrl = (web: WebCluster, index = 1): string => web.url(index, '/ws').replace(/^http/, 'ws');

/** A client in `room` that must keep receiving: the limits disturb nobody else. */
async function bystander(web: WebCluster, room: number): Promise<TestWebSocket> {
  const client = await TestWebSocket.open(wsUrl(web));
  expect(await client.request('/nick bystander')).toBe("+OK Nickname set to 'bystander'");
  expect(await client.request(`/join ${room}`)).toBe(`+OK You are now in chat room #${room}`);
  return client;
}

async function stillChatting(web: WebCluster, watcher: TestWebSocket, room: number): Promise<void> {
  await using udp = await web.cluster.client(1);
  await udp.request('/nick udp');
  await udp.request(`/join ${room}`);
  udp.send('still here');
  expect(await udp.nextDatagram()).toBe('<udp> still here');
  expect(await watcher.nextMessage()).toBe('<udp> still here');
}

describe('WebSocket clients', () => {
  it('get exactly the replies a UDP client gets, and share its rooms', async () => {
    await using web = await WebCluster.start({ servers: 2 });
    await using browser = await TestWebSocket.open(wsUrl(web, 1));
    await using udp = await web.cluster.client(2);
    const script = [
      '/join',
      '/join 99',
      '/part',
      '/nick <x>',
      '/nick alice',
      '/join 3',
      '/join 4',
      '/frob',
    ];
    const overWs: string[] = [];
    const overUdp: string[] = [];
    for (const line of script) {
      overWs.push(await browser.request(line));
      overUdp.push(await udp.request(line.replace('alice', 'bob')));
    }
    expect(overWs).toEqual(overUdp.map((reply) => reply.replace('bob', 'alice')));
    expect(overWs.at(-3)).toBe('+OK You are now in chat room #3');

    browser.send('from the browser');
    udp.send('from udp');
    const expected = ['<alice> from the browser', '<bob> from udp'];
    expect((await Promise.all([browser.nextMessage(), browser.nextMessage()])).sort()).toEqual(
      expected,
    );
    expect((await udp.collect(2)).sort()).toEqual(expected);

    // Too long for the protocol but within the frame limit: the protocol's own reply.
    expect(await browser.request('x'.repeat(WS_MESSAGE_BYTES_MAX))).toMatch(
      /^-ERR Message too long/,
    );
  });

  it('closes a connection that sends a message over the size limit (1009)', async () => {
    await using web = await WebCluster.start({ servers: 1 });
    await using watcher = await bystander(web, 1);
    await using big = await TestWebSocket.open(wsUrl(web));
    big.send('x'.repeat(WS_MESSAGE_BYTES_MAX + 1));
    expect((await big.closed).code).toBe(1009);
    await stillChatting(web, watcher, 1);
    expect((await web.cluster.counters(1))['server.internalErrors']).toBe(0);
  });

  it('closes a flood past the client rate and burst (1008), like no UDP client could be', async () => {
    await using web = await WebCluster.start({
      servers: 1,
      serverArgs: ['--client-rate-max', '20'],
    });
    await using watcher = await bystander(web, 1);
    await using flood = await TestWebSocket.open(wsUrl(web));
    for (let i = 0; i < 500; i++) flood.send('/nick flood');
    expect(await flood.closed).toEqual({
      code: 1008,
      reason: 'Too many messages (at most 20 a second)',
    });
    await stillChatting(web, watcher, 1);
  });

  it('closes a client that does not read what it is sent (1008), bounding what is queued', async () => {
    await using web = await WebCluster.start({ servers: 1 });
    const socket = await rawWebSocket(web.url(1));
    await using slow = Object.assign(socket, {
      [Symbol.asyncDispose]: async () => void socket.destroy(),
    });
    slow.write(maskedTextFrame('/join 1'));
    slow.pause(); // and never reads again
    await expect
      .poll(async () => (await statsOf(web))['websocket.messagesReceived'], { timeout: 10_000 })
      .toBe(1);
    await using poster = await web.cluster.client(1);
    await poster.request('/nick poster');
    await poster.request('/join 1');
    const line = 'y'.repeat(900);
    let stats = await statsOf(web);
    // Within the poster's rate: batches of 500 posts, each room-wide delivery queued to `slow`.
    for (let batch = 0; stats['websocket.closedSlowReader'] === 0 && batch < 100; batch++) {
      for (let i = 0; i < 500; i++) poster.send(line);
      await sleep(200);
      stats = await statsOf(web);
      expect(stats['websocket.bufferedBytes']).toBeLessThanOrEqual(WS_SEND_BUFFER_BYTES_MAX + 2048);
    }
    expect(stats['websocket.closedSlowReader']).toBe(1);
    await using after = await TestWebSocket.open(wsUrl(web));
    expect(await after.request('/join 1')).toBe('+OK You are now in chat room #1');
  });

  it('refuses connections past --ws-connections-max (1013), and takes them again once one leaves', async () => {
    await using web = await WebCluster.start({
      servers: 1,
      serverArgs: ['--ws-connections-max', '2'],
    });
    await using first = await TestWebSocket.open(wsUrl(web));
    await using second = await TestWebSocket.open(wsUrl(web));
    await using third = await TestWebSocket.open(wsUrl(web));
    expect(await third.closed).toEqual({
      code: 1013,
      reason: 'Too many connections, try again later (at most 2)',
    });
    expect(await second.request('/join 1')).toBe('+OK You are now in chat room #1');
    first.socket.close();
    await first.closed;
    // The server sees the close a moment later: retry until the slot is free.
    let fourth: TestWebSocket | undefined;
    for (let attempt = 0; fourth === undefined; attempt++) {
      const candidate = await TestWebSocket.open(wsUrl(web));
      const outcome = await Promise.race([candidate.request('/join 2'), candidate.closed]);
      if (typeof outcome === 'string') {
        expect(outcome).toBe('+OK You are now in chat room #2');
        fourth = candidate;
      } else {
        expect(attempt).toBeLessThan(50);
      }
    }
    await fourth[Symbol.asyncDispose]();
  });

  it('closes binary messages (1003) and invalid UTF-8 (1007)', async () => {
    await using web = await WebCluster.start({ servers: 1 });
    await using watcher = await bystander(web, 1);
    await using binary = await TestWebSocket.open(wsUrl(web));
    binary.send(Buffer.from('/join 1'), { binary: true });
    expect(await binary.closed).toEqual({ code: 1003, reason: 'Text messages only' });
    await using invalid = await TestWebSocket.open(wsUrl(web));
    invalid.send(Buffer.from([0x68, 0xff, 0xfe]), { binary: false });
    expect((await invalid.closed).code).toBe(1007);
    await stillChatting(web, watcher, 1);
  });

  it('answers malformed and misplaced upgrades with a status and a reason, and hangs up', async () => {
    await using web = await WebCluster.start({ servers: 1 });
    const url = web.url(1);
    const upgrade = (path: string, extra = ''): string =>
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`;
    const noKey = await rawHttp(url, upgrade('/ws', 'Sec-WebSocket-Version: 13\r\n'));
    expect(noKey).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(noKey).toContain('Missing or invalid Sec-WebSocket-Key header');
    const badVersion = await rawHttp(
      url,
      upgrade(
        '/ws',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n',
      ),
    );
    expect(badVersion).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    const elsewhere = await rawHttp(
      url,
      upgrade(
        '/chat',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
      ),
    );
    expect(elsewhere).toMatch(/^HTTP\/1.1 404 Not Found\r\n/);
    expect(elsewhere).toContain('connect to /ws');
    expect(await rawHttp(url, 'NONSENSE\r\n\r\n')).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(await rawHttp(url, Buffer.alloc(70_000, 0x41))).toMatch(/^HTTP\/1.1 4\d\d /);
    const plain = await fetch(web.url(1, '/ws'));
    expect(plain.status).toBe(426);
    const stats = (await (await fetch(web.url(1, '/api/stats'))).json()) as {
      stats: Record<string, number>;
    };
    expect(stats.stats['websocket.upgradesRefused']).toBe(3);
    await using after = await TestWebSocket.open(wsUrl(web));
    expect(await after.request('/join 1')).toBe('+OK You are now in chat room #1');
  });

  it('closes a connection silent for --client-idle-ms (4000)', async () => {
    await using web = await WebCluster.start({
      servers: 1,
      // Long enough that a busy machine's pause between open and /join is not idleness.
      serverArgs: ['--client-idle-ms', '2000'],
    });
    await using idle = await TestWebSocket.open(wsUrl(web));
    expect(await idle.request('/join 1')).toBe('+OK You are now in chat room #1');
    expect(await idle.closed).toEqual({
      code: 4000,
      reason: 'Idle too long (2000 ms without a message)',
    });
    // The server forgets the client once its side of the close is done, which may be a moment
    // after the client saw the close frame.
    await expect
      .poll(async () => (await web.cluster.counters(1)).clients, { timeout: 10_000 })
      .toBe(0);
  });
});

describe('HTTP endpoints', () => {
  it('/metrics has every Stats key, the WebSocket counters and the latency of own posts', async () => {
    await using web = await WebCluster.start({ servers: 2 });
    await using alice = await TestWebSocket.open(wsUrl(web, 1));
    await alice.request('/nick alice');
    await alice.request('/join 1');
    alice.send('measured');
    expect(await alice.nextMessage()).toBe('<alice> measured');

    const counters = await web.cluster.counters(1);
    const response = await fetch(web.url(1, '/metrics'));
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const text = await response.text();
    expect(Object.keys(counters).length).toBeGreaterThan(30);
    for (const key of Object.keys(counters)) {
      expect(text).toMatch(new RegExp(`^${metricName(key)} \\d`, 'm'));
    }
    expect(text).toMatch(/^# TYPE chat_engine_log_depth gauge$/m);
    expect(text).toMatch(/^# TYPE chat_server_client_datagrams_total counter$/m);
    expect(text).toMatch(/^chat_websocket_connections 1$/m);
    expect(text).toMatch(/^chat_post_delivery_seconds_count 1$/m);

    expect(await (await fetch(web.url(2, '/healthz'))).json()).toMatchObject({
      status: 'ok',
      index: 2,
      mode: 'unordered',
      view: { id: expect.any(Number) as number, members: [1, 2], primary: true },
    });
    const cluster = (await (await fetch(web.url(2, '/api/cluster'))).json()) as {
      servers: { http: string }[];
    };
    expect(cluster.servers.map((server) => server.http)).toEqual(web.httpUrls);
  });
});
