import type { SocketAddress } from '@chat/protocol';
import type {
  DatagramHandler,
  ErrorHandler,
  UdpBufferSizes,
  UdpEndpointStats,
} from '@chat/transport';

/**
 * What a server needs of a socket. `UdpEndpoint` is one; tests wire servers to an in-memory
 * network instead, to drive the whole datagram handler without the OS (see src/testing).
 */
export interface DatagramEndpoint {
  readonly address: SocketAddress;
  readonly bufferSizes: UdpBufferSizes;
  readonly stats: UdpEndpointStats;
  /** Queues one datagram; never throws. */
  send(data: Uint8Array, to: SocketAddress): void;
  onDatagram(handler: DatagramHandler): void;
  onError(handler: ErrorHandler): void;
  close(): Promise<void>;
}
