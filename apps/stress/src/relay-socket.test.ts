import { UdpEndpoint, type SocketAddress } from '@chat/transport';
import { expect, test } from 'vitest';
import { openRelaySocket, type RelaySocket } from './relay-socket.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

interface Received {
  readonly data: string;
  readonly from: SocketAddress;
}

async function open(
  batched: boolean,
): Promise<{ socket: RelaySocket; next: () => Promise<Received> }> {
  const waiting: ((received: Received) => void)[] = [];
  const socket = await openRelaySocket(LOOPBACK, batched, (data, from) =>
    waiting.shift()?.({ data: data.toString(), from }),
  );
  return { socket, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

test('--batch reads and sends through the addon, as chatserver does', async () => {
  const { socket } = await open(true);
  try {
    expect(socket).toBeInstanceOf(UdpEndpoint);
    expect((socket as UdpEndpoint).sendsBatched).toBe(true);
    expect((socket as UdpEndpoint).receivesBatched).toBe(true);
  } finally {
    await socket.close();
  }
});

test('the plain and the batched socket exchange datagrams, each seeing the other at its address', async () => {
  const plain = await open(false);
  const batched = await open(true);
  try {
    expect(plain.socket).not.toBeInstanceOf(UdpEndpoint);
    const atBatched = batched.next();
    plain.socket.send(Buffer.from('to batched'), batched.socket.address);
    expect(await atBatched).toEqual({ data: 'to batched', from: plain.socket.address });
    const atPlain = plain.next();
    batched.socket.send(Buffer.from('to plain'), plain.socket.address);
    expect(await atPlain).toEqual({ data: 'to plain', from: batched.socket.address });
  } finally {
    await Promise.all([plain.socket.close(), batched.socket.close()]);
  }
});
