import { describe, expect, it } from 'vitest';
import type { SocketAddress } from './socket-address.js';
import { UdpBindError } from './udp-bind-error.js';
import { UdpEndpoint } from './udp-endpoint.js';
import { UDP_PAYLOAD_BYTES_MAX } from './udp-limits.js';

const LOOPBACK = '127.0.0.1';
const ANY = '0.0.0.0';

interface Received {
  readonly text: string;
  readonly from: SocketAddress;
}

/** Queues what an endpoint receives, so a test can await datagrams one at a time. */
function inbox(endpoint: UdpEndpoint): () => Promise<Received> {
  const received: Received[] = [];
  const waiting: ((item: Received) => void)[] = [];
  endpoint.onDatagram((data, from) => {
    const item = { text: data.toString('utf8'), from };
    const waiter = waiting.shift();
    if (waiter === undefined) received.push(item);
    else waiter(item);
  });
  return () => {
    const item = received.shift();
    return item !== undefined
      ? Promise.resolve(item)
      : new Promise((resolve) => waiting.push(resolve));
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('UdpEndpoint unicast', () => {
  it('binds to an OS-chosen port and reports the actual address', async () => {
    await using endpoint = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });

    expect(endpoint.address.host).toBe(LOOPBACK);
    expect(endpoint.address.port).toBeGreaterThan(0);
  });

  it('delivers each datagram with its source address and counts both sides', async () => {
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const next = inbox(receiver);

    sender.send(bytes('hello'), receiver.address);
    sender.send(bytes('world!'), receiver.address);

    expect(await next()).toEqual({ text: 'hello', from: sender.address });
    expect(await next()).toEqual({ text: 'world!', from: sender.address });
    expect(receiver.stats).toMatchObject({ datagramsReceived: 2, bytesReceived: 11 });
    await sender.close();
    expect(sender.stats).toEqual({
      datagramsSent: 2,
      datagramsReceived: 0,
      bytesSent: 11,
      bytesReceived: 0,
      sendErrors: 0,
    });
  });

  it('delivers an empty datagram', async () => {
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const next = inbox(receiver);

    sender.send(new Uint8Array(0), receiver.address);

    expect(await next()).toEqual({ text: '', from: sender.address });
  });
});

describe('UdpEndpoint buffer sizes', () => {
  it('reports the sizes the kernel granted, at least what was asked for', async () => {
    const requestedBytes = 32 * 1024;
    await using endpoint = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      recvBufferSizeBytes: requestedBytes,
      sendBufferSizeBytes: requestedBytes,
    });

    expect(endpoint.bufferSizes.recvBytes).toBeGreaterThanOrEqual(requestedBytes);
    expect(endpoint.bufferSizes.sendBytes).toBeGreaterThanOrEqual(requestedBytes);
  });

  it('reports the default sizes when none are requested', async () => {
    await using endpoint = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });

    expect(endpoint.bufferSizes.recvBytes).toBeGreaterThan(0);
    expect(endpoint.bufferSizes.sendBytes).toBeGreaterThan(0);
  });
});

describe('UdpEndpoint close', () => {
  it('is idempotent', async () => {
    const endpoint = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });

    const first = endpoint.close();
    const second = endpoint.close();

    expect(second).toBe(first);
    await first;
    await endpoint.close();
    await endpoint[Symbol.asyncDispose]();
  });

  it('releases the port', async () => {
    const first = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const { port } = first.address;
    await first.close();

    await using second = await UdpEndpoint.open({ bind: { host: LOOPBACK, port } });

    expect(second.address.port).toBe(port);
  });

  it('lets a datagram sent just before close reach its destination', async () => {
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const next = inbox(receiver);
    const sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });

    sender.send(bytes('/quit'), receiver.address);
    await sender.close();

    expect((await next()).text).toBe('/quit');
    expect(sender.stats.datagramsSent).toBe(1);
  });

  it('counts sends after close as errors without throwing', async () => {
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    await sender.close();

    sender.send(bytes('late'), receiver.address);

    expect(sender.stats.sendErrors).toBe(1);
  });
});

describe('UdpEndpoint errors', () => {
  it('rejects with a typed one-line error when the port is in use', async () => {
    await using taken = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });

    const opening = UdpEndpoint.open({ bind: taken.address });

    await expect(opening).rejects.toBeInstanceOf(UdpBindError);
    const error = (await opening.catch((caught: unknown) => caught)) as UdpBindError;
    expect(error.code).toBe('EADDRINUSE');
    expect(error.step).toBe('bind');
    expect(error.message).toBe(
      `cannot bind UDP socket to ${LOOPBACK}:${taken.address.port}: address already in use (EADDRINUSE)`,
    );
  });

  it('rejects with EADDRNOTAVAIL for an address that is not on this host', async () => {
    // TEST-NET-3 (RFC 5737): never assigned to a local interface; binding sends nothing.
    const opening = UdpEndpoint.open({ bind: { host: '203.0.113.1', port: 0 } });

    await expect(opening).rejects.toMatchObject({ name: 'UdpBindError', code: 'EADDRNOTAVAIL' });
  });

  it('rejects invalid options with a RangeError before touching the OS', async () => {
    await expect(UdpEndpoint.open({ bind: { host: 'localhost', port: 0 } })).rejects.toThrow(
      RangeError,
    );
    await expect(UdpEndpoint.open({ bind: { host: LOOPBACK, port: 70_000 } })).rejects.toThrow(
      RangeError,
    );
    await expect(
      UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 }, recvBufferSizeBytes: 0 }),
    ).rejects.toThrow(RangeError);
    await expect(
      UdpEndpoint.open({
        bind: { host: ANY, port: 0 },
        multicast: { interfaceAddress: LOOPBACK, joinGroup: '10.0.0.1' },
      }),
    ).rejects.toThrow(RangeError);
  });

  it('reports a failed send to the error handler and counts it, without throwing', async () => {
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    await using receiver = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const reported = new Promise<Error>((resolve) => sender.onError(resolve));

    sender.send(new Uint8Array(UDP_PAYLOAD_BYTES_MAX + 1), receiver.address);

    expect(await reported).toMatchObject({ code: 'EMSGSIZE' });
    expect(sender.stats.sendErrors).toBe(1);
    expect(sender.stats.datagramsSent).toBe(0);
  });

  it('reports a send to an invalid port instead of throwing', async () => {
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const reported = new Promise<Error>((resolve) => sender.onError(resolve));

    sender.send(bytes('x'), { host: LOOPBACK, port: 0 });

    expect(await reported).toBeInstanceOf(Error);
    expect(sender.stats.sendErrors).toBe(1);
  });
});

describe('UdpEndpoint multicast on loopback', () => {
  it('delivers a datagram sent to the group to every member sharing the port', async () => {
    const group = '239.255.7.1';
    const multicast = { interfaceAddress: LOOPBACK, joinGroup: group };
    await using first = await UdpEndpoint.open({
      bind: { host: ANY, port: 0 },
      reuseAddress: true,
      multicast,
    });
    const { port } = first.address;
    await using second = await UdpEndpoint.open({
      bind: { host: ANY, port },
      reuseAddress: true,
      multicast,
    });
    await using sender = await UdpEndpoint.open({
      bind: { host: LOOPBACK, port: 0 },
      multicast: { interfaceAddress: LOOPBACK },
    });
    const nextAtFirst = inbox(first);
    const nextAtSecond = inbox(second);

    sender.send(bytes('to the group'), { host: group, port });

    const expected = { text: 'to the group', from: sender.address };
    expect(await nextAtFirst()).toEqual(expected);
    expect(await nextAtSecond()).toEqual(expected);
  });

  it('refuses to send to a group without a chosen multicast interface', async () => {
    await using sender = await UdpEndpoint.open({ bind: { host: LOOPBACK, port: 0 } });
    const reported = new Promise<Error>((resolve) => sender.onError(resolve));

    sender.send(bytes('nowhere'), { host: '239.255.7.3', port: 9 });

    expect((await reported).message).toBe(
      'not sending to multicast group 239.255.7.3: open the endpoint with ' +
        'multicast.interfaceAddress to choose the interface',
    );
    expect(sender.stats).toMatchObject({ sendErrors: 1, datagramsSent: 0 });
  });

  it('rejects joining on an interface address this host does not have', async () => {
    const opening = UdpEndpoint.open({
      bind: { host: ANY, port: 0 },
      multicast: { interfaceAddress: '203.0.113.1', joinGroup: '239.255.7.2' },
    });

    await expect(opening).rejects.toMatchObject({ name: 'UdpBindError', step: 'multicast' });
  });
});
