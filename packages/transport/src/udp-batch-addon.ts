import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';

/** A receiver the addon started; only `receiveStop` uses it. */
export type AddonReceiver = object & { readonly __brand?: 'AddonReceiver' };

/**
 * The optional addon (native/udp-batch.c), built at install when a C compiler is there: sendmmsg
 * and recvmmsg on a socket node:dgram owns.
 */
export interface UdpBatchAddon {
  /** Sends datagrams[0..count) with sendmmsg; returns how many went, in order. */
  sendBatch(
    fd: number,
    datagrams: readonly Uint8Array[],
    hosts: Uint32Array,
    ports: Uint16Array,
    count: number,
  ): number;
  /**
   * Reads the socket with recvmmsg whenever it is readable and calls `onBatch(count, data)` once per
   * read: `data` holds the datagrams back to back; lengths, hosts and ports (at least
   * RECEIVE_BATCH_DATAGRAMS_MAX long) describe each. On a receive error, `onBatch(-errno)`.
   */
  receiveStart(
    fd: number,
    onBatch: (count: number, data: Buffer | undefined) => void,
    lengths: Uint32Array,
    hosts: Uint32Array,
    ports: Uint16Array,
  ): AddonReceiver;
  /** Stops a receiver for good; call it once. */
  receiveStop(receiver: AddonReceiver): void;
}

let addon: UdpBatchAddon | null | undefined;

/** The addon, or undefined when it was not built (or does not load here). */
export function udpBatchAddon(): UdpBatchAddon | undefined {
  if (addon === undefined) {
    // Addresses cross as little-endian words holding network byte order (see ipv4NumberOfText).
    if (endianness() !== 'LE') addon = null;
    else
      try {
        addon = createRequire(import.meta.url)('../build/udp_batch.node') as UdpBatchAddon;
      } catch {
        addon = null;
      }
  }
  return addon ?? undefined;
}

/** node:dgram's handle of a socket: its file descriptor and its switches for reading. */
export interface DgramHandle {
  readonly fd: number;
  recvStart(): number;
  recvStop(): number;
}

/**
 * node:dgram keeps a socket's handle under an internal symbol. Found by the symbol's description
 * rather than through the deprecated `_handle`, which prints a warning; undefined if Node changes
 * it (the endpoint then sends and receives through node:dgram alone).
 */
export function dgramHandle(socket: Socket): DgramHandle | undefined {
  const state = Object.getOwnPropertySymbols(socket).find(
    (symbol) => symbol.description === 'state symbol',
  );
  const stateValue =
    state === undefined ? undefined : (socket as unknown as Record<symbol, unknown>)[state];
  const handle = (
    stateValue as { handle?: { fd?: unknown; recvStart?: unknown; recvStop?: unknown } } | undefined
  )?.handle;
  return handle !== undefined &&
    typeof handle.fd === 'number' &&
    handle.fd >= 0 &&
    typeof handle.recvStart === 'function' &&
    typeof handle.recvStop === 'function'
    ? (handle as DgramHandle)
    : undefined;
}

const DOT = 0x2e;
const DIGIT_ZERO = 0x30;

/**
 * A dotted quad that `isIPv4` accepted as the addon takes it: memory order a.b.c.d in a
 * little-endian word. Read digit by digit, not with `split('.').map(Number)`: the send path's
 * optimized code, built by a server's warm-up on those arrays, was thrown away at the real
 * server's first new address (its first peer), so the whole send path ran unoptimized into the
 * server's first burst and was compiled again there.
 */
export function ipv4NumberOfText(text: string): number {
  let number = 0;
  let octet = 0;
  let shift = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === DOT) {
      number |= octet << shift;
      shift += 8;
      octet = 0;
    } else {
      octet = octet * 10 + (code - DIGIT_ZERO);
    }
  }
  return (number | (octet << shift)) >>> 0;
}

/** The dotted quad of an `ipv4NumberOfText`. */
export function ipv4Text(number: number): string {
  return `${number & 0xff}.${(number >>> 8) & 0xff}.${(number >>> 16) & 0xff}.${number >>> 24}`;
}
