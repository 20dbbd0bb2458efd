import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { UdpEndpoint, type SocketAddress } from '@chat/transport';

/** What chatrelay needs of a UDP socket, whichever way it sends and reads. */
export interface RelaySocket {
  /** The address bound (with the port the OS picked, if asked for port 0). */
  readonly address: SocketAddress;
  send(data: Buffer, to: SocketAddress): void;
  close(): Promise<void>;
}

const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Binds chatrelay's socket: node:dgram alone (one system call per datagram each way), or, `batched`,
 * @chat/transport's endpoint with its sendmmsg/recvmmsg addon. Throws if the addon is not built, so
 * a batched figure is never node:dgram's under another name.
 */
export async function openRelaySocket(
  bind: SocketAddress,
  batched: boolean,
  onDatagram: (data: Buffer, from: SocketAddress) => void,
): Promise<RelaySocket> {
  return batched ? openBatched(bind, onDatagram) : openPlain(bind, onDatagram);
}

async function openBatched(
  bind: SocketAddress,
  onDatagram: (data: Buffer, from: SocketAddress) => void,
): Promise<RelaySocket> {
  const endpoint = await UdpEndpoint.open({
    bind,
    recvBufferSizeBytes: SOCKET_BUFFER_BYTES,
    sendBufferSizeBytes: SOCKET_BUFFER_BYTES,
  });
  if (!endpoint.sendsBatched || !endpoint.receivesBatched) {
    await endpoint.close();
    throw new Error('chatrelay --batch: @chat/transport was installed without its addon');
  }
  endpoint.onDatagram(onDatagram);
  return endpoint;
}

async function openPlain(
  bind: SocketAddress,
  onDatagram: (data: Buffer, from: SocketAddress) => void,
): Promise<RelaySocket> {
  const socket = createSocket({
    type: 'udp4',
    recvBufferSize: SOCKET_BUFFER_BYTES,
    sendBufferSize: SOCKET_BUFFER_BYTES,
    // Every address is an IPv4 literal: answer at once instead of on the next tick (as chatserver's
    // transport does), so the baseline is as lean as a Node relay gets.
    lookup: (hostname, _options, callback) => {
      if (!isIPv4(hostname)) throw new Error(`chatrelay: '${hostname}' is not an IPv4 address`);
      callback(null, hostname, 4);
    },
  });
  socket.on('message', (data, from) => onDatagram(data, { host: from.address, port: from.port }));
  await new Promise<void>((resolve) => socket.bind(bind.port, bind.host, resolve));
  const { address, port } = socket.address();
  return {
    address: { host: address, port },
    send: (data, to) => socket.send(data, to.port, to.host),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
