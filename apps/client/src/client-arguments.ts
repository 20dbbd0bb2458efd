import { parseArgs } from 'node:util';
import { describeArgumentError, type CommandLineResult } from '@chat/app-support';
import { parseSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';

export const CLIENT_USAGE = 'usage: chatclient [--linger-ms MS] <IP:port | config-file>...';

/**
 * How long a scripted client (stdin not a terminal) keeps printing replies after its input ends,
 * before it sends `/quit`: long enough for a few round trips through a cluster, short enough not
 * to notice.
 */
export const LINGER_MS_DEFAULT = 500;
export const LINGER_MS_MAX = 60_000;

/** Where a server address comes from: the command line, or a config file of the server format. */
export type ServerSource =
  | { readonly kind: 'address'; readonly address: SocketAddress }
  | { readonly kind: 'config-file'; readonly path: string };

export interface ClientArguments {
  /** In order: the client starts with the first server and fails over round robin. */
  readonly servers: readonly ServerSource[];
  readonly lingerMs: number;
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: describeArgumentError(error) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };

  const lingerText = values['linger-ms'];
  let lingerMs = LINGER_MS_DEFAULT;
  if (lingerText !== undefined) {
    if (!/^\d{1,9}$/.test(lingerText) || Number(lingerText) > LINGER_MS_MAX) {
      return {
        kind: 'error',
        message: `--linger-ms must be a whole number in 0..${LINGER_MS_MAX}, not '${lingerText}'`,
      };
    }
    lingerMs = Number(lingerText);
  }

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
  return { kind: 'run', args: { servers, lingerMs } };
}

/** `host:port`, or a bare dotted number such as `127.0.0.1` (an address missing its port). */
function looksLikeAddress(text: string): boolean {
  return /:\d*$/.test(text) || /^[\d.]+$/.test(text);
}
