import type { SocketAddress } from './socket-address.js';

/** `host:port`, as written in config files and on command lines. */
export function formatSocketAddress(address: SocketAddress): string {
  return `${address.host}:${address.port}`;
}
