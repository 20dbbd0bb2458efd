/**
 * Test support: chat servers on an in-memory network, each a real `ChatServer` with its engine,
 * registry and peer link, driven datagram by datagram without sockets.
 */

import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { OrderingMode } from '@chat/ordering';
import type { FrameAuthenticator, SocketAddress } from '@chat/protocol';
import { DebugLog } from '../debug-log.js';
import { ChatServer } from '../server.js';
import { InMemoryNetwork, type InMemoryEndpoint } from './in-memory-network.js';

export interface InMemoryClusterOptions {
  readonly servers: number;
  readonly mode: OrderingMode;
  /** With a key, every server seals its frames; server i's epoch is `epochBase + i`. */
  readonly authenticator?: FrameAuthenticator;
  readonly epochBase?: number;
  readonly clientsMax?: number;
  readonly clientRateMax?: number;
  readonly clientIdleMsMax?: number;
  readonly roomCount?: number;
  readonly clock?: () => number;
}

/** Event-loop turns `settle()` runs before giving up on the network going quiet. */
const SETTLE_TURNS_MAX = 10_000;
/** `-v` log text kept for assertions; the rest is only counted. */
const LOG_TEXT_CHARS_MAX = 1024 * 1024;
/** How long `runUntil` lets the servers' timers run before giving up: a failure, not a verdict. */
const RUN_UNTIL_WAIT_MS_MAX = 15_000;

/** Where server `index` (1-based) is: 10.0.0.index:5000, forward and bind alike. */
export function inMemoryServerAddress(index: number): SocketAddress {
  return { host: `10.0.0.${index}`, port: 5000 };
}

export class InMemoryCluster implements AsyncDisposable {
  readonly network = new InMemoryNetwork();
  readonly servers: readonly ChatServer[];
  readonly addresses: readonly SocketAddress[];
  /** The servers' `-v` log (on, to exercise it), up to LOG_TEXT_CHARS_MAX characters. */
  logText = '';

  constructor(options: InMemoryClusterOptions) {
    const count = options.servers;
    this.addresses = Array.from({ length: count }, (_, i) => inMemoryServerAddress(i + 1));
    const config = this.addresses.map((address) => ({ forward: address, bind: address }));
    const sink = {
      write: (text: string): void => {
        if (this.logText.length < LOG_TEXT_CHARS_MAX) this.logText += text;
      },
    };
    this.servers = this.addresses.map((address, position) => {
      const index = position + 1;
      const sealing =
        options.authenticator === undefined
          ? undefined
          : { epoch: (options.epochBase ?? 1_000) + index, authenticator: options.authenticator };
      return new ChatServer(
        {
          index,
          servers: config,
          mode: options.mode,
          roomCount: options.roomCount ?? 10,
          clientsMax: options.clientsMax ?? 100,
          clientRateMax: options.clientRateMax ?? 5_000,
          clientIdleMsMax: options.clientIdleMsMax ?? 600_000,
          sealing,
          multicast: undefined,
          log: new DebugLog(true, index, sink),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        },
        this.network.endpoint(address),
      );
    });
  }

  /** A client endpoint at `address`, recording what it receives. */
  client(address: SocketAddress): InMemoryClient {
    return new InMemoryClient(this.network.endpoint(address));
  }

  /**
   * Runs event-loop turns (the servers flush to peers once per turn) and delivers what is in
   * flight, until a turn has nothing to deliver. Timers (acknowledgements, repairs) may still be
   * pending: `runUntil` waits for those.
   */
  async settle(): Promise<void> {
    for (let turn = 0; turn < SETTLE_TURNS_MAX; turn++) {
      await nextTurn();
      if (this.network.deliverInFlight() === 0 && this.network.inFlightCount === 0) return;
    }
    throw new Error(`the network did not go quiet in ${SETTLE_TURNS_MAX} turns`);
  }

  /**
   * Delivers, and lets the servers' timers fire, until `done()` holds; throws if it never does,
   * naming `what` (a function is asked only then, so it can describe the state at the end).
   */
  async runUntil(done: () => boolean, what: string | (() => string)): Promise<void> {
    const deadline = performance.now() + RUN_UNTIL_WAIT_MS_MAX;
    for (;;) {
      await this.settle();
      if (done()) return;
      if (performance.now() > deadline) {
        throw new Error(`never: ${typeof what === 'string' ? what : what()}`);
      }
      await sleep(1);
    }
  }

  /** Whether every server has installed the same view, of all of them. */
  inOneView(): boolean {
    const [first, ...others] = this.servers.map((server) => server.view());
    return (
      first !== undefined &&
      first.members.length === this.servers.length &&
      others.every((view) => view.id === first.id && view.members.length === first.members.length)
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A client of an in-memory server: sends lines, keeps what it receives. */
export class InMemoryClient {
  readonly received: string[] = [];

  constructor(private readonly endpoint: InMemoryEndpoint) {
    endpoint.onDatagram((data) => this.received.push(data.toString('utf8')));
  }

  get address(): SocketAddress {
    return this.endpoint.address;
  }

  send(line: string | Uint8Array, to: SocketAddress): void {
    this.endpoint.send(typeof line === 'string' ? Buffer.from(line) : line, to);
  }
}
