import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { isIPv4 } from 'node:net';
import { endianness } from 'node:os';
import type { SocketAddress } from './socket-address.js';

/** The optional addon (native/udp-batch.c), built at install when a C compiler is there. */
interface SendBatchAddon {
  /** Sends datagrams[0..count) with sendmmsg; returns how many went, in order. */
  sendBatch(
    fd: number,
    datagrams: readonly Uint8Array[],
    hosts: Uint32Array,
    ports: Uint16Array,
    count: number,
  ): number;
}

/** Datagrams one sendmmsg call takes (the addon's limit too). */
export const SEND_BATCH_DATAGRAMS_MAX = 1024;
/** Addresses whose parsed form is kept; past it the cache starts over. */
const HOST_CACHE_ENTRIES_MAX = 4096;
const PORT_MAX = 65_535;

let addon: SendBatchAddon | null | undefined;

/** The addon, or undefined when it was not built (or does not load here). */
export function sendBatchAddon(): SendBatchAddon | undefined {
  if (addon === undefined) {
    // Addresses are handed over as little-endian words (see #hostNumber).
    if (endianness() !== 'LE') addon = null;
    else
      try {
        addon = createRequire(import.meta.url)('../build/udp_batch.node') as SendBatchAddon;
      } catch {
        addon = null;
      }
  }
  return addon ?? undefined;
}

/** Whether sends can be batched with sendmmsg here (the addon loaded). */
export function sendBatchingAvailable(): boolean {
  return sendBatchAddon() !== undefined;
}

/**
 * node:dgram keeps a socket's handle under an internal symbol; its `fd` is the socket's file
 * descriptor. Found by the symbol's description rather than through the deprecated `_handle`,
 * which prints a warning; undefined if Node changes it (the endpoint then sends unbatched).
 */
export function socketFd(socket: Socket): number | undefined {
  const state = Object.getOwnPropertySymbols(socket).find(
    (symbol) => symbol.description === 'state symbol',
  );
  const handle =
    state === undefined ? undefined : (socket as unknown as Record<symbol, unknown>)[state];
  const fd = (handle as { handle?: { fd?: unknown } } | undefined)?.handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Collects the datagrams an endpoint sends during one event-loop turn and sends them with one
 * sendmmsg at the end of the turn (setImmediate), or as soon as SEND_BATCH_DATAGRAMS_MAX are
 * waiting. What the kernel refuses goes to `sendOneByOne`, node:dgram's path, which queues and
 * reports errors as usual.
 */
export class SendBatch {
  readonly #addon: SendBatchAddon;
  readonly #fd: number;
  readonly #datagrams: Uint8Array[] = [];
  readonly #hosts = new Uint32Array(SEND_BATCH_DATAGRAMS_MAX);
  readonly #ports = new Uint16Array(SEND_BATCH_DATAGRAMS_MAX);
  readonly #hostNumbers = new Map<string, number>();
  readonly #sendOneByOne: (data: Uint8Array, to: SocketAddress) => void;
  readonly #onSent: (datagrams: number, bytes: number) => void;
  #count = 0;
  #scheduled = false;

  constructor(
    addon: SendBatchAddon,
    fd: number,
    sendOneByOne: (data: Uint8Array, to: SocketAddress) => void,
    onSent: (datagrams: number, bytes: number) => void,
  ) {
    this.#addon = addon;
    this.#fd = fd;
    this.#sendOneByOne = sendOneByOne;
    this.#onSent = onSent;
  }

  /** Queues a datagram; false (and nothing queued) unless `to` is an IPv4 literal and a port. */
  push(data: Uint8Array, to: SocketAddress): boolean {
    const host = this.#hostNumber(to.host);
    const port = to.port;
    if (host === undefined || !(Number.isInteger(port) && port > 0 && port <= PORT_MAX)) {
      return false;
    }
    const at = this.#count;
    this.#datagrams[at] = data;
    this.#hosts[at] = host;
    this.#ports[at] = port;
    this.#count = at + 1;
    if (this.#count === SEND_BATCH_DATAGRAMS_MAX) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushAtEndOfTurn);
    }
    return true;
  }

  /** Sends everything queued now. */
  flush(): void {
    const count = this.#count;
    if (count === 0) return;
    this.#count = 0;
    const datagrams = this.#datagrams;
    const sent = this.#addon.sendBatch(this.#fd, datagrams, this.#hosts, this.#ports, count);
    let bytes = 0;
    for (let i = 0; i < sent; i++) bytes += datagrams[i]!.byteLength;
    this.#onSent(sent, bytes);
    for (let i = sent; i < count; i++) {
      this.#sendOneByOne(datagrams[i]!, { host: hostText(this.#hosts[i]!), port: this.#ports[i]! });
    }
    // Let the datagrams be collected; the array keeps its capacity.
    datagrams.fill(EMPTY, 0, count);
  }

  readonly #flushAtEndOfTurn = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** The address in network byte order, as sockaddr_in wants it (the addon copies it as is). */
  #hostNumber(host: string): number | undefined {
    let number = this.#hostNumbers.get(host);
    if (number === undefined) {
      if (!isIPv4(host)) return undefined;
      const [a, b, c, d] = host.split('.').map(Number) as [number, number, number, number];
      // Memory order a.b.c.d as a little-endian uint32 (only little-endian machines batch).
      number = (a | (b << 8) | (c << 16) | (d << 24)) >>> 0;
      if (this.#hostNumbers.size === HOST_CACHE_ENTRIES_MAX) this.#hostNumbers.clear();
      this.#hostNumbers.set(host, number);
    }
    return number;
  }
}

const EMPTY = new Uint8Array(0);

function hostText(number: number): string {
  return `${number & 0xff}.${(number >>> 8) & 0xff}.${(number >>> 16) & 0xff}.${number >>> 24}`;
}
