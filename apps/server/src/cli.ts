import { isIPv4 } from 'node:net';
import { parseArgs } from 'node:util';
import { describeArgumentError, type CommandLineResult } from '@chat/app-support';
import { DEFAULT_LIMITS, DEFAULT_TIMING, ORDERING_MODES, type OrderingMode } from '@chat/ordering';
import { parseSocketAddress, type SocketAddress } from '@chat/protocol';
import { KEY_FILE_ENV, type KeyFileSource } from './key-file.js';

export const SERVER_USAGE =
  'usage: chatserver [-v] [-o unordered|fifo|total] [--rooms N] [--clients-max N] ' +
  '[--client-rate-max N] [--client-idle-ms MS] [--key-file PATH] ' +
  '[--multicast GROUP:PORT] [--multicast-interface IP] [--suspect-ms MS] [--heartbeat-ms MS] ' +
  '[--http IP:PORT [--http-cluster IP:PORT,...] ' +
  '[--ws-connections-max N]] [--no-warm-up] [--no-batch-sends] [--no-batch-receives] ' +
  '<config-file> <index>';

/** The course's servers serve rooms 1..10. */
export const ROOM_COUNT_DEFAULT = 10;
/** The engine refuses rooms above its `roomIdMax`, so a server may not offer more. */
export const ROOM_COUNT_MAX = DEFAULT_LIMITS.roomIdMax;
export const CLIENTS_MAX_DEFAULT = 10_000;
/** Client state is small, but every client in a room costs one datagram per delivery. */
export const CLIENTS_MAX_LIMIT = 1_000_000;
export const MULTICAST_INTERFACE_DEFAULT = '127.0.0.1';
/**
 * Datagrams a second one client may send, sustained. The project's load generator drives 2,000 to
 * 3,000 a second per client; a person typing sends a few.
 */
export const CLIENT_RATE_MAX_DEFAULT = 5_000;
export const CLIENT_RATE_MAX_LIMIT = 1_000_000;
/** A client's burst allowance, in seconds of its rate: 5,000/s allows 10,000 at once. */
export const CLIENT_BURST_SECONDS = 2;
/** A client that sends nothing for 10 minutes is forgotten (room, nickname, rate budget). */
export const CLIENT_IDLE_MS_DEFAULT = 10 * 60 * 1000;
export const CLIENT_IDLE_MS_MIN = 100;
/** A week: a setting above it is a typo, not a policy. */
export const CLIENT_IDLE_MS_LIMIT = 7 * 24 * 60 * 60 * 1000;

/**
 * A peer not heard from for this long is taken for failed and the others install a view without
 * it: with the default heartbeat (100 ms) and a view change of a few round trips, a crash costs
 * the surviving servers' rooms a little over a second.
 */
export const SUSPECT_MS_DEFAULT = DEFAULT_TIMING.suspectMs;
/** Below it, a busy machine's event-loop pauses would pass for crashes. */
export const SUSPECT_MS_MIN = 100;
/** A minute: a setting above it is a typo, not a policy. */
export const SUSPECT_MS_LIMIT = 60_000;
/** An idle server tells its peers it is alive this often. */
export const HEARTBEAT_MS_DEFAULT = DEFAULT_TIMING.heartbeatIntervalMs;
export const HEARTBEAT_MS_MIN = 10;
/** Heartbeats per suspicion timeout at least: one lost heartbeat must not fail a live server. */
export const HEARTBEATS_PER_SUSPICION_MIN = 3;

/** WebSocket clients one server keeps open at once (each holds a TCP socket and its buffers). */
export const WS_CONNECTIONS_MAX_DEFAULT = 1_000;
export const WS_CONNECTIONS_MAX_LIMIT = 100_000;

/** `--http`: the chat page, WebSocket clients, metrics and health on one TCP port. */
export interface HttpOptions {
  readonly listen: SocketAddress;
  /**
   * Every server's HTTP address, in config order (`--http-cluster`), so the page can list the
   * servers and move to another; checked against the config's length by the caller.
   */
  readonly cluster: readonly SocketAddress[] | undefined;
  readonly wsConnectionsMax: number;
}

export interface MulticastOptions {
  /** The one group every server sends its to-all messages to (see README: one group for all rooms). */
  readonly group: SocketAddress;
  /** The local interface address that joins the group and sends to it. */
  readonly interfaceAddress: string;
}

export interface ServerArguments {
  readonly verbose: boolean;
  readonly mode: OrderingMode;
  readonly roomCount: number;
  readonly clientsMax: number;
  /** Datagrams a second per client (the burst is CLIENT_BURST_SECONDS of it). */
  readonly clientRateMax: number;
  readonly clientIdleMsMax: number;
  /** The cluster key file, from `--key-file` or else `CHAT_KEY_FILE`; read by the caller. */
  readonly keyFile: KeyFileSource | undefined;
  readonly multicast: MulticastOptions | undefined;
  /** `--suspect-ms`: how long a silent peer is waited for before a view change leaves it out. */
  readonly suspectMs: number;
  /** `--heartbeat-ms`: how often an idle server tells its peers it is alive. */
  readonly heartbeatMs: number;
  /** Off unless `--http` is given. */
  readonly http?: HttpOptions | undefined;
  /**
   * Run the hot paths on a throwaway cluster on loopback before serving (see warm-up.ts);
   * `--no-warm-up` starts up to 1.5 s sooner (3 servers started together on 2 cores), with a slow
   * first second.
   */
  readonly warmUp: boolean;
  /** Send each turn's datagrams with one sendmmsg where @chat/transport's addon was built. */
  readonly batchSends: boolean;
  /** Read datagrams with recvmmsg, 32 per call, where @chat/transport's addon was built. */
  readonly batchReceives: boolean;
  readonly configPath: string;
  /** 1-based, as on the command line; checked against the config file by the caller. */
  readonly index: number;
}

export type ServerArgumentsResult = CommandLineResult<ServerArguments>;

/** Parses `text` as a decimal integer in `min..max`, or returns why not. */
export function parseBoundedInteger(
  name: string,
  text: string,
  min: number,
  max: number,
): number | string {
  if (!/^\d{1,9}$/.test(text)) return `${name} must be a whole number, not '${text}'`;
  const value = Number(text);
  if (value < min || value > max) return `${name} must be in ${min}..${max}, not ${value}`;
  return value;
}

export function parseOrderingMode(text: string): OrderingMode | undefined {
  return ORDERING_MODES.find((candidate) => candidate === text);
}

export function describeUnknownMode(text: string): string {
  return `unknown ordering mode '${text}' (expected ${ORDERING_MODES.join(', ')})`;
}

/** `GROUP:PORT` with GROUP an IPv4 multicast address (224.0.0.0/4). */
export function parseMulticastGroup(text: string): SocketAddress | string {
  const parsed = parseSocketAddress(text);
  if (typeof parsed === 'string') return `--multicast: ${parsed}`;
  const firstOctet = Number(parsed.host.split('.')[0]);
  if (firstOctet < 224 || firstOctet > 239) {
    return `--multicast: ${parsed.host} is not a multicast address (224.0.0.0 to 239.255.255.255)`;
  }
  return parsed;
}

/** The error message of a `parseArgs` failure, without Node's hints, starting in lower case. */

/** `--key-file PATH` wins; else `CHAT_KEY_FILE`, unless empty; else no key. */
export function keyFileSource(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): KeyFileSource | undefined {
  if (flag !== undefined) return { path: flag, origin: '--key-file' };
  const fromEnv = env[KEY_FILE_ENV];
  return fromEnv === undefined || fromEnv === ''
    ? undefined
    : { path: fromEnv, origin: KEY_FILE_ENV };
}

/** Parses the command line; `env` supplies `CHAT_KEY_FILE`. */
export function parseServerArguments(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ServerArgumentsResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean', short: 'v' },
        order: { type: 'string', short: 'o' },
        rooms: { type: 'string' },
        'clients-max': { type: 'string' },
        'client-rate-max': { type: 'string' },
        'client-idle-ms': { type: 'string' },
        'key-file': { type: 'string' },
        multicast: { type: 'string' },
        'multicast-interface': { type: 'string' },
        'suspect-ms': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        http: { type: 'string' },
        'http-cluster': { type: 'string' },
        'ws-connections-max': { type: 'string' },
        'no-warm-up': { type: 'boolean' },
        'no-batch-sends': { type: 'boolean' },
        'no-batch-receives': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: describeArgumentError(error) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };

  const mode = parseOrderingMode(values.order ?? 'unordered');
  if (mode === undefined)
    return { kind: 'error', message: describeUnknownMode(values.order ?? '') };

  const roomCount =
    values.rooms === undefined
      ? ROOM_COUNT_DEFAULT
      : parseBoundedInteger('--rooms', values.rooms, 1, ROOM_COUNT_MAX);
  if (typeof roomCount === 'string') return { kind: 'error', message: roomCount };

  const clientsMax =
    values['clients-max'] === undefined
      ? CLIENTS_MAX_DEFAULT
      : parseBoundedInteger('--clients-max', values['clients-max'], 1, CLIENTS_MAX_LIMIT);
  if (typeof clientsMax === 'string') return { kind: 'error', message: clientsMax };

  const clientRateMax =
    values['client-rate-max'] === undefined
      ? CLIENT_RATE_MAX_DEFAULT
      : parseBoundedInteger(
          '--client-rate-max',
          values['client-rate-max'],
          1,
          CLIENT_RATE_MAX_LIMIT,
        );
  if (typeof clientRateMax === 'string') return { kind: 'error', message: clientRateMax };

  const clientIdleMsMax =
    values['client-idle-ms'] === undefined
      ? CLIENT_IDLE_MS_DEFAULT
      : parseBoundedInteger(
          '--client-idle-ms',
          values['client-idle-ms'],
          CLIENT_IDLE_MS_MIN,
          CLIENT_IDLE_MS_LIMIT,
        );
  if (typeof clientIdleMsMax === 'string') return { kind: 'error', message: clientIdleMsMax };

  if (values['key-file'] === '') return { kind: 'error', message: '--key-file needs a path' };

  let multicast: MulticastOptions | undefined;
  const interfaceAddress = values['multicast-interface'];
  if (values.multicast !== undefined) {
    const group = parseMulticastGroup(values.multicast);
    if (typeof group === 'string') return { kind: 'error', message: group };
    if (interfaceAddress !== undefined && !isIPv4(interfaceAddress)) {
      return {
        kind: 'error',
        message: `--multicast-interface: '${interfaceAddress}' is not an IPv4 address`,
      };
    }
    multicast = { group, interfaceAddress: interfaceAddress ?? MULTICAST_INTERFACE_DEFAULT };
  } else if (interfaceAddress !== undefined) {
    return { kind: 'error', message: '--multicast-interface needs --multicast' };
  }

  const timing = parseTiming(values['suspect-ms'], values['heartbeat-ms']);
  if (typeof timing === 'string') return { kind: 'error', message: timing };

  const http = parseHttpOptions(values.http, values['http-cluster'], values['ws-connections-max']);
  if (typeof http === 'string') return { kind: 'error', message: http };

  const [configPath, indexText, ...extra] = positionals;
  if (configPath === undefined)
    return { kind: 'error', message: 'missing <config-file> and <index>' };
  if (indexText === undefined) return { kind: 'error', message: 'missing <index>' };
  if (extra.length > 0) {
    return { kind: 'error', message: `unexpected argument '${extra.join(' ')}'` };
  }
  if (!/^\d{1,9}$/.test(indexText)) {
    return { kind: 'error', message: `<index> must be a whole number, not '${indexText}'` };
  }
  const index = Number(indexText);

  return {
    kind: 'run',
    args: {
      verbose: values.verbose === true,
      mode,
      roomCount,
      clientsMax,
      clientRateMax,
      clientIdleMsMax,
      keyFile: keyFileSource(values['key-file'], env),
      multicast,
      ...timing,
      http,
      warmUp: values['no-warm-up'] !== true,
      batchSends: values['no-batch-sends'] !== true,
      batchReceives: values['no-batch-receives'] !== true,
      configPath,
      index,
    },
  };
}

/** `--suspect-ms` and `--heartbeat-ms`, or why they are wrong. */
export function parseTiming(
  suspectText: string | undefined,
  heartbeatText: string | undefined,
): { readonly suspectMs: number; readonly heartbeatMs: number } | string {
  const suspectMs =
    suspectText === undefined
      ? SUSPECT_MS_DEFAULT
      : parseBoundedInteger('--suspect-ms', suspectText, SUSPECT_MS_MIN, SUSPECT_MS_LIMIT);
  if (typeof suspectMs === 'string') return suspectMs;
  const heartbeatMsMax = Math.floor(suspectMs / HEARTBEATS_PER_SUSPICION_MIN);
  const heartbeatMs =
    heartbeatText === undefined
      ? Math.min(HEARTBEAT_MS_DEFAULT, heartbeatMsMax)
      : parseBoundedInteger('--heartbeat-ms', heartbeatText, HEARTBEAT_MS_MIN, SUSPECT_MS_LIMIT);
  if (typeof heartbeatMs === 'string') return heartbeatMs;
  if (heartbeatMs > heartbeatMsMax) {
    return (
      `--heartbeat-ms ${heartbeatMs} is too long for --suspect-ms ${suspectMs}: at most ` +
      `${heartbeatMsMax} (${HEARTBEATS_PER_SUSPICION_MIN} heartbeats per suspicion timeout)`
    );
  }
  return { suspectMs, heartbeatMs };
}

/** `--http`, `--http-cluster` and `--ws-connections-max`, or why they are wrong. */
export function parseHttpOptions(
  listenText: string | undefined,
  clusterText: string | undefined,
  connectionsText: string | undefined,
): HttpOptions | undefined | string {
  if (listenText === undefined) {
    if (clusterText !== undefined) return '--http-cluster needs --http';
    if (connectionsText !== undefined) return '--ws-connections-max needs --http';
    return undefined;
  }
  const listen = parseSocketAddress(listenText);
  if (typeof listen === 'string') return `--http: ${listen}`;
  let cluster: SocketAddress[] | undefined;
  if (clusterText !== undefined) {
    cluster = [];
    for (const part of clusterText.split(',')) {
      const address = parseSocketAddress(part.trim());
      if (typeof address === 'string') return `--http-cluster: ${address}`;
      cluster.push(address);
    }
  }
  const wsConnectionsMax =
    connectionsText === undefined
      ? WS_CONNECTIONS_MAX_DEFAULT
      : parseBoundedInteger('--ws-connections-max', connectionsText, 1, WS_CONNECTIONS_MAX_LIMIT);
  if (typeof wsConnectionsMax === 'string') return wsConnectionsMax;
  return { listen, cluster, wsConnectionsMax };
}
