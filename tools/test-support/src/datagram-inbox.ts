import { UdpEndpoint } from '@chat/transport';
import type { SocketAddress } from '@chat/transport';

export interface ReceivedDatagram {
  readonly text: string;
  readonly from: SocketAddress;
}

/** A UDP socket on 127.0.0.1 whose datagrams a test awaits one at a time. */
export class DatagramInbox implements AsyncDisposable {
  readonly #received: ReceivedDatagram[] = [];
  readonly #waiting: ((datagram: ReceivedDatagram) => void)[] = [];

  private constructor(readonly endpoint: UdpEndpoint) {
    endpoint.onDatagram((data, from) => {
      const datagram = { text: data.toString('utf8'), from };
      const waiter = this.#waiting.shift();
      if (waiter === undefined) this.#received.push(datagram);
      else waiter(datagram);
    });
  }

  static async open(port = 0): Promise<DatagramInbox> {
    return new DatagramInbox(await UdpEndpoint.open({ bind: { host: '127.0.0.1', port } }));
  }

  get address(): SocketAddress {
    return this.endpoint.address;
  }

  next(): Promise<ReceivedDatagram> {
    const datagram = this.#received.shift();
    if (datagram !== undefined) return Promise.resolve(datagram);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  send(text: string, to: SocketAddress): void {
    this.endpoint.send(Buffer.from(text, 'utf8'), to);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.endpoint.close();
  }
}
