import { getSystemErrorName } from 'node:util';
import type { SocketAddress } from './socket-address.js';
import {
  ipv4Text,
  type AddonReceiver,
  type DgramHandle,
  type UdpBatchAddon,
} from './udp-batch-addon.js';

/**
 * Datagrams one recvmmsg call reads (the addon's limit): as many as libuv reads per wakeup, so a
 * turn takes no more datagrams than it would through node:dgram.
 */
export const RECEIVE_BATCH_DATAGRAMS_MAX = 32;
/** Source addresses whose text is kept; past it the cache starts over. */
const HOST_CACHE_ENTRIES_MAX = 4096;

/**
 * Reads an endpoint's socket with the addon's recvmmsg instead of node:dgram: one system call, one
 * Buffer and one call into JavaScript for up to RECEIVE_BATCH_DATAGRAMS_MAX datagrams, where
 * node:dgram makes one system call, allocates 64 KiB and calls into JavaScript for each.
 */
export class ReceiveBatch {
  readonly #addon: UdpBatchAddon;
  #receiver: AddonReceiver | undefined;
  readonly #lengths = new Uint32Array(RECEIVE_BATCH_DATAGRAMS_MAX);
  readonly #hosts = new Uint32Array(RECEIVE_BATCH_DATAGRAMS_MAX);
  readonly #ports = new Uint16Array(RECEIVE_BATCH_DATAGRAMS_MAX);
  readonly #hostTexts = new Map<number, string>();
  /** Must not throw: a throw would lose the rest of the read. */
  readonly #onDatagram: (data: Buffer, from: SocketAddress) => void;
  readonly #onError: (error: Error) => void;

  /**
   * Takes over reading from node:dgram's `handle` (which stops reading) until `stop()`. Throws,
   * with node:dgram still reading, if the addon cannot watch the socket (e.g. no descriptor left).
   */
  constructor(
    addon: UdpBatchAddon,
    handle: DgramHandle,
    onDatagram: (data: Buffer, from: SocketAddress) => void,
    onError: (error: Error) => void,
  ) {
    this.#addon = addon;
    this.#onDatagram = onDatagram;
    this.#onError = onError;
    this.#receiver = addon.receiveStart(
      handle.fd,
      this.#onBatch,
      this.#lengths,
      this.#hosts,
      this.#ports,
    );
    // In the same turn: node:dgram has read nothing since the addon started watching.
    handle.recvStop();
  }

  /** Stops reading for good; the endpoint drops the rest of a read it stops in. */
  stop(): void {
    if (this.#receiver === undefined) return;
    this.#addon.receiveStop(this.#receiver);
    this.#receiver = undefined;
  }

  readonly #onBatch = (count: number, data: Buffer | undefined): void => {
    if (data === undefined) {
      const code = getSystemErrorName(count);
      this.#onError(
        Object.assign(new Error(`recvmmsg ${code}`), { code, errno: count, syscall: 'recvmmsg' }),
      );
      return;
    }
    let at = 0;
    for (let i = 0; i < count; i++) {
      const end = at + this.#lengths[i]!;
      this.#onDatagram(data.subarray(at, end), {
        host: this.#hostText(this.#hosts[i]!),
        port: this.#ports[i]!,
      });
      at = end;
    }
  };

  #hostText(number: number): string {
    let text = this.#hostTexts.get(number);
    if (text === undefined) {
      text = ipv4Text(number);
      if (this.#hostTexts.size === HOST_CACHE_ENTRIES_MAX) this.#hostTexts.clear();
      this.#hostTexts.set(number, text);
    }
    return text;
  }
}
