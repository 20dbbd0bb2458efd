import type { ServerAddresses, SocketAddress } from '@chat/protocol';
import { DelayQueue } from './delay-queue.js';
import type { RelayPolicy } from './relay-policy.js';

export interface InFlightLimits {
  /** Datagrams held for their delay at once; beyond it new datagrams are dropped (overflow). */
  readonly datagramsMax: number;
  /** Bytes held at once, so that large datagrams cannot exhaust memory before the count limit. */
  readonly bytesMax: number;
}

export const IN_FLIGHT_LIMITS_DEFAULT: InFlightLimits = {
  datagramsMax: 100_000,
  bytesMax: 64 * 1024 * 1024,
};

/** One datagram to send now: from the socket at `fromServer`'s forward address to `to`. */
export interface Transmission {
  readonly fromServer: number;
  readonly toServer: number;
  readonly to: SocketAddress;
  readonly data: Uint8Array;
}

export type ReceiveOutcome =
  | { readonly kind: 'foreign' }
  | {
      readonly kind: 'lost' | 'cut' | 'overflow';
      readonly fromServer: number;
      readonly toServer: number;
    }
  | {
      readonly kind: 'scheduled';
      readonly fromServer: number;
      readonly toServer: number;
      readonly delaysMs: readonly number[];
    };

export interface DelayProxyStats {
  /** Datagrams that arrived at any forward address. */
  readonly received: number;
  /** Copies handed on for sending (a duplicated datagram counts twice). */
  readonly relayed: number;
  /** Dropped on purpose (`--loss`). */
  readonly lost: number;
  /** Datagrams sent twice (`--duplicate`). */
  readonly duplicated: number;
  /** Dropped because they did not come from a server's bind address. */
  readonly foreign: number;
  /** Dropped because their link was cut (`cut` on the control socket). */
  readonly cutLinks: number;
  /** Dropped because the in-flight limits were reached. */
  readonly overflow: number;
  /** Copies waiting for their delay to pass. */
  readonly inFlight: number;
}

/**
 * The proxy without I/O. Server i (0-based) owns forward address F_i and bind address B_i. A datagram
 * arriving at F_j from B_i is relayed to B_j from the socket at F_i, as the policy decides; the
 * caller feeds in arrivals and the time, and sends what `pollTransmit` hands out.
 */
export class DelayProxy {
  readonly #servers: readonly ServerAddresses[];
  /** Server index by bind address: host, then port (no string built per datagram). */
  readonly #serverByBind = new Map<string, Map<number, number>>();
  readonly #queue = new DelayQueue<Transmission>();
  #inFlightBytes = 0;
  readonly #counters = {
    received: 0,
    relayed: 0,
    lost: 0,
    duplicated: 0,
    foreign: 0,
    cutLinks: 0,
    overflow: 0,
  };

  constructor(
    servers: readonly ServerAddresses[],
    readonly policy: RelayPolicy,
    private readonly limits: InFlightLimits = IN_FLIGHT_LIMITS_DEFAULT,
  ) {
    this.#servers = servers;
    for (const [index, { bind }] of servers.entries()) {
      let byPort = this.#serverByBind.get(bind.host);
      if (byPort === undefined) this.#serverByBind.set(bind.host, (byPort = new Map()));
      byPort.set(bind.port, index);
    }
  }

  /** A datagram arrived at server `atServer`'s forward address from `from`. */
  receive(nowMs: number, atServer: number, from: SocketAddress, data: Uint8Array): ReceiveOutcome {
    this.#counters.received++;
    const fromServer = this.#serverByBind.get(from.host)?.get(from.port);
    const destination = this.#servers[atServer];
    if (fromServer === undefined || destination === undefined) {
      this.#counters.foreign++;
      return { kind: 'foreign' };
    }
    const decision = this.policy.decide(fromServer, atServer);
    if (decision.kind === 'cut') {
      this.#counters.cutLinks++;
      return { kind: 'cut', fromServer, toServer: atServer };
    }
    if (decision.kind === 'lose') {
      this.#counters.lost++;
      return { kind: 'lost', fromServer, toServer: atServer };
    }
    const copies = decision.delaysMs.length;
    if (
      this.#queue.size + copies > this.limits.datagramsMax ||
      this.#inFlightBytes + copies * data.length > this.limits.bytesMax
    ) {
      this.#counters.overflow++;
      return { kind: 'overflow', fromServer, toServer: atServer };
    }
    if (copies > 1) this.#counters.duplicated++;
    const transmission = { fromServer, toServer: atServer, to: destination.bind, data };
    for (const delayMs of decision.delaysMs) this.#queue.push(nowMs + delayMs, transmission);
    this.#inFlightBytes += copies * data.length;
    return { kind: 'scheduled', fromServer, toServer: atServer, delaysMs: decision.delaysMs };
  }

  /** The next copy whose delay has passed at `nowMs`, if any. */
  pollTransmit(nowMs: number): Transmission | undefined {
    const transmission = this.#queue.popDue(nowMs);
    if (transmission === undefined) return undefined;
    this.#inFlightBytes -= transmission.data.length;
    this.#counters.relayed++;
    return transmission;
  }

  /** When the next copy is due, or undefined when nothing is in flight. */
  pollTimeout(): number | undefined {
    return this.#queue.nextDueMs;
  }

  get stats(): DelayProxyStats {
    return { ...this.#counters, inFlight: this.#queue.size };
  }
}
