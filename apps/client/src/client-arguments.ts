import { parseArgs } from 'node:util';
import { describeArgumentError, type CommandLineResult } from '@chat/app-support';
import { parseSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';

export const CLIENT_USAGE = 'usage: chatclient [--linger-ms MS] <IP:port>';

/**
 * How long a scripted client (stdin not a terminal) keeps printing replies after its input ends,
 * before it sends `/quit`: long enough for a few round trips through a cluster, short enough not
 * to notice.
 */
export const LINGER_MS_DEFAULT = 500;
export const LINGER_MS_MAX = 60_000;

export interface ClientArguments {
  readonly server: SocketAddress;
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

  const [addressText, ...extra] = positionals;
  if (addressText === undefined) return { kind: 'error', message: 'missing <IP:port>' };
  if (extra.length > 0) {
    return { kind: 'error', message: `unexpected argument '${extra.join(' ')}'` };
  }
  const server = parseSocketAddress(addressText);
  if (typeof server === 'string') return { kind: 'error', message: server };
  return { kind: 'run', args: { server, lingerMs } };
}

/** The first sentence of a `parseArgs` failure, without Node's hint about `--`. */
