import type { ClusterInfo, ClusterServerInfo } from '../../src/http/web-api.js';

/** A server of the cluster as the page reaches it. */
export interface KnownServer {
  readonly index: number;
  readonly udp: string;
  /** Its HTTP origin; the page's own origin for the server that served the page. */
  readonly http: string | undefined;
  /** Its WebSocket endpoint. */
  readonly ws: string | undefined;
}

export interface Cluster {
  readonly self: number;
  readonly mode: string;
  readonly roomCount: number;
  readonly servers: readonly KnownServer[];
}

/** How long a health check or a stats poll may take before the server counts as down. */
export const POLL_TIMEOUT_MS = 1_500;

/** The cluster as the server that served this page knows it (`/api/cluster`). */
export async function loadCluster(): Promise<Cluster> {
  const response = await fetch('/api/cluster', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/api/cluster answered ${response.status}`);
  const info = (await response.json()) as ClusterInfo;
  return {
    self: info.self,
    mode: info.mode,
    roomCount: info.roomCount,
    servers: info.servers.map((server) => known(server, info.self)),
  };
}

function known(server: ClusterServerInfo, self: number): KnownServer {
  const http = server.http ?? (server.index === self ? location.origin : undefined);
  return {
    index: server.index,
    udp: server.udp,
    http,
    ws: http === undefined ? undefined : `${http.replace(/^http/, 'ws')}/ws`,
  };
}

/** GETs a JSON endpoint of one server; undefined when it does not answer in time. */
export async function fetchJson<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, {
      cache: 'no-store',
      signal: AbortSignal.timeout(POLL_TIMEOUT_MS),
    });
    if (!response.ok) return undefined;
    return (await response.json()) as T;
  } catch {
    return undefined;
  }
}

/** `S01`, as in the servers' logs. */
export function serverTag(index: number): string {
  return `S${String(index).padStart(2, '0')}`;
}
