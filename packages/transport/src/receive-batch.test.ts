import { describe, expect, it } from 'vitest';
import { RECEIVE_BATCH_DATAGRAMS_MAX } from './receive-batch.js';
import { sendBatchingAvailable } from './send-batch.js';
import type { SocketAddress } from './socket-address.js';
import { UdpEndpoint } from './udp-endpoint.js';

const LOOPBACK = '127.0.0.1';

interface Received {
  readonly data: Buffer;
  readonly from: SocketAddress;
}

/** Resolves with what `endpoint` receives once it has `count` datagrams. */
function collect(endpoint: UdpEndpoint, count: number): Promise<Received[]> {
  const received: Received[] = [];
  return new Promise((resolve) => {
    endpoint.onDatagram((data, from) => {
      received.push({ data, from });
      if (received.length === count) resolve(received);
    });
  });
}

// Both paths: recvmmsg through the optional addon (where it was built) and node:dgram alone.
describe.each([true, false])('UdpEndpoint with batchReceives %s', (batchReceives) => {
  it('batches exactly when asked and the addon is there', async () => {
    await using endpoint = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      batchReceives,
    });
    expect(endpoint.receivesBatched).toBe(batchReceives && sendBatchingAvailable());
  });

  it('delivers every datagram waiting, more than batches hold, whole, in order, with its source', async () => {
    await using receiver = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      recvBufferSizeBytes: 8 * 1024 * 1024,
      batchReceives,
    });
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    // Sizes from 1 byte to the largest IPv4 UDP payload: none may come cut short.
    const sizes = [1, 100, 1500, 9000, 65_507];
    const count = RECEIVE_BATCH_DATAGRAMS_MAX * 6 + 7;
    const payload = (i: number): Buffer => Buffer.alloc(sizes[i % sizes.length]!, i % 251);
    const arrived = collect(receiver, count);
    // One turn: they wait on the socket together, so a batched receiver reads them in batches.
    for (let i = 0; i < count; i++) sender.send(payload(i), receiver.address);
    const received = await arrived;
    received.forEach(({ data, from }, i) => {
      expect(data.equals(payload(i))).toBe(true);
      expect(from).toEqual(sender.address);
    });
    expect(receiver.stats.datagramsReceived).toBe(count);
    expect(receiver.stats.bytesReceived).toBe(
      received.reduce((sum, { data }) => sum + data.length, 0),
    );
  });

  it('keeps each payload intact after the next batch is read (copies, not views of a scratch)', async () => {
    await using receiver = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      recvBufferSizeBytes: 4 * 1024 * 1024,
      batchReceives,
    });
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const count = RECEIVE_BATCH_DATAGRAMS_MAX * 3;
    const arrived = collect(receiver, count);
    for (let i = 0; i < count; i++) sender.send(Buffer.from(`kept ${i}`), receiver.address);
    const texts = (await arrived).map(({ data }) => data.toString('utf8'));
    expect(texts).toEqual(Array.from({ length: count }, (_, i) => `kept ${i}`));
  });

  it('stops delivering once closed from the handler', async () => {
    const receiver = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      recvBufferSizeBytes: 4 * 1024 * 1024,
      batchReceives,
    });
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    let delivered = 0;
    const closed = new Promise<void>((resolve) => {
      receiver.onDatagram(() => {
        delivered++;
        if (delivered === 1) void receiver.close().then(resolve);
      });
    });
    for (let i = 0; i < 100; i++) sender.send(Buffer.from(`d${i}`), receiver.address);
    await closed;
    expect(delivered).toBe(1);
  });
});
