import { describe, expect, it } from 'vitest';
import { SEND_BATCH_DATAGRAMS_MAX, sendBatchingAvailable } from './send-batch.js';
import type { SocketAddress } from './socket-address.js';
import { UdpEndpoint } from './udp-endpoint.js';

const LOOPBACK = '127.0.0.1';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Resolves with the texts `endpoint` receives once it has `count` of them. */
function collect(endpoint: UdpEndpoint, count: number): Promise<string[]> {
  const texts: string[] = [];
  return new Promise((resolve) => {
    endpoint.onDatagram((data) => {
      texts.push(data.toString('utf8'));
      if (texts.length === count) resolve(texts);
    });
  });
}

// Both paths: sendmmsg through the optional addon (where it was built) and node:dgram alone.
describe.each([true, false])('UdpEndpoint with batchSends %s', (batchSends) => {
  it('batches exactly when asked and the addon is there', async () => {
    await using endpoint = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      batchSends,
    });
    expect(endpoint.sendsBatched).toBe(batchSends && sendBatchingAvailable());
  });

  it('delivers every datagram of a turn, more than one batch holds, in order, and counts them', async () => {
    await using receiver = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      recvBufferSizeBytes: 4 * 1024 * 1024,
    });
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 }, batchSends });
    const count = SEND_BATCH_DATAGRAMS_MAX + 100;
    const arrived = collect(receiver, count);
    for (let i = 0; i < count; i++) sender.send(bytes(`d${i}`), receiver.address);
    const texts = await arrived;
    expect(texts).toEqual(Array.from({ length: count }, (_, i) => `d${i}`));
    expect(sender.stats).toMatchObject({ datagramsSent: count, sendErrors: 0 });
    expect(sender.stats.bytesSent).toBe(texts.reduce((sum, text) => sum + text.length, 0));
  });

  it('sends to a host name and to a literal alike, and reports a bad port', async () => {
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 }, batchSends });
    const errors: Error[] = [];
    sender.onError((error) => errors.push(error));
    const arrived = collect(receiver, 2);
    sender.send(bytes('by name'), { host: 'localhost', port: receiver.address.port });
    sender.send(bytes('by literal'), receiver.address);
    sender.send(bytes('nowhere'), { host: LOOPBACK, port: 70_000 } satisfies SocketAddress);
    expect((await arrived).sort()).toEqual(['by literal', 'by name']);
    await expect.poll(() => sender.stats.sendErrors).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('sends what the turn batched at once on flush()', async () => {
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 }, batchSends });
    const arrived = collect(receiver, 2);
    sender.send(bytes('x'), receiver.address);
    sender.send(bytes('y'), receiver.address);
    sender.flush();
    // Batched datagrams are counted as the kernel takes them; node:dgram counts on its callback.
    if (sender.sendsBatched) expect(sender.stats.datagramsSent).toBe(2);
    expect(await arrived).toEqual(['x', 'y']);
  });

  it('sends what is queued when closed', async () => {
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 }, batchSends });
    const arrived = collect(receiver, 3);
    for (const text of ['a', 'b', 'c']) sender.send(bytes(text), receiver.address);
    await sender.close();
    expect(await arrived).toEqual(['a', 'b', 'c']);
    expect(sender.stats.datagramsSent).toBe(3);
  });
});
