import { parseArgs } from 'node:util';
import { describeArgumentError, type CommandLineResult } from '@chat/app-support';
import { parseSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';

export const CLIENT_USAGE =
  'usage: chatclient [--linger-ms MS] [--silence-ms MS] <IP:port | config-file>...';

/**
 * How long a scripted client (stdin not a terminal) keeps printing replies after its input ends,
 * before it sends `/quit`: long enough for a few round trips through a cluster, short enough not
 * to notice.
 */
export const LINGER_MS_DEFAULT = 500;
export const LINGER_MS_MAX = 60_000;

/**
 * How long a silent server is given before the client takes it for dead: three keepalives'
 * worth by default; more for a slow link or a starved machine, never under two keepalives.
 */
export const SILENCE_MS_DEFAULT = 3_000;
export const SILENCE_MS_MIN = 2_000;
export const SILENCE_MS_MAX = 600_000;

/** Where a server address comes from: the command line, or a config file of the server format. */
export type ServerSource =
  | { readonly kind: 'address'; readonly address: SocketAddress }
  | { readonly kind: 'config-file'; readonly path: string };

export interface ClientArguments {
  /** In order: the client starts with the first server and fails over round robin. */
  readonly servers: readonly ServerSource[];
  readonly lingerMs: number;
  readonly silenceMs: number;
}

export type ClientArgumentsResult = CommandLineResult<ClientArguments>;

export function parseClientArguments(argv: readonly string[]): ClientArgumentsResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        'linger-ms': { type: 'string' },
        'silence-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: describeArgumentError(error) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };

  const lingerMs = parseMs('--linger-ms', values['linger-ms'], LINGER_MS_DEFAULT, 0, LINGER_MS_MAX);
  if (typeof lingerMs === 'string') return { kind: 'error', message: lingerMs };
  const silenceMs = parseMs(
    '--silence-ms',
    values['silence-ms'],
    SILENCE_MS_DEFAULT,
    SILENCE_MS_MIN,
    SILENCE_MS_MAX,
  );
  if (typeof silenceMs === 'string') return { kind: 'error', message: silenceMs };

  if (positionals.length === 0) return { kind: 'error', message: 'missing <IP:port>' };
  const servers: ServerSource[] = [];
  for (const text of positionals) {
    if (!looksLikeAddress(text)) {
      servers.push({ kind: 'config-file', path: text });
      continue;
    }
    const address = parseSocketAddress(text);
    if (typeof address === 'string') return { kind: 'error', message: address };
    servers.push({ kind: 'address', address });
  }
  return { kind: 'run', args: { servers, lingerMs, silenceMs } };
}

/** A whole number of milliseconds in `min..max`, or why not. */
function parseMs(
  option: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number | string {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    return `${option} must be a whole number in ${min}..${max}, not '${text}'`;
  }
  return Number(text);
}

/** `host:port`, or a bare dotted number such as `127.0.0.1` (an address missing its port). */
function looksLikeAddress(text: string): boolean {
  return /:\d*$/.test(text) || /^[\d.]+$/.test(text);
}
