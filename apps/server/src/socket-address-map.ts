import type { SocketAddress } from '@chat/protocol';

/**
 * A map keyed by socket address, looked up without making a string of the address: by port, then
 * by host. Every datagram a server reads is looked up here; formatting `host:port` and hashing the
 * new string cost more than the rest of telling a peer from a client. A host string that comes
 * back (the transport keeps one per source host) keeps its hash, so its lookup hashes nothing.
 */
export class SocketAddressMap<V> {
  readonly #byPort = new Map<number, Map<string, V>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(address: SocketAddress): V | undefined {
    return this.#byPort.get(address.port)?.get(address.host);
  }

  set(address: SocketAddress, value: V): void {
    let byHost = this.#byPort.get(address.port);
    if (byHost === undefined) {
      byHost = new Map();
      this.#byPort.set(address.port, byHost);
    }
    const before = byHost.size;
    byHost.set(address.host, value);
    this.#size += byHost.size - before;
  }

  clear(): void {
    this.#byPort.clear();
    this.#size = 0;
  }
}
