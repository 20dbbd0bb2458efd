import type { SocketAddress } from '@chat/protocol';

/**
 * A map keyed by socket address, looked up without making a string of the address. Every datagram
 * a server reads is looked up here to tell a peer from a client; formatting `host:port` and hashing
 * it cost more than the rest of that test.
 */
export class SocketAddressMap<V> {
  /** Per port, the hosts with that port: one entry each in any real cluster. */
  readonly #byPort = new Map<number, { readonly host: string; readonly value: V }[]>();

  set(address: SocketAddress, value: V): void {
    const entries = this.#byPort.get(address.port) ?? [];
    const index = entries.findIndex((entry) => entry.host === address.host);
    if (index < 0) entries.push({ host: address.host, value });
    else entries[index] = { host: address.host, value };
    this.#byPort.set(address.port, entries);
  }

  get(address: SocketAddress): V | undefined {
    const entries = this.#byPort.get(address.port);
    if (entries === undefined) return undefined;
    for (const entry of entries) if (entry.host === address.host) return entry.value;
    return undefined;
  }
}
