import type { SendBatchAddon } from './send-batch.js';
import { hostText } from './send-batch.js';
import type { SocketAddress } from './socket-address.js';

/** Datagrams one recvmmsg call reads (the addon takes at most 64). */
export const RECEIVE_BATCH_DATAGRAMS_MAX = 32;
/** recvmmsg calls per readable event at most, so one busy socket cannot starve the event loop. */
const RECEIVE_BATCHES_PER_EVENT_MAX = 4;
/** A slot holds any IPv4 UDP payload (at most 65,507 bytes), so nothing is cut short. */
const SLOT_BYTES = 65_536;
/** Source addresses whose text is kept; past it the cache starts over. */
const HOST_CACHE_ENTRIES_MAX = 4096;
const CUT_SHORT = 0xff_ff_ff_ff;

/**
 * Drains a socket with recvmmsg once node:dgram has reported one datagram: libuv reads each
 * datagram with its own recvmsg and calls JavaScript once for each, with a fresh 64 KiB read
 * buffer; this reads up to RECEIVE_BATCH_DATAGRAMS_MAX per system call into one scratch area (2 MiB,
 * allocated on first use) and hands each payload on as a copy of its own, so a handler may keep it.
 */
export class ReceiveBatch {
  readonly #addon: SendBatchAddon;
  readonly #fd: number;
  readonly #deliver: (data: Buffer, from: SocketAddress) => boolean;
  readonly #lengths = new Uint32Array(RECEIVE_BATCH_DATAGRAMS_MAX);
  readonly #hosts = new Uint32Array(RECEIVE_BATCH_DATAGRAMS_MAX);
  readonly #ports = new Uint16Array(RECEIVE_BATCH_DATAGRAMS_MAX);
  readonly #hostTexts = new Map<number, string>();
  #scratch: Buffer | undefined;
  /** Datagrams dropped because the kernel cut them short (cannot happen with 64 KiB slots). */
  cutShort = 0;

  /** `deliver` returns false once the endpoint closes: the drain stops there. */
  constructor(
    addon: SendBatchAddon,
    fd: number,
    deliver: (data: Buffer, from: SocketAddress) => boolean,
  ) {
    this.#addon = addon;
    this.#fd = fd;
    this.#deliver = deliver;
  }

  /** Reads and delivers what waits on the socket now, up to a bound. */
  drain(): void {
    this.#scratch ??= Buffer.allocUnsafeSlow(RECEIVE_BATCH_DATAGRAMS_MAX * SLOT_BYTES);
    const scratch = this.#scratch;
    for (let batch = 0; batch < RECEIVE_BATCHES_PER_EVENT_MAX; batch++) {
      const count = this.#addon.receiveBatch(
        this.#fd,
        scratch,
        SLOT_BYTES,
        this.#lengths,
        this.#hosts,
        this.#ports,
        RECEIVE_BATCH_DATAGRAMS_MAX,
      );
      for (let i = 0; i < count; i++) {
        const length = this.#lengths[i]!;
        if (length === CUT_SHORT) {
          this.cutShort++;
          continue;
        }
        const start = i * SLOT_BYTES;
        // A copy (from Node's pool when small): the handler may keep the payload.
        const data = Buffer.allocUnsafe(length);
        scratch.copy(data, 0, start, start + length);
        const from = { host: this.#hostText(this.#hosts[i]!), port: this.#ports[i]! };
        if (!this.#deliver(data, from)) return;
      }
      if (count < RECEIVE_BATCH_DATAGRAMS_MAX) return;
    }
  }

  #hostText(number: number): string {
    let text = this.#hostTexts.get(number);
    if (text === undefined) {
      text = hostText(number);
      if (this.#hostTexts.size === HOST_CACHE_ENTRIES_MAX) this.#hostTexts.clear();
      this.#hostTexts.set(number, text);
    }
    return text;
  }
}
