import { formatSocketAddress } from './format-socket-address.js';
import type { SocketAddress } from './socket-address.js';

/** Which part of opening an endpoint failed. */
export type UdpOpenStep = 'bind' | 'buffer-size' | 'multicast';

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EINVAL: 'invalid argument',
  ENODEV: 'no such device',
  ENOBUFS: 'no buffer space available',
};

/**
 * Opening a `UdpEndpoint` failed in the operating system (the port is taken, the address is not local,
 * the multicast group cannot be joined, ...). `code` is the OS error code, e.g. `EADDRINUSE`; `message`
 * is one line fit to show a user as is.
 */
export class UdpBindError extends Error {
  /** Always `'UdpBindError'`. */
  override readonly name = 'UdpBindError';

  /**
   * @param step - which part of opening failed
   * @param address - the address the endpoint was to bind
   * @param code - the OS error code, e.g. `EADDRINUSE`, or `UNKNOWN`
   * @param detail - the reason, appended to the message
   * @param options - `cause`: the underlying error
   */
  constructor(
    /** Which part of opening failed. */
    readonly step: UdpOpenStep,
    /** The address the endpoint was to bind. */
    readonly address: SocketAddress,
    /** The OS error code, e.g. `EADDRINUSE` or `EADDRNOTAVAIL`; `UNKNOWN` when there is none. */
    readonly code: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${describeStep(step, address)}: ${detail}`, options);
  }

  /**
   * Wraps an error thrown by Node's `dgram` module, keeping it as `cause`.
   *
   * @param step - which part of opening failed
   * @param address - the address the endpoint was to bind
   * @param error - what `dgram` threw or reported
   */
  static from(step: UdpOpenStep, address: SocketAddress, error: unknown): UdpBindError {
    const code = systemErrorCode(error);
    const reason = REASONS[code];
    const detail =
      reason !== undefined
        ? `${reason} (${code})`
        : error instanceof Error
          ? firstLine(error.message)
          : String(error);
    return new UdpBindError(step, address, code, detail, { cause: error });
  }
}

function describeStep(step: UdpOpenStep, address: SocketAddress): string {
  switch (step) {
    case 'bind':
      return `cannot bind UDP socket to ${formatSocketAddress(address)}`;
    case 'buffer-size':
      return `cannot set UDP socket buffer sizes on ${formatSocketAddress(address)}`;
    case 'multicast':
      return `cannot set up multicast on UDP socket ${formatSocketAddress(address)}`;
  }
}

/** Node puts the errno name in `code`, except for buffer-size errors, which wrap it in `info.code`. */
function systemErrorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UNKNOWN';
  const info: unknown = (error as { info?: unknown }).info;
  if (typeof info === 'object' && info !== null) {
    const infoCode: unknown = (info as { code?: unknown }).code;
    if (typeof infoCode === 'string') return infoCode;
  }
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline < 0 ? text : text.slice(0, newline);
}
