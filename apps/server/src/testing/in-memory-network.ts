/**
 * Test support: a network in memory, so that whole servers can be driven (and fuzzed) without
 * sockets. Datagrams sent are queued and delivered, in order, when the test says so; nothing is
 * lost, delayed or reordered unless the test does it.
 */

import type { SocketAddress } from '@chat/protocol';
import type { DatagramHandler, ErrorHandler, UdpEndpointStats } from '@chat/transport';
import type { DatagramEndpoint } from '../datagram-endpoint.js';

/** Datagrams queued in flight; past it sends are dropped (and counted), like a full socket buffer. */
export const IN_FLIGHT_DATAGRAMS_MAX = 1_000_000;

export interface SentDatagram {
  readonly data: Buffer;
  readonly from: SocketAddress;
  readonly to: SocketAddress;
}

const keyOf = (address: SocketAddress): string => `${address.host}:${address.port}`;

export class InMemoryNetwork {
  private readonly endpoints = new Map<string, InMemoryEndpoint>();
  private inFlight: SentDatagram[] = [];
  private readonly sendListeners: ((sent: SentDatagram) => void)[] = [];
  /** Sends dropped because IN_FLIGHT_DATAGRAMS_MAX were queued. */
  droppedInFlight = 0;
  /** Datagrams delivered to an address where no endpoint listens. */
  undeliverable = 0;
  /** Which sends are lost, as on a failed link (none unless a test sets it). */
  lose: ((sent: SentDatagram) => boolean) | undefined;
  /** Sends `lose` took. */
  lost = 0;

  /** An endpoint bound at `address`. */
  endpoint(address: SocketAddress): InMemoryEndpoint {
    const key = keyOf(address);
    if (this.endpoints.has(key)) throw new Error(`${key} is already bound`);
    const endpoint = new InMemoryEndpoint(this, address);
    this.endpoints.set(key, endpoint);
    return endpoint;
  }

  /** Calls `listener` with every datagram sent, at the moment it is sent. */
  onSend(listener: (sent: SentDatagram) => void): void {
    this.sendListeners.push(listener);
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /**
   * Delivers every datagram queued so far (not those their delivery sends; call again for those).
   * Returns how many were delivered.
   */
  deliverInFlight(): number {
    const batch = this.inFlight;
    this.inFlight = [];
    for (const { data, from, to } of batch) this.inject(data, from, to);
    return batch.length;
  }

  /** Hands `data` to the endpoint at `to` now, as if sent from `from` (which may be forged). */
  inject(data: Buffer, from: SocketAddress, to: SocketAddress): void {
    const endpoint = this.endpoints.get(keyOf(to));
    if (endpoint === undefined) this.undeliverable += 1;
    else endpoint.receive(data, from);
  }

  /** @internal */
  send(data: Uint8Array, from: SocketAddress, to: SocketAddress): void {
    // A copy, as the kernel would take: the sender may reuse its buffer.
    const sent = { data: Buffer.from(data), from, to };
    for (const listener of this.sendListeners) listener(sent);
    if (this.lose?.(sent) === true) {
      this.lost += 1;
      return;
    }
    if (this.inFlight.length >= IN_FLIGHT_DATAGRAMS_MAX) {
      this.droppedInFlight += 1;
      return;
    }
    this.inFlight.push(sent);
  }

  /** @internal */
  unbind(address: SocketAddress): void {
    this.endpoints.delete(keyOf(address));
  }
}

export class InMemoryEndpoint implements DatagramEndpoint {
  readonly bufferSizes = { recvBytes: 0, sendBytes: 0 };
  private readonly counters = {
    datagramsSent: 0,
    datagramsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    sendErrors: 0,
  };
  private datagramHandler: DatagramHandler | undefined;
  private closed = false;

  constructor(
    private readonly network: InMemoryNetwork,
    readonly address: SocketAddress,
  ) {}

  get stats(): UdpEndpointStats {
    return { ...this.counters };
  }

  send(data: Uint8Array, to: SocketAddress): void {
    if (this.closed) {
      this.counters.sendErrors += 1;
      return;
    }
    this.counters.datagramsSent += 1;
    this.counters.bytesSent += data.byteLength;
    this.network.send(data, this.address, to);
  }

  onDatagram(handler: DatagramHandler): void {
    this.datagramHandler = handler;
  }

  /** Nothing fails in memory. */
  onError(_handler: ErrorHandler): void {}

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.network.unbind(this.address);
    }
    return Promise.resolve();
  }

  /** @internal */
  receive(data: Buffer, from: SocketAddress): void {
    if (this.closed) return;
    this.counters.datagramsReceived += 1;
    this.counters.bytesReceived += data.byteLength;
    this.datagramHandler?.(data, from);
  }
}
