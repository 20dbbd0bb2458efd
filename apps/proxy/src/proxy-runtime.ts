import type { ServerAddresses, SocketAddress } from '@chat/protocol';
import { UdpEndpoint } from '@chat/transport';
import { copyLikeCourseProxy } from './course-proxy-copy.js';
import { DelayProxy } from './delay-proxy.js';
import type { DelayProxyStats, InFlightLimits } from './delay-proxy.js';
import { describeOutcome } from './log-text.js';
import type { TimestampedLog } from '@chat/app-support';
import type { RelayPolicy } from './relay-policy.js';

/** Asked of the kernel per socket (it may grant less): room for bursts between event-loop turns. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export interface ProxyRuntimeOptions {
  readonly servers: readonly ServerAddresses[];
  readonly policy: RelayPolicy;
  readonly log: TimestampedLog;
  /** Log every relay decision and send error. */
  readonly verbose: boolean;
  /** Cut datagrams as the course's proxy does: at 999 bytes and at the first NUL. */
  readonly courseLimits: boolean;
  readonly limits?: InFlightLimits;
}

/**
 * The proxy's I/O: one socket at each server's forward address, and one timer for the earliest
 * delayed datagram. Every decision is the `DelayProxy`'s.
 */
export class ProxyRuntime implements AsyncDisposable {
  readonly #proxy: DelayProxy;
  readonly #endpoints: readonly UdpEndpoint[];
  readonly #options: ProxyRuntimeOptions;
  #timer: NodeJS.Timeout | undefined;
  #timerDueMs = Infinity;
  #cutDatagrams = 0;
  #closing: Promise<void> | undefined;

  private constructor(endpoints: readonly UdpEndpoint[], options: ProxyRuntimeOptions) {
    this.#endpoints = endpoints;
    this.#options = options;
    this.#proxy = new DelayProxy(options.servers, options.policy, options.limits);
    for (const [atServer, endpoint] of endpoints.entries()) {
      endpoint.onDatagram((data, from) => this.#receive(atServer, from, data));
      endpoint.onError((error) => {
        if (options.verbose) options.log.line(`Send error: ${error.message}`);
      });
    }
  }

  /** Binds every forward address; rejects with the first `UdpBindError`, leaving nothing open. */
  static async open(options: ProxyRuntimeOptions): Promise<ProxyRuntime> {
    const endpoints: UdpEndpoint[] = [];
    try {
      for (const { forward } of options.servers) {
        endpoints.push(
          await UdpEndpoint.open({
            bind: forward,
            recvBufferSizeBytes: SOCKET_BUFFER_BYTES,
            sendBufferSizeBytes: SOCKET_BUFFER_BYTES,
          }),
        );
      }
    } catch (error) {
      await Promise.all(endpoints.map((endpoint) => endpoint.close()));
      throw error;
    }
    return new ProxyRuntime(endpoints, options);
  }

  get stats(): DelayProxyStats {
    return this.#proxy.stats;
  }

  /** Datagrams that `--course-limits` shortened. */
  get cutDatagrams(): number {
    return this.#cutDatagrams;
  }

  get sendErrors(): number {
    return this.#endpoints.reduce((total, endpoint) => total + endpoint.stats.sendErrors, 0);
  }

  /** Stops relaying; datagrams still in flight are dropped (and stay counted as in flight). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await Promise.all(this.#endpoints.map((endpoint) => endpoint.close()));
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #receive(atServer: number, from: SocketAddress, received: Buffer): void {
    const cut = this.#options.courseLimits ? copyLikeCourseProxy(received) : received;
    if (cut.length !== received.length) this.#cutDatagrams += 1;
    // A copy: `received` may be a view of a whole batched read, which a held datagram would keep
    // alive beyond what the proxy's bytesMax counts.
    const data = new Uint8Array(cut);
    const outcome = this.#proxy.receive(performance.now(), atServer, from, data);
    if (this.#options.verbose) {
      this.#options.log.line(describeOutcome(outcome, atServer, from, data.length));
    }
    // A zero delay goes out now, not a timer tick later.
    if (outcome.kind === 'scheduled') this.#sendDue();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerDueMs = Infinity;
    this.#sendDue();
  };

  #sendDue(): void {
    if (this.#closing !== undefined) return;
    const nowMs = performance.now();
    for (
      let transmission = this.#proxy.pollTransmit(nowMs);
      transmission !== undefined;
      transmission = this.#proxy.pollTransmit(nowMs)
    ) {
      this.#endpoints[transmission.fromServer]?.send(transmission.data, transmission.to);
    }
    const dueMs = this.#proxy.pollTimeout();
    if (dueMs === undefined || dueMs >= this.#timerDueMs) return;
    // Timers have whole-millisecond resolution; one that fires early just rearms for the rest.
    clearTimeout(this.#timer);
    this.#timerDueMs = dueMs;
    this.#timer = setTimeout(this.#onTimer, Math.ceil(dueMs - nowMs));
  }
}
