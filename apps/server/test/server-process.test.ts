/**
 * The server as a process: its debug log, its counters, shutting down, surviving bad input; and
 * chatcluster starting and stopping a cluster.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '@chat/protocol';
import {
  CLUSTER_MAIN,
  SERVER_MAIN,
  SpawnedProcess,
  waitUntilAnswering,
} from './fixtures/cluster.js';
import { pickFreePorts } from './fixtures/free-ports.js';
import { TestClient } from './fixtures/test-client.js';

const LOG_LINE = /^\d\d:\d\d:\d\d\.\d{6} S01 \S/;
const NO_KEY_WARNING =
  'chatserver: warning: no cluster key (--key-file or CHAT_KEY_FILE): server-to-server ' +
  'datagrams are not authenticated, so anyone who can send from a configured address can forge them';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A config file listing `ports` (one server each), removed after the test. */
async function writeConfig(ports: readonly number[]): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'chat-process-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, 'cluster.conf');
  await writeFile(path, ports.map((port) => `127.0.0.1:${port}\n`).join(''));
  return path;
}

function start(name: string, args: readonly string[]): SpawnedProcess {
  const started = SpawnedProcess.start(name, args);
  cleanups.push(() => started.stop());
  return started;
}

describe('chatserver process', () => {
  it('-v logs one `hh:mm:ss.uuuuuu Snn text` line per event, and SIGTERM exits 0', async () => {
    const [port] = await pickFreePorts(1);
    const config = await writeConfig([port!]);
    const server = start('S1', [SERVER_MAIN, '-v', '-o', 'fifo', config, '1']);
    const address = { host: '127.0.0.1', port: port! };
    await waitUntilAnswering(address, [server]);
    await using alice = await TestClient.open(address);
    await alice.request('/join 2');
    alice.send('Hi');
    await alice.nextDatagram();
    await alice.request('/nick Alice');
    await alice.request('/part');
    alice.send('/quit');
    await alice.request('/part');

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    const lines = server.capturedOutput.trimEnd().split('\n');
    // Without a key, one warning (on stderr) and nothing but log lines.
    expect(lines.filter((line) => line === NO_KEY_WARNING)).toHaveLength(1);
    for (const line of lines.filter((line) => line !== NO_KEY_WARNING))
      expect(line).toMatch(LOG_LINE);
    const log = lines.join('\n');
    const client = `Client 127.0.0.1:${alice.port}`;
    expect(log).toMatch(
      /S01 Server 1 of 1 starts in fifo mode on 127\.0\.0\.1:\d+.*socket buffers/,
    );
    expect(log).toContain(`${client} joins chat room #2`);
    expect(log).toContain(`${client} posts "Hi" to chat room #2`);
    expect(log).toContain(
      `Delivers "<127.0.0.1:${alice.port}> Hi" (S01#1) to 1 clients in chat room #2`,
    );
    expect(log).toContain(`${client} is now known as "Alice"`);
    expect(log).toContain(`${client} leaves chat room #2`);
    expect(log).toContain(`${client} quits`);
    expect(log).toMatch(/Shutting down on SIGTERM/);
  });

  it('prints its counters on SIGUSR1, even without -v', async () => {
    const [port] = await pickFreePorts(1);
    const config = await writeConfig([port!]);
    const server = start('S1', [SERVER_MAIN, config, '1']);
    await waitUntilAnswering({ host: '127.0.0.1', port: port! }, [server]);
    server.child.kill('SIGUSR1');
    const stats = await server.waitForOutput(/^.* S01 Stats .*$/m);
    expect(stats).toMatch(LOG_LINE);
    expect(stats).toMatch(/ clients=\d+ /);
    expect(stats).toMatch(/ server\.clientDatagrams=\d+ /);
    expect(stats).toMatch(/ engine\.deliveries=0\b/);
    expect(stats).toMatch(/ memory\.rssBytes=[1-9]\d* memory\.heapUsedBytes=[1-9]\d*/);
  });

  it('with a key file, starts without the warning and says its traffic is authenticated', async () => {
    const [port] = await pickFreePorts(1);
    const config = await writeConfig([port!]);
    const key = join(dirname(config), 'cluster.key');
    await writeFile(key, 'a cluster key of sufficient length\n');
    const server = start('S1', [SERVER_MAIN, '-v', '--key-file', key, config, '1']);
    await waitUntilAnswering({ host: '127.0.0.1', port: port! }, [server]);
    expect(await server.waitForOutput(/S01 Server 1 of 1 starts .*/)).toMatch(
      /server traffic authenticated \(epoch \d{13}\)/,
    );
    expect(server.capturedOutput).not.toContain('warning');
  });

  it('drops and counts bad datagrams from peers and keeps serving', async () => {
    // Stand in for server 2 at its address (bound before the config names it, so no other test
    // can take the port meanwhile): anything from there is peer traffic.
    const peer = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise((resolve) => peer.close(() => resolve())));
    const [port] = await pickFreePorts(1);
    const config = await writeConfig([port!, peer.address().port]);
    const server = start('S1', [SERVER_MAIN, config, '1']);
    const address = { host: '127.0.0.1', port: port! };
    await waitUntilAnswering(address, [server]);
    await using alice = await TestClient.open(address);
    await alice.request('/join 1');

    const send = (datagram: Uint8Array): void => peer.send(datagram, port, '127.0.0.1');
    send(new TextEncoder().encode('/join 1')); // foreign: a peer's datagram is never a client line
    send(Uint8Array.of(0xc5, 0x53, 0x63, 0x01)); // unsupported version
    send(Uint8Array.of(0xc5, 0x53, 0x01, 0xff, 0x00)); // malformed
    send(
      encodeFrame({
        from: 1,
        messages: [
          { kind: 'status', view: 1, received: [0, 0], delivered: [0, 0], stable: 0, safe: 0 },
        ],
      }),
    ); // spoofed
    // A well-formed heartbeat: taken (the server may then try to form a view with the stand-in,
    // which never answers, and go on without it).
    send(
      encodeFrame({
        from: 2,
        messages: [
          {
            kind: 'heartbeat',
            incarnation: 1,
            view: 0,
            promised: 0,
            coordinator: 1,
            unheard: [],
            leftOut: [],
          },
        ],
      }),
    );

    // The bad datagrams did no harm: the server still serves its client.
    alice.send('still here');
    expect(await alice.nextDatagram()).toBe(`<${alice.defaultNickname}> still here`);
    server.child.kill('SIGUSR1');
    const stats = await server.waitForOutput(/^.* S01 Stats .*$/m);
    expect(stats).toMatch(/ peers\.messagesIn=1\b/);
    expect(stats).toMatch(/ peers\.dropped\.foreign=1\b/);
    expect(stats).toMatch(/ peers\.dropped\.unsupported-version=1\b/);
    expect(stats).toMatch(/ peers\.dropped\.malformed=1\b/);
    expect(stats).toMatch(/ peers\.dropped\.spoofed=1\b/);
    expect(server.running).toBe(true);
  });

  it('survives bad client input: invalid UTF-8, overlong lines, empty datagrams', async () => {
    const [port] = await pickFreePorts(1);
    const config = await writeConfig([port!]);
    const server = start('S1', [SERVER_MAIN, config, '1']);
    const address = { host: '127.0.0.1', port: port! };
    await waitUntilAnswering(address, [server]);
    await using alice = await TestClient.open(address);
    await alice.request('/nick A');
    await alice.request('/join 1');
    alice.send(Uint8Array.of(0x68, 0xff, 0xfe, 0x69));
    expect(await alice.nextDatagram()).toBe('<A> h\ufffd\ufffdi');
    expect(await alice.request('x'.repeat(5000))).toMatch(/^-ERR Message too long/);
    alice.send(new Uint8Array(0)); // an empty line is a line like any other: posted
    expect(await alice.nextDatagram()).toBe('<A> ');
    expect(server.running).toBe(true);
  });
});

describe('chatcluster process', () => {
  it('starts one server per config line, says how to attach, and stops them all on SIGTERM', async () => {
    const ports = await pickFreePorts(2);
    const config = await writeConfig(ports);
    const cluster = start('chatcluster', [CLUSTER_MAIN, '-o', 'total', config]);
    for (const port of ports) await waitUntilAnswering({ host: '127.0.0.1', port }, [cluster]);
    for (const port of ports) {
      expect(cluster.capturedOutput).toContain(`chatclient 127.0.0.1:${port}`);
    }
    await using alice = await TestClient.open({ host: '127.0.0.1', port: ports[0]! });
    await using bob = await TestClient.open({ host: '127.0.0.1', port: ports[1]! });
    await alice.request('/join 1');
    await bob.request('/join 1');
    alice.send('across the cluster');
    expect(await bob.nextDatagram()).toBe(`<${alice.defaultNickname}> across the cluster`);

    cluster.child.kill('SIGTERM');
    expect((await cluster.exited).code).toBe(0);
    // The servers are gone: their ports can be bound again.
    for (const port of ports) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  });
});
