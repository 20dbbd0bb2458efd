/**
 * The JSON the HTTP endpoints answer with, shared by the server and the pages (type-only: this
 * file runs in both, so it imports nothing).
 */

/** `ChatServer.view()` once the cluster has a membership layer. */
export interface MembershipView {
  readonly id: number;
  readonly members: readonly number[];
  readonly primary: boolean;
}

/** `GET /api/cluster`: the configured servers, as this server knows them. */
export interface ClusterInfo {
  /** This server's index (1-based). */
  readonly self: number;
  readonly mode: string;
  readonly roomCount: number;
  readonly servers: readonly ClusterServerInfo[];
}

export interface ClusterServerInfo {
  readonly index: number;
  /** Where its UDP clients send (`IP:port`). */
  readonly udp: string;
  /** Its HTTP origin (`http://IP:port`); null when this server was not told (`--http-cluster`). */
  readonly http: string | null;
  /** In this server's membership view; null while the cluster has no membership layer. */
  readonly inView: boolean | null;
}

/** `GET /healthz`. */
export interface Health {
  readonly status: 'ok' | 'minority';
  readonly index: number;
  readonly mode: string;
  readonly uptimeSeconds: number;
  readonly clients: number;
  readonly websocketConnections: number;
  readonly view: MembershipView | null;
}

/** `GET /api/stats`: what the dashboard shows. */
export interface ServerStatsSnapshot {
  readonly index: number;
  readonly mode: string;
  readonly uptimeSeconds: number;
  /** The Stats line's counters and depths (`ChatServer.stats()`), plus `memory.*` and `websocket.*`. */
  readonly stats: Readonly<Record<string, number>>;
  readonly view: MembershipView | null;
  /** Own posts' post-to-delivery latency so far. */
  readonly latency: { readonly count: number; readonly sumSeconds: number };
}
