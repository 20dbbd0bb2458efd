import type { ServerStatsSnapshot } from '../../src/http/web-api.js';
import {
  fetchJson,
  loadCluster,
  serverTag,
  type Cluster,
  type KnownServer,
} from './cluster-directory.js';
import { rateColumns, type Sample } from './dashboard-rates.js';

const POLL_INTERVAL_MS = 1_000;

const table = document.getElementById('servers-table') as HTMLTableSectionElement;
const status = document.getElementById('status') as HTMLParagraphElement;

/** The columns after the server and its state: a title and how to read it from two samples. */
const COLUMNS: readonly {
  title: string;
  value: (now: Sample, before: Sample | undefined) => string;
}[] = [
  { title: 'Uptime', value: (now) => `${now.snapshot.uptimeSeconds} s` },
  { title: 'View', value: (now) => describeView(now.snapshot) },
  { title: 'Clients', value: (now) => count(now, 'clients') },
  { title: 'WebSockets', value: (now) => count(now, 'websocket.connections') },
  ...rateColumns,
  { title: 'Log depth', value: (now) => count(now, 'engine.logDepth') },
  { title: 'Hold-back depth', value: (now) => count(now, 'engine.holdBackDepth') },
  { title: 'Total-order pending', value: (now) => count(now, 'engine.totalOrderPending') },
  { title: 'Posts refused', value: (now) => count(now, 'server.postsRefused') },
];

function count(sample: Sample, key: string): string {
  return String(sample.snapshot.stats[key] ?? 0);
}

function describeView(snapshot: ServerStatsSnapshot): string {
  const view = snapshot.view;
  if (view === null) return '—';
  return `#${view.id} ${view.primary ? 'primary' : 'minority'} (${view.members.join(',')})`;
}

/**
 * The operator's view: every server of the cluster, polled once a second at its own
 * `/api/stats` (CORS lets this page read them all), with rates from the last two samples. A server
 * that does not answer shows as down with its last figures cleared.
 */
class Dashboard {
  private readonly previous = new Map<number, Sample>();
  private readonly rows = new Map<number, HTMLTableRowElement>();

  constructor(private readonly cluster: Cluster) {}

  start(): void {
    const head = document.getElementById('servers-head') as HTMLTableRowElement;
    for (const title of ['Server', 'State', ...COLUMNS.map((column) => column.title)]) {
      const cell = document.createElement('th');
      cell.scope = 'col';
      cell.textContent = title;
      head.append(cell);
    }
    for (const server of this.cluster.servers) {
      const row = document.createElement('tr');
      row.dataset.server = String(server.index);
      row.dataset.state = 'unknown';
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = serverTag(server.index);
      name.title = server.http ?? server.udp;
      row.append(name);
      for (let i = 0; i <= COLUMNS.length; i++) row.append(document.createElement('td'));
      table.append(row);
      this.rows.set(server.index, row);
    }
    void this.poll();
    setInterval(() => void this.poll(), POLL_INTERVAL_MS);
  }

  private async poll(): Promise<void> {
    await Promise.all(this.cluster.servers.map((server) => this.pollServer(server)));
    const up = [...this.rows.values()].filter((row) => row.dataset.state === 'up').length;
    status.textContent = `${up} of ${this.cluster.servers.length} servers up, ${this.cluster.mode} order; updated ${new Date().toLocaleTimeString()}`;
  }

  private async pollServer(server: KnownServer): Promise<void> {
    const row = this.rows.get(server.index);
    if (row === undefined) return;
    const cells = [...row.querySelectorAll('td')];
    const snapshot =
      server.http === undefined
        ? undefined
        : await fetchJson<ServerStatsSnapshot>(`${server.http}/api/stats`);
    if (snapshot === undefined) {
      this.previous.delete(server.index);
      row.dataset.state = 'down';
      cells.forEach((cell, position) => (cell.textContent = position === 0 ? 'down' : ''));
      return;
    }
    const sample: Sample = { atMs: performance.now(), snapshot };
    const before = this.previous.get(server.index);
    this.previous.set(server.index, sample);
    const state = snapshot.view === null || snapshot.view.primary ? 'up' : 'minority';
    row.dataset.state = state;
    cells[0]!.textContent = state;
    COLUMNS.forEach((column, position) => {
      cells[position + 1]!.textContent = column.value(sample, before);
    });
  }
}

loadCluster().then(
  (cluster) => new Dashboard(cluster).start(),
  (error: unknown) => {
    status.textContent = `Cannot load the cluster: ${error instanceof Error ? error.message : String(error)}`;
  },
);
