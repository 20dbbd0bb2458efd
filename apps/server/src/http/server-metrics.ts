import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { metricKind, metricName } from './metric-names.js';
import type { MembershipView } from './web-api.js';

/** Post-to-delivery latency buckets, in seconds: loopback delivers in well under a millisecond. */
const LATENCY_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5,
];

/** What a scrape reads: the Stats line's keys and, once there is one, the membership view. */
export interface MetricsSource {
  stats(): Readonly<Record<string, number>>;
  view(): MembershipView | undefined;
}

/**
 * One server's metrics in Prometheus text format, with its own registry (not prom-client's global
 * one). Every Stats key becomes a metric the first time it appears (some, like
 * `peers.dropped.REASON`, appear only once something was dropped) and is read at each scrape, so
 * the metrics and the Stats line never disagree. Plus the latency histogram, the membership view
 * per server, and Node's process metrics (memory, CPU, event-loop delay).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly latency: Histogram;
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly viewMember: Gauge<'server'>;
  private source: MetricsSource | undefined;

  constructor() {
    this.latency = new Histogram({
      name: 'chat_post_delivery_seconds',
      help:
        "Seconds from taking a post of one of this server's own clients to delivering it to the " +
        'room at this server (own posts only: server-to-server messages carry no send time)',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [this.registry],
    });
    this.viewMember = new Gauge({
      name: 'chat_view_member',
      help: "1 for each server in this server's membership view (absent without a membership layer)",
      labelNames: ['server'],
      registers: [this.registry],
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** For `ChatServerOptions.onOwnPostDelivered`. */
  readonly observeOwnPostLatencyMs = (latencyMs: number): void => {
    this.latency.observe(latencyMs / 1000);
  };

  /** Own posts measured so far: their count and summed latency. */
  async latencySummary(): Promise<{ count: number; sumSeconds: number }> {
    const { values } = await this.latency.get();
    let count = 0;
    let sumSeconds = 0;
    for (const value of values) {
      if (value.metricName === 'chat_post_delivery_seconds_count') count = value.value;
      if (value.metricName === 'chat_post_delivery_seconds_sum') sumSeconds = value.value;
    }
    return { count, sumSeconds };
  }

  /** The server is created after its metrics (it reports latency into them). */
  watch(source: MetricsSource): void {
    this.source = source;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async scrape(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }

  private refresh(): void {
    if (this.source === undefined) return;
    for (const [key, value] of Object.entries(this.source.stats())) this.record(key, value);
    const view = this.source.view();
    if (view !== undefined) {
      this.viewMember.reset();
      for (const member of view.members) this.viewMember.set({ server: String(member) }, 1);
    }
  }

  private record(key: string, value: number): void {
    const name = metricName(key);
    if (metricKind(key) === 'gauge') {
      let gauge = this.gauges.get(name);
      if (gauge === undefined) {
        gauge = new Gauge({ name, help: `Stats line ${key}`, registers: [this.registry] });
        this.gauges.set(name, gauge);
      }
      gauge.set(value);
      return;
    }
    let counter = this.counters.get(name);
    if (counter === undefined) {
      counter = new Counter({ name, help: `Stats line ${key}`, registers: [this.registry] });
      this.counters.set(name, counter);
    }
    // The count lives in the server; the counter mirrors it.
    counter.reset();
    counter.inc(value);
  }
}
