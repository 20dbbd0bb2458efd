import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeArgumentError } from '@chat/app-support';
import { formatSocketAddress } from '@chat/protocol';
import {
  describeUnknownMode,
  keyFileSource,
  parseBoundedInteger,
  parseMulticastGroup,
  parseOrderingMode,
  parseTiming,
} from './cli.js';
import { loadConfigFile } from './config-file.js';
import { loadKeyFile } from './key-file.js';

export const CLUSTER_USAGE =
  'usage: chatcluster [-v] [-o unordered|fifo|total] [--key-file PATH] [--multicast GROUP:PORT] ' +
  '[--suspect-ms MS] [--heartbeat-ms MS] [--http-port N] [--proxy [--delay-ms-max D] [--loss P] [--duplicate P] [--seed N]] <config-file>';
/** The proxy's delay bound is for tests and demos; a minute is already absurd. */
const DELAY_MS_MAX_LIMIT = 60_000;
const SEED_MAX = 2 ** 32 - 1;

/** Where the built programs are. */
export interface ClusterPrograms {
  readonly serverMain: string;
  readonly proxyMain: string;
}

export interface ClusterPlan {
  /** The proxy's command line, with `--proxy`. */
  readonly proxy: readonly string[] | undefined;
  /** One command line per server, in config order. */
  readonly servers: readonly (readonly string[])[];
  /** Where each server's clients send (its bind address). */
  readonly clientAddresses: readonly string[];
  /** With `--http-port`: each server's chat page, `http://127.0.0.1:PORT/`. */
  readonly httpUrls: readonly string[] | undefined;
}

export type ClusterPlanResult =
  ({ readonly ok: true } & ClusterPlan) | { readonly ok: false; readonly message: string };

/** Parses a probability in [0, 1], or returns why not. */
export function parseProbability(name: string, text: string): number | string {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    return `${name} must be a probability in 0..1, not '${text}'`;
  }
  return value;
}

/**
 * The command lines to run (arguments for `node`), or why the arguments are wrong. The config file
 * and the key file (`--key-file`, or `CHAT_KEY_FILE` in `env`) are read here, so that a bad one is
 * reported once, before anything starts; every server gets the key file as `--key-file`.
 */
export async function planCluster(
  argv: readonly string[],
  programs: ClusterPrograms,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ClusterPlanResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean', short: 'v' },
        order: { type: 'string', short: 'o' },
        'key-file': { type: 'string' },
        multicast: { type: 'string' },
        proxy: { type: 'boolean' },
        'delay-ms-max': { type: 'string' },
        loss: { type: 'string' },
        duplicate: { type: 'string' },
        seed: { type: 'string' },
        'http-port': { type: 'string' },
        'suspect-ms': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
      },
    });
  } catch (error) {
    return { ok: false, message: describeArgumentError(error) };
  }
  const { values, positionals } = parsed;
  const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

  const mode = parseOrderingMode(values.order ?? 'unordered');
  if (mode === undefined) return fail(describeUnknownMode(values.order ?? ''));
  if (values.multicast !== undefined) {
    const group = parseMulticastGroup(values.multicast);
    if (typeof group === 'string') return fail(group);
  }

  // Checked here, once, and passed on as given: every server gets the same timing.
  const timing = parseTiming(values['suspect-ms'], values['heartbeat-ms']);
  if (typeof timing === 'string') return fail(timing);
  const timingArgs = [
    ...(values['suspect-ms'] === undefined ? [] : ['--suspect-ms', values['suspect-ms']]),
    ...(values['heartbeat-ms'] === undefined ? [] : ['--heartbeat-ms', values['heartbeat-ms']]),
  ];

  const proxyArgs: string[] = [];
  const delayMsMax = values['delay-ms-max'];
  if (delayMsMax !== undefined) {
    const checked = parseBoundedInteger('--delay-ms-max', delayMsMax, 0, DELAY_MS_MAX_LIMIT);
    if (typeof checked === 'string') return fail(checked);
    proxyArgs.push('--delay-ms-max', delayMsMax);
  }
  for (const name of ['loss', 'duplicate'] as const) {
    const text = values[name];
    if (text === undefined) continue;
    const checked = parseProbability(`--${name}`, text);
    if (typeof checked === 'string') return fail(checked);
    proxyArgs.push(`--${name}`, text);
  }
  if (values.seed !== undefined) {
    const checked = parseBoundedInteger('--seed', values.seed, 0, SEED_MAX);
    if (typeof checked === 'string') return fail(checked);
    proxyArgs.push('--seed', values.seed);
  }
  if (proxyArgs.length > 0 && values.proxy !== true) {
    return fail('--delay-ms-max, --loss, --duplicate and --seed need --proxy');
  }

  const [configPath, ...extra] = positionals;
  if (configPath === undefined) return fail('missing <config-file>');
  if (extra.length > 0) return fail(`unexpected argument '${extra.join(' ')}'`);
  const config = await loadConfigFile(configPath);
  if (!config.ok) return fail(config.message);
  if (values['key-file'] === '') return fail('--key-file needs a path');
  const keyFile = keyFileSource(values['key-file'], env);
  if (keyFile !== undefined) {
    const loaded = await loadKeyFile(keyFile);
    if (!loaded.ok) return fail(loaded.message);
  }

  // Server N gets the Nth port from --http-port on, on loopback: this is the local cluster.
  let httpAddresses: string[] | undefined;
  if (values['http-port'] !== undefined) {
    const lastPort = 65535 - (config.servers.length - 1);
    const first = parseBoundedInteger('--http-port', values['http-port'], 1, lastPort);
    if (typeof first === 'string') return fail(first);
    httpAddresses = config.servers.map((_, position) => `127.0.0.1:${first + position}`);
  }

  const verbose = values.verbose === true ? ['-v'] : [];
  let proxy: string[] | undefined;
  if (values.proxy === true) {
    const shared = config.servers.findIndex(
      (server) => formatSocketAddress(server.forward) === formatSocketAddress(server.bind),
    );
    if (shared >= 0) {
      return fail(
        `--proxy needs forwardIP:port,bindIP:port on every line; server ${shared + 1} has one address`,
      );
    }
    if (!existsSync(programs.proxyMain)) {
      return fail(`chatproxy is not built (${programs.proxyMain}); run pnpm build`);
    }
    proxy = [programs.proxyMain, ...verbose, ...proxyArgs, configPath];
  }
  const multicast = values.multicast === undefined ? [] : ['--multicast', values.multicast];
  const key = keyFile === undefined ? [] : ['--key-file', keyFile.path];
  const servers = config.servers.map((_, position) => [
    programs.serverMain,
    ...verbose,
    '-o',
    mode,
    ...key,
    ...multicast,
    ...timingArgs,
    ...(httpAddresses === undefined
      ? []
      : ['--http', httpAddresses[position]!, '--http-cluster', httpAddresses.join(',')]),
    configPath,
    String(position + 1),
  ]);
  const clientAddresses = config.servers.map((server) => formatSocketAddress(server.bind));
  const httpUrls = httpAddresses?.map((address) => `http://${address}/`);
  return { ok: true, proxy, servers, clientAddresses, httpUrls };
}
