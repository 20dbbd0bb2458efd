import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIPv4 } from 'node:net';
import { ReceiveBatch } from './receive-batch.js';
import { SendBatch } from './send-batch.js';
import type { SocketAddress } from './socket-address.js';
import {
  dgramHandle,
  udpBatchAddon,
  type DgramHandle,
  type UdpBatchAddon,
} from './udp-batch-addon.js';
import { UdpBindError } from './udp-bind-error.js';
import type { UdpOpenStep } from './udp-bind-error.js';
import { CLOSE_DRAIN_MS_MAX, SOCKET_BUFFER_BYTES_MAX } from './udp-limits.js';

/** IP multicast settings of an endpoint: the interface to use, and optionally a group to join. */
export interface MulticastOptions {
  /** The local interface, by its IPv4 address, that multicast goes out of and is joined on. */
  readonly interfaceAddress: string;
  /** Hops a multicast datagram may take; default 1 (this link only). */
  readonly ttl?: number;
  /** Whether this host's own group members receive what it sends; default true (one-machine setups). */
  readonly loopback?: boolean;
  /** Join this group (224.0.0.0/4) on `interfaceAddress`, to receive what is sent to it. */
  readonly joinGroup?: string;
}

/** What {@link UdpEndpoint.open} binds, and how. */
export interface UdpEndpointOptions {
  /** Where to bind; port 0 lets the OS pick one. */
  readonly bind: SocketAddress;
  /** SO_REUSEADDR, so several sockets can share a port (e.g. members of one multicast group). */
  readonly reuseAddress?: boolean;
  /** Requested SO_RCVBUF; the kernel may grant less, or (Linux) double: see `bufferSizes`. */
  readonly recvBufferSizeBytes?: number;
  /** Requested SO_SNDBUF; as above. */
  readonly sendBufferSizeBytes?: number;
  /**
   * Multicast settings. Without them, sending to a multicast group is refused (reported and
   * counted): the OS's default multicast interface follows the default route, rarely the one meant.
   */
  readonly multicast?: MulticastOptions;
  /**
   * Send the datagrams of one event-loop turn with one sendmmsg system call (at the end of the turn)
   * instead of one system call each. Default true; it takes effect only where the optional addon was
   * built at install (Linux, a C compiler): see `sendsBatched`.
   */
  readonly batchSends?: boolean;
  /**
   * Read datagrams with recvmmsg, up to 32 per system call, and hand them over in one call into
   * JavaScript, instead of node:dgram's system call, 64 KiB allocation and call per datagram.
   * Default true; it takes effect only where the optional addon was built: see `receivesBatched`.
   */
  readonly batchReceives?: boolean;
}

/** The socket buffer sizes the kernel granted. */
export interface UdpBufferSizes {
  /** SO_RCVBUF as the kernel reports it (Linux reports twice the usable size). */
  readonly recvBytes: number;
  /** SO_SNDBUF as the kernel reports it (Linux reports twice the usable size). */
  readonly sendBytes: number;
}

/** An endpoint's counters since it was opened. */
export interface UdpEndpointStats {
  /** Datagrams the kernel accepted for sending. */
  readonly datagramsSent: number;
  /** Datagrams handed to the datagram handler. */
  readonly datagramsReceived: number;
  /** Payload bytes of the datagrams counted in `datagramsSent`. */
  readonly bytesSent: number;
  /** Payload bytes of the datagrams counted in `datagramsReceived`. */
  readonly bytesReceived: number;
  /** Sends that failed, including sends attempted after `close()`. */
  readonly sendErrors: number;
}

/**
 * Receives each datagram: its payload (a Node `Buffer`, valid after the call) and its source.
 */
export type DatagramHandler = (data: Buffer, from: SocketAddress) => void;
/** Receives send failures, socket errors and what the datagram handler throws; none is rethrown. */
export type ErrorHandler = (error: Error) => void;

const MULTICAST_TTL_MAX = 255;
/** 224.0.0.0/4, for a dotted-quad IPv4 address. */
const MULTICAST_HOST = /^2(2[4-9]|3\d)\./;
const DIGIT_0 = 0x30;
const DOT = 0x2e;

/**
 * One bound IPv4 UDP socket. Sending is fire and forget: failures are counted in `stats` and passed to
 * the `onError` handler, never thrown, so a bad destination cannot crash a server.
 */
export class UdpEndpoint implements AsyncDisposable {
  readonly #socket: Socket;
  readonly #counters = {
    datagramsSent: 0,
    datagramsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    sendErrors: 0,
  };
  #datagramHandler: DatagramHandler | undefined;
  #errorHandler: ErrorHandler | undefined;
  #sendsPending = 0;
  #whenSendsDrained: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  readonly #multicastInterfaceChosen: boolean;
  readonly #batch: SendBatch | undefined;
  /** Set once reading starts, if the addon reads (see `#startReceiving`). */
  #receiveBatch: ReceiveBatch | undefined;
  /** Until the first handler: node:dgram's handle, left not reading, and whether the addon will. */
  #waitingToReceive:
    { readonly handle: DgramHandle; readonly addon: UdpBatchAddon | undefined } | undefined;
  #receivesBatched: boolean;

  private constructor(
    socket: Socket,
    /** The address actually bound (with the port the OS picked, if `bind.port` was 0). */
    readonly address: SocketAddress,
    /** The socket buffer sizes the kernel granted. */
    readonly bufferSizes: UdpBufferSizes,
    multicastInterfaceChosen: boolean,
    batching: { readonly sends: boolean; readonly receives: boolean },
  ) {
    this.#socket = socket;
    this.#multicastInterfaceChosen = multicastInterfaceChosen;
    const addon = udpBatchAddon();
    const handle = dgramHandle(socket);
    this.#batch =
      addon === undefined || handle === undefined || !batching.sends
        ? undefined
        : new SendBatch(addon, handle.fd, this.#sendNow, this.#countBatchSent);
    this.#receivesBatched = addon !== undefined && handle !== undefined && batching.receives;
    // Nothing is read before there is a handler: until then datagrams wait in the kernel's receive
    // buffer. A server warming up before it serves would otherwise drop its first clients' commands.
    // In the same turn as the bind: node:dgram has read nothing yet.
    if (handle !== undefined) {
      handle.recvStop();
      this.#waitingToReceive = { handle, addon: this.#receivesBatched ? addon : undefined };
    }
    // node:dgram's reading stays off while the addon reads; its listener serves the other case.
    socket.on('message', this.#receiveMessage);
    socket.on('error', this.#reportError);
  }

  /** Whether this endpoint sends with sendmmsg (`batchSends` and the addon), else one by one. */
  get sendsBatched(): boolean {
    return this.#batch !== undefined;
  }

  /**
   * Whether this endpoint reads (from its first `onDatagram`) with recvmmsg (`batchReceives` and the
   * addon), else node:dgram.
   */
  get receivesBatched(): boolean {
    return this.#receivesBatched;
  }

  /**
   * Binds a socket; rejects with {@link UdpBindError} if the OS refuses, `RangeError` on invalid
   * options (hosts must be IPv4 literals).
   */
  static async open(options: UdpEndpointOptions): Promise<UdpEndpoint> {
    validateOptions(options);
    const socket = createSocket({
      type: 'udp4',
      reuseAddr: options.reuseAddress ?? false,
      lookup: lookupAddressLiteral,
    });
    let step: UdpOpenStep = 'bind';
    try {
      await bindSocket(socket, options.bind);
      step = 'buffer-size';
      if (options.recvBufferSizeBytes !== undefined) {
        socket.setRecvBufferSize(options.recvBufferSizeBytes);
      }
      if (options.sendBufferSizeBytes !== undefined) {
        socket.setSendBufferSize(options.sendBufferSizeBytes);
      }
      const bufferSizes = {
        recvBytes: socket.getRecvBufferSize(),
        sendBytes: socket.getSendBufferSize(),
      };
      step = 'multicast';
      if (options.multicast !== undefined) configureMulticast(socket, options.multicast);
      const { address, port } = socket.address();
      const multicastInterfaceChosen = options.multicast !== undefined;
      return new UdpEndpoint(
        socket,
        { host: address, port },
        bufferSizes,
        multicastInterfaceChosen,
        { sends: options.batchSends ?? true, receives: options.batchReceives ?? true },
      );
    } catch (error) {
      await closeQuietly(socket);
      throw UdpBindError.from(step, options.bind, error);
    }
  }

  /**
   * Sets the one handler for incoming datagrams (replacing any earlier one). The endpoint reads
   * from the first: datagrams that arrived before it, as many as the receive buffer held, come then.
   */
  onDatagram(handler: DatagramHandler): void {
    this.#datagramHandler = handler;
    this.#startReceiving();
  }

  #startReceiving(): void {
    const waiting = this.#waitingToReceive;
    if (waiting === undefined || this.#closing !== undefined) return;
    this.#waitingToReceive = undefined;
    const { handle, addon } = waiting;
    if (addon !== undefined) {
      this.#receiveBatch = startReceiveBatch(addon, handle, this.#receive, this.#reportError);
    }
    if (this.#receiveBatch === undefined) {
      this.#receivesBatched = false;
      handle.recvStart();
    }
  }

  /** Sets the one handler for send failures and socket errors (replacing any earlier one). */
  onError(handler: ErrorHandler): void {
    this.#errorHandler = handler;
  }

  /**
   * Queues one datagram; never throws. Sending to a multicast group needs `multicast` options: the
   * OS default interface for multicast follows the default route, which is rarely the one meant.
   */
  send(data: Uint8Array, to: SocketAddress): void {
    if (this.#closing !== undefined) {
      // Quietly: timers racing a shutdown would otherwise flood the error log.
      this.#counters.sendErrors++;
      return;
    }
    if (!this.#multicastInterfaceChosen && isMulticastHost(to.host)) {
      this.#counters.sendErrors++;
      this.#reportError(
        new Error(
          `not sending to multicast group ${to.host}: open the endpoint with ` +
            'multicast.interfaceAddress to choose the interface',
        ),
      );
      return;
    }
    // Batched only to IPv4 literals and valid ports; the rest takes node:dgram's path and checks.
    if (this.#batch === undefined || !this.#batch.push(data, to)) this.#sendNow(data, to);
  }

  /** One datagram through node:dgram: one system call, a callback with the outcome. */
  readonly #sendNow = (data: Uint8Array, to: SocketAddress): void => {
    this.#sendsPending++;
    try {
      this.#socket.send(data, to.port, to.host, this.#sendDone);
    } catch (error) {
      // Invalid arguments (e.g. port out of range) throw synchronously instead of calling back.
      this.#sendDone(error instanceof Error ? error : new Error(String(error)), 0);
    }
  };

  readonly #countBatchSent = (datagrams: number, bytes: number): void => {
    this.#counters.datagramsSent += datagrams;
    this.#counters.bytesSent += bytes;
  };

  /** Sends the datagrams batched so far now instead of at the end of the turn (see `batchSends`). */
  flush(): void {
    this.#batch?.flush();
  }

  /** A snapshot of the counters. */
  get stats(): UdpEndpointStats {
    return { ...this.#counters };
  }

  /**
   * Stops delivering and accepting datagrams, lets sends already queued reach the kernel (at most
   * CLOSE_DRAIN_MS_MAX), then closes the socket. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#drainAndClose();
    return this.#closing;
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #drainAndClose(): Promise<void> {
    this.#receiveBatch?.stop();
    this.#batch?.flush();
    if (this.#sendsPending > 0) {
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, CLOSE_DRAIN_MS_MAX);
        deadline.unref();
        this.#whenSendsDrained = () => {
          clearTimeout(deadline);
          resolve();
        };
      });
    }
    await closeQuietly(this.#socket);
  }

  // Arrow-function fields: one callback object per endpoint, not one closure per datagram.
  readonly #sendDone = (error: Error | null, bytes: number): void => {
    this.#sendsPending--;
    if (error === null) {
      this.#counters.datagramsSent++;
      this.#counters.bytesSent += bytes;
    } else {
      this.#counters.sendErrors++;
      this.#reportError(error);
    }
    if (this.#sendsPending === 0) this.#whenSendsDrained?.();
  };

  readonly #receive = (data: Buffer, from: SocketAddress): void => {
    if (this.#closing !== undefined) return;
    this.#counters.datagramsReceived++;
    this.#counters.bytesReceived += data.length;
    try {
      this.#datagramHandler?.(data, from);
    } catch (error) {
      // One bad datagram must not take the endpoint down, nor the datagrams read with it.
      this.#reportError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  readonly #receiveMessage = (data: Buffer, remote: RemoteInfo): void => {
    // A fresh object per datagram: measured ~10x cheaper than interning one per host:port in a Map.
    this.#receive(data, { host: remote.address, port: remote.port });
  };

  readonly #reportError = (error: Error): void => {
    this.#errorHandler?.(error);
  };
}

/** A ReceiveBatch, or undefined (node:dgram reads on) where the addon cannot watch the socket. */
function startReceiveBatch(
  ...args: ConstructorParameters<typeof ReceiveBatch>
): ReceiveBatch | undefined {
  try {
    return new ReceiveBatch(...args);
  } catch {
    return undefined;
  }
}

/**
 * The socket's address lookup. Node resolves the destination of every `send` with it; the default
 * (`dns.lookup`) answers an IP literal only on the next tick, through a closure and an `isIP` regex
 * per datagram. Every address here is a literal, answered at once; names still go to `dns.lookup`.
 */
function lookupAddressLiteral(
  hostname: string,
  options: LookupOneOptions | number,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (isIPv4(hostname)) {
    callback(null, hostname, 4);
    return;
  }
  const family = typeof options === 'number' ? options : (options.family ?? 4);
  dnsLookup(hostname, { family: family === 6 ? 6 : 4 }, callback);
}

/** `MULTICAST_HOST.test(host)` without running a regex per datagram. */
function isMulticastHost(host: string): boolean {
  if (host.charCodeAt(0) !== DIGIT_0 + 2 || host.charCodeAt(3) !== DOT) return false;
  const second = host.charCodeAt(1) - DIGIT_0;
  const third = host.charCodeAt(2) - DIGIT_0;
  return (second === 2 && third >= 4 && third <= 9) || (second === 3 && third >= 0 && third <= 9);
}

function bindSocket(socket: Socket, address: SocketAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      socket.off('error', onError);
      resolve();
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ address: address.host, port: address.port });
  });
}

function configureMulticast(socket: Socket, options: MulticastOptions): void {
  socket.setMulticastInterface(options.interfaceAddress);
  socket.setMulticastTTL(options.ttl ?? 1);
  socket.setMulticastLoopback(options.loopback ?? true);
  if (options.joinGroup !== undefined) {
    socket.addMembership(options.joinGroup, options.interfaceAddress);
  }
}

async function closeQuietly(socket: Socket): Promise<void> {
  await new Promise<void>((resolve) => {
    try {
      socket.close(resolve);
    } catch {
      // Already closed (e.g. after a failed bind): nothing left to release.
      resolve();
    }
  });
}

function validateOptions(options: UdpEndpointOptions): void {
  const { bind, recvBufferSizeBytes, sendBufferSizeBytes, multicast } = options;
  requireIPv4(bind.host, 'bind host');
  if (!Number.isInteger(bind.port) || bind.port < 0 || bind.port > 65_535) {
    throw new RangeError(`bind port ${bind.port} is not in 0-65535`);
  }
  requireBufferSize(recvBufferSizeBytes, 'recvBufferSizeBytes');
  requireBufferSize(sendBufferSizeBytes, 'sendBufferSizeBytes');
  if (multicast === undefined) return;
  requireIPv4(multicast.interfaceAddress, 'multicast interfaceAddress');
  const { ttl, joinGroup } = multicast;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 0 || ttl > MULTICAST_TTL_MAX)) {
    throw new RangeError(`multicast ttl ${ttl} is not in 0-${MULTICAST_TTL_MAX}`);
  }
  if (joinGroup !== undefined) {
    requireIPv4(joinGroup, 'multicast joinGroup');
    if (!MULTICAST_HOST.test(joinGroup)) {
      throw new RangeError(`multicast joinGroup '${joinGroup}' is not in 224.0.0.0/4`);
    }
  }
}

function requireIPv4(host: string, what: string): void {
  if (!isIPv4(host)) throw new RangeError(`${what} '${host}' is not an IPv4 address`);
}

function requireBufferSize(bytes: number | undefined, what: string): void {
  if (bytes === undefined) return;
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > SOCKET_BUFFER_BYTES_MAX) {
    throw new RangeError(`${what} ${bytes} is not in 1-${SOCKET_BUFFER_BYTES_MAX}`);
  }
}
