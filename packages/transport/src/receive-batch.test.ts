import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RECEIVE_BATCH_DATAGRAMS_MAX } from './receive-batch.js';
import type { SocketAddress } from './socket-address.js';
import { udpBatchAddon } from './udp-batch-addon.js';
import { UdpEndpoint } from './udp-endpoint.js';
import { UDP_PAYLOAD_BYTES_MAX } from './udp-limits.js';

const LOOPBACK = '127.0.0.1';

interface Arrival {
  readonly bytes: Buffer;
  readonly from: SocketAddress;
}

/** Resolves with what `endpoint` receives once it has `count` datagrams (copies of them). */
function collect(endpoint: UdpEndpoint, count: number): Promise<Arrival[]> {
  const arrivals: Arrival[] = [];
  return new Promise((resolve) => {
    endpoint.onDatagram((data, from) => {
      arrivals.push({ bytes: Buffer.from(data), from });
      if (arrivals.length === count) resolve(arrivals);
    });
  });
}

/** Datagram i: its number, then filler up to `size` bytes (every size from empty to the largest). */
function datagram(i: number, size: number): Buffer {
  const bytes = Buffer.alloc(size, i % 251);
  if (size >= 4) bytes.writeUInt32BE(i);
  return bytes;
}

const hasCompiler = (): boolean => {
  try {
    execFileSync(process.env.CC ?? 'cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('the batching addon', () => {
  it('is built at install wherever Linux has a C compiler', () => {
    const expected = process.platform === 'linux' && hasCompiler();
    expect(udpBatchAddon() !== undefined).toBe(expected);
  });
});

// Both paths: recvmmsg through the optional addon (where it was built) and node:dgram alone.
describe.each([true, false])('UdpEndpoint with batchReceives %s', (batchReceives) => {
  const open = (): Promise<UdpEndpoint> =>
    UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      recvBufferSizeBytes: 8 * 1024 * 1024,
      batchReceives,
    });

  it('reads batched exactly when asked and the addon is there', async () => {
    await using endpoint = await open();
    expect(endpoint.receivesBatched).toBe(batchReceives && udpBatchAddon() !== undefined);
  });

  it('delivers many batches of datagrams of every size, each whole, in order, with its source', async () => {
    await using receiver = await open();
    await using first = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    await using second = await UdpEndpoint.open({ bind: { host: '127.0.0.2', port: 0 } });
    const sizes = [0, 1, 3, 4, 100, 1400, 9000, UDP_PAYLOAD_BYTES_MAX];
    const count = RECEIVE_BATCH_DATAGRAMS_MAX * 4 + 7;
    const arrived = collect(receiver, count);
    const sent = Array.from({ length: count }, (_, i) => ({
      bytes: datagram(i, sizes[i % sizes.length]!),
      sender: i % 3 === 0 ? second : first,
    }));
    // All sent in one turn, so the receiver finds many waiting at once.
    for (const { bytes, sender } of sent) sender.send(bytes, receiver.address);

    const arrivals = await arrived;
    const fromEach = (sender: UdpEndpoint): string[] =>
      arrivals
        .filter(({ from }) => from.port === sender.address.port)
        .map(({ bytes }) => bytes.toString('hex'));
    const sentBy = (sender: UdpEndpoint): string[] =>
      sent.filter((item) => item.sender === sender).map(({ bytes }) => bytes.toString('hex'));
    // One sender's datagrams keep their order on loopback; the two senders' interleave.
    expect(fromEach(first)).toEqual(sentBy(first));
    expect(fromEach(second)).toEqual(sentBy(second));
    expect(new Set(arrivals.map(({ from }) => `${from.host}:${from.port}`))).toEqual(
      new Set([first, second].map(({ address }) => `${address.host}:${address.port}`)),
    );
    const bytes = sent.reduce((sum, item) => sum + item.bytes.length, 0);
    expect(receiver.stats).toMatchObject({ datagramsReceived: count, bytesReceived: bytes });
  });

  it('delivers nothing once closed, even datagrams already waiting, and releases the port', async () => {
    const receiver = await open();
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const arrivals: string[] = [];
    receiver.onDatagram((data) => {
      arrivals.push(data.toString());
      // Closing from inside the handler: the rest of this read is not delivered.
      if (arrivals.length === 1) void receiver.close();
    });
    for (let i = 0; i < 10; i++) sender.send(Buffer.from(`d${i}`), receiver.address);
    sender.flush();
    await expect.poll(() => arrivals.length).toBe(1);
    await receiver.close();
    sender.send(Buffer.from('late'), receiver.address);
    sender.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(arrivals).toEqual(['d0']);

    await using again = await UdpEndpoint.open({ bind: receiver.address, batchReceives });
    expect(again.address).toEqual(receiver.address);
  });

  it('keeps a delivered datagram intact after later reads', async () => {
    await using receiver = await open();
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const kept: Buffer[] = [];
    receiver.onDatagram((data) => kept.push(data));
    const count = RECEIVE_BATCH_DATAGRAMS_MAX * 2 + 1;
    for (let i = 0; i < count; i++) sender.send(Buffer.from(`kept ${i}`), receiver.address);
    await expect.poll(() => kept.length).toBe(count);
    expect(kept.map(String)).toEqual(Array.from({ length: count }, (_, i) => `kept ${i}`));
  });

  it('keeps what arrives before the first handler for it, as a server warming up must', async () => {
    await using receiver = await open();
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const count = RECEIVE_BATCH_DATAGRAMS_MAX + 3;
    for (let i = 0; i < count; i++) sender.send(Buffer.from(`early ${i}`), receiver.address);
    sender.flush();
    // Turns of the event loop in which an endpoint that read would have found them.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.stats.datagramsReceived).toBe(0);

    const arrivals = await collect(receiver, count);
    expect(arrivals.map(({ bytes }) => bytes.toString())).toEqual(
      Array.from({ length: count }, (_, i) => `early ${i}`),
    );
    expect(receiver.receivesBatched).toBe(batchReceives && udpBatchAddon() !== undefined);
  });
});

describe.each([true, false])(
  'UdpEndpoint with batchReceives %s, when things go wrong',
  (batchReceives) => {
    it('passes what the handler throws to the error handler and delivers the rest of the read', async () => {
      await using receiver = await UdpEndpoint.open({
        bind: { host: LOOPBACK, port: 0 },
        batchReceives,
      });
      await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
      const seen: string[] = [];
      const errors: string[] = [];
      receiver.onError((error) => errors.push(error.message));
      receiver.onDatagram((data) => {
        seen.push(data.toString());
        if (seen.length === 1) throw new Error('the handler failed');
      });
      for (let i = 0; i < 10; i++) sender.send(Buffer.from(`d${i}`), receiver.address);
      await expect.poll(() => seen.length).toBe(10);
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`));
      expect(errors).toEqual(['the handler failed']);
    });

    it('leaves no copy of the socket in a child process started while it was open', async () => {
      const receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 }, batchReceives });
      const child = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        await once(child, 'spawn');
        await receiver.close();
        await using again = await UdpEndpoint.open({ bind: receiver.address, batchReceives });
        expect(again.address).toEqual(receiver.address);
      } finally {
        child.kill();
      }
    });
  },
);

describe('the batching addon in a worker thread', () => {
  it('lets a worker end with a receiver still open', () => {
    const addonPath = fileURLToPath(new URL('../build/udp_batch.node', import.meta.url));
    if (udpBatchAddon() === undefined) {
      // Nothing to test without the addon; the first test says whether it should be there.
      expect(existsSync(addonPath)).toBe(false);
      return;
    }
    // In a process of its own, whose main thread never loads the addon: the worker's exit unloads it.
    const worker = `
      const dgram = require('node:dgram');
      const addon = require(${JSON.stringify(addonPath)});
      const socket = dgram.createSocket('udp4');
      socket.bind({ address: '127.0.0.1', port: 0 }, () => {
        const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
        const handle = socket[state].handle;
        addon.receiveStart(handle.fd, () => {}, new Uint32Array(32), new Uint32Array(32), new Uint16Array(32));
        handle.recvStop();
        process.exit(0);
      });`;
    const main = `
      const { Worker } = require('node:worker_threads');
      new Worker(${JSON.stringify(worker)}, { eval: true }).on('exit', (code) => {
        setTimeout(() => console.log('worker exited ' + code + ', main alive'), 200);
      });`;
    const result = spawnSync(process.execPath, ['-e', main], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: result.status, signal: result.signal, stdout: result.stdout.trim() }).toEqual({
      status: 0,
      signal: null,
      stdout: 'worker exited 0, main alive',
    });
  });
});
