import { isIPv4 } from 'node:net';
import type { SocketAddress } from './socket-address.js';
import {
  ipv4NumberOfText,
  ipv4Text,
  udpBatchAddon,
  type UdpBatchAddon,
} from './udp-batch-addon.js';

/**
 * Datagrams one sendmmsg call takes (the addon's limit too): an endpoint with `batchSends` sends
 * at once, not at the end of the turn, when this many wait.
 */
export const SEND_BATCH_DATAGRAMS_MAX = 1024;
/** Addresses whose parsed form is kept; past it the cache starts over. */
const HOST_CACHE_ENTRIES_MAX = 4096;
const PORT_MAX = 65_535;

/** Whether sends can be batched with sendmmsg here (the addon loaded). */
export function sendBatchingAvailable(): boolean {
  return udpBatchAddon() !== undefined;
}

/**
 * Collects the datagrams an endpoint sends during one event-loop turn and sends them with one
 * sendmmsg at the end of the turn (setImmediate), or as soon as SEND_BATCH_DATAGRAMS_MAX are
 * waiting. What the kernel refuses goes to `sendOneByOne`, node:dgram's path, which queues and
 * reports errors as usual.
 */
export class SendBatch {
  readonly #addon: UdpBatchAddon;
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
    addon: UdpBatchAddon,
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
      this.#sendOneByOne(datagrams[i]!, { host: ipv4Text(this.#hosts[i]!), port: this.#ports[i]! });
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
      number = ipv4NumberOfText(host);
      if (this.#hostNumbers.size === HOST_CACHE_ENTRIES_MAX) this.#hostNumbers.clear();
      this.#hostNumbers.set(host, number);
    }
    return number;
  }
}

const EMPTY = new Uint8Array(0);
