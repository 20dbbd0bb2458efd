import { parseArgs } from 'node:util';
import { describeArgumentError } from '@chat/app-support';
import type { OrderingMode } from './lab-cluster.js';
import { CLIENT_HOSTS_MAX, HOSTS_MAX, LAB_PREFIX_ROOT } from './network-lab.js';

export const LAB_USAGE = `usage: chatlab up N [-o unordered|fifo|total] [--unicast] [--group GROUP:PORT] [--client-hosts K] [-v] [--prefix P]
       chatlab down [--prefix P | --all]
       chatlab client K [--prefix P] [chatclient options]
       chatlab stress [--prefix P] [chatstress options]`;

/** The multicast group of `chatlab up` unless told otherwise (administratively scoped). */
export const LAB_GROUP_DEFAULT = '239.255.100.1:6000';

export type LabCommand =
  | {
      readonly kind: 'up';
      readonly prefix: string;
      readonly hosts: number;
      readonly clientHosts: number;
      readonly mode: OrderingMode;
      readonly multicast: string | undefined;
      readonly verbose: boolean;
    }
  | { readonly kind: 'down'; readonly prefix: string | 'all' }
  | {
      readonly kind: 'client';
      readonly prefix: string;
      readonly host: number;
      readonly args: string[];
    }
  | { readonly kind: 'stress'; readonly prefix: string; readonly args: string[] }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

const MODES: readonly OrderingMode[] = ['unordered', 'fifo', 'total'];

export function parseLabArguments(argv: readonly string[]): LabCommand {
  const [command, ...rest] = argv;
  if (command === undefined)
    return { kind: 'error', message: 'missing command (up, down, client, stress)' };
  if (command === '-h' || command === '--help') return { kind: 'help' };
  switch (command) {
    case 'up':
      return parseUp(rest);
    case 'down':
      return parseDown(rest);
    case 'client':
    case 'stress':
      return parsePassThrough(command, rest);
    default:
      return { kind: 'error', message: `unknown command '${command}' (up, down, client, stress)` };
  }
}

function parseUp(argv: readonly string[]): LabCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        order: { type: 'string', short: 'o' },
        unicast: { type: 'boolean' },
        group: { type: 'string' },
        'client-hosts': { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        prefix: { type: 'string' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: describeArgumentError(error) };
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return { kind: 'error', message: 'up takes one number: the hosts' };
  const hosts = wholeNumber(positionals[0]!, 1, HOSTS_MAX);
  if (hosts === undefined) return { kind: 'error', message: `hosts must be 1..${HOSTS_MAX}` };
  const clientHosts = wholeNumber(values['client-hosts'] ?? '1', 0, CLIENT_HOSTS_MAX);
  if (clientHosts === undefined) {
    return { kind: 'error', message: `--client-hosts must be 0..${CLIENT_HOSTS_MAX}` };
  }
  const mode = (values.order ?? 'total') as OrderingMode;
  if (!MODES.includes(mode)) return { kind: 'error', message: `unknown mode '${values.order}'` };
  if (values.unicast === true && values.group !== undefined) {
    return { kind: 'error', message: '--unicast and --group exclude each other' };
  }
  const prefix = checkPrefix(values.prefix);
  if (typeof prefix !== 'string') return prefix;
  return {
    kind: 'up',
    prefix,
    hosts,
    clientHosts,
    mode,
    multicast: values.unicast === true ? undefined : (values.group ?? LAB_GROUP_DEFAULT),
    verbose: values.verbose === true,
  };
}

function parseDown(argv: readonly string[]): LabCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      options: { prefix: { type: 'string' }, all: { type: 'boolean' } },
    });
  } catch (error) {
    return { kind: 'error', message: describeArgumentError(error) };
  }
  if (parsed.values.all === true) {
    if (parsed.values.prefix !== undefined)
      return { kind: 'error', message: '--all and --prefix exclude each other' };
    return { kind: 'down', prefix: 'all' };
  }
  const prefix = checkPrefix(parsed.values.prefix);
  return typeof prefix === 'string' ? { kind: 'down', prefix } : prefix;
}

/**
 * `client K` and `stress`: `--prefix P` first (or, for `client`, right after K); the rest is the
 * program's own.
 */
function parsePassThrough(command: 'client' | 'stress', argv: readonly string[]): LabCommand {
  let rest = [...argv];
  let prefixText: string | undefined;
  const takePrefix = (): void => {
    if (rest[0] !== '--prefix' || prefixText !== undefined) return;
    prefixText = rest[1] ?? '';
    rest = rest.slice(2);
  };
  takePrefix();
  let host: number | undefined;
  if (command === 'client') {
    const hostText = rest.shift();
    host = hostText === undefined ? undefined : wholeNumber(hostText, 1, HOSTS_MAX);
    if (host === undefined)
      return { kind: 'error', message: 'client takes the host number: client K' };
    takePrefix();
  }
  const prefix = checkPrefix(prefixText);
  if (typeof prefix !== 'string') return prefix;
  if (host === undefined) return { kind: 'stress', prefix, args: rest };
  return { kind: 'client', prefix, host, args: rest };
}

function checkPrefix(text: string | undefined): string | { kind: 'error'; message: string } {
  if (text === undefined) return LAB_PREFIX_ROOT;
  // Namespace names and `/tmp/PREFIX`: keep them plain, and recognisable as a lab's.
  if (!new RegExp(`^${LAB_PREFIX_ROOT}[a-z0-9]{0,8}$`).test(text)) return badPrefix(text);
  return text;
}

function badPrefix(text: string): { kind: 'error'; message: string } {
  return {
    kind: 'error',
    message: `--prefix must be '${LAB_PREFIX_ROOT}' followed by up to 8 lowercase letters or digits, not '${text}'`,
  };
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,4}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}
