import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped because a socket's receive buffer was full, summed over the IPv4
 * UDP sockets bound to `ports` (the `drops` column of /proc/net/udp); undefined without /proc.
 * At a client socket such a drop is a loss the load generator caused by reading too slowly; at a
 * server socket it is a datagram the server never saw (a peer's costs a NAK round trip to repair).
 */
export function udpDropsAtPorts(ports: ReadonlySet<number>): number | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return undefined;
  }
  let drops = 0;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const dropped = Number(fields[fields.length - 1]);
    if (local === undefined || !Number.isFinite(dropped)) continue;
    const port = Number.parseInt(local.slice(local.indexOf(':') + 1), 16);
    if (ports.has(port)) drops += dropped;
  }
  return drops;
}
