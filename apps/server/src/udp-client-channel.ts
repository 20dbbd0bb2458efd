import { defaultNickname, type SocketAddress } from '@chat/protocol';
import { clientKey, type ClientChannel } from './client-registry.js';
import type { DatagramEndpoint } from './datagram-endpoint.js';

/** A UDP client: known by its source `IP:port`, answered from the server's one socket. */
export class UdpClientChannel implements ClientChannel {
  readonly key: string;

  constructor(
    private readonly endpoint: DatagramEndpoint,
    readonly address: SocketAddress,
  ) {
    this.key = clientKey(address);
  }

  /** Computed when asked: most datagrams come from clients already registered. */
  get defaultNickname(): string {
    return defaultNickname(this.address);
  }

  send(data: Uint8Array): void {
    this.endpoint.send(data, this.address);
  }
}
