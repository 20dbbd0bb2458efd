/**
 * The cluster config file: one line per server, `IP:port` or `forwardIP:port,bindIP:port`. Line N
 * (not counting blank lines and `#` comments) describes server N.
 */

/** An IPv4 address and UDP port. */
export interface SocketAddress {
  /** An IPv4 address in dotted-quad form, e.g. `127.0.0.1`. */
  readonly host: string;
  /** A UDP port, 1..65535. */
  readonly port: number;
}

/** One server's line of the cluster config. */
export interface ServerAddresses {
  /** Where the other servers send to reach this server (a delay proxy may own it). */
  readonly forward: SocketAddress;
  /** Where this server's one socket is bound and where its clients send. */
  readonly bind: SocketAddress;
}

/**
 * What {@link parseClusterConfig} returns: every server in line order, or the first problem and
 * the 1-based line it is on.
 */
export type ClusterConfigResult =
  | { readonly ok: true; readonly servers: readonly ServerAddresses[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Enough for any sane cluster; keeps status vectors and fan-out bounded. */
export const SERVER_COUNT_MAX = 64;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `host:port`, as written in config files and on command lines. */
export function formatSocketAddress(address: SocketAddress): string {
  return `${address.host}:${address.port}`;
}

/**
 * Parses `IP:port` (IPv4, port 1-65535).
 *
 * @returns the address, or a one-line message saying what is wrong
 */
export function parseSocketAddress(text: string): SocketAddress | string {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return `'${text}' is not IP:port`;
  const host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (!IPV4.test(host)) return `'${host}' is not an IPv4 address`;
  if (!/^\d{1,5}$/.test(portText)) return `'${portText}' is not a port number`;
  const port = Number(portText);
  if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  return { host, port };
}

/**
 * Parses a cluster config file: one server per line, `IP:port` or `forwardIP:port,bindIP:port`;
 * blank lines and lines starting with `#` are skipped. At most {@link SERVER_COUNT_MAX} servers; no
 * address may appear twice. Never throws.
 */
export function parseClusterConfig(text: string): ClusterConfigResult {
  const servers: ServerAddresses[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    const lineNumber = index + 1;
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(',').map((part) => part.trim());
    if (parts.length > 2) {
      return {
        ok: false,
        line: lineNumber,
        message: 'expected IP:port or forwardIP:port,bindIP:port',
      };
    }
    const addresses: SocketAddress[] = [];
    for (const part of parts) {
      const parsed = parseSocketAddress(part);
      if (typeof parsed === 'string') return { ok: false, line: lineNumber, message: parsed };
      addresses.push(parsed);
    }
    const [forward, bind = forward] = addresses as [SocketAddress, SocketAddress?];
    for (const address of new Set([formatSocketAddress(forward), formatSocketAddress(bind)])) {
      const other = seen.get(address);
      if (other !== undefined) {
        return {
          ok: false,
          line: lineNumber,
          message: `${address} is already used on line ${other}`,
        };
      }
      seen.set(address, lineNumber);
    }
    servers.push({ forward, bind });
    if (servers.length > SERVER_COUNT_MAX) {
      return { ok: false, line: lineNumber, message: `more than ${SERVER_COUNT_MAX} servers` };
    }
  }
  if (servers.length === 0) return { ok: false, line: lines.length, message: 'no servers listed' };
  return { ok: true, servers };
}
