import { parseArgs } from 'node:util';
import { describeArgumentError, type CommandLineResult } from '@chat/app-support';

export const PROXY_USAGE =
  'usage: chatproxy [-v] [--delay-ms-max D] [--loss P] [--duplicate P] [--seed N] [--course-limits] [--control-port N] <config-file>';

export const DELAY_MS_MAX_DEFAULT = 20;
/** A minute: far beyond any useful fault injection, and it bounds how long datagrams are held. */
export const DELAY_MS_MAX_LIMIT = 60_000;
export const SEED_MAX = 0xffff_ffff;
const PORT_MAX = 65_535;

export interface ProxyArguments {
  readonly verbose: boolean;
  readonly delayMsMax: number;
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  /** Absent: the caller picks one at random (and prints it, so the run can be replayed). */
  readonly seed: number | undefined;
  /** Cut datagrams as the course's proxy does: at 999 bytes and at the first NUL. */
  readonly courseLimits: boolean;
  /** Take link commands (cut, heal) on a UDP socket at 127.0.0.1 and this port (0: any free one). */
  readonly controlPort: number | undefined;
  readonly configPath: string;
}

export type ProxyArgumentsResult = CommandLineResult<ProxyArguments>;

export function parseProxyArguments(argv: readonly string[]): ProxyArgumentsResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean', short: 'v' },
        'delay-ms-max': { type: 'string' },
        loss: { type: 'string' },
        duplicate: { type: 'string' },
        seed: { type: 'string' },
        'course-limits': { type: 'boolean' },
        'control-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: describeArgumentError(error) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };

  const delayMsMax = parseWholeNumber(
    '--delay-ms-max',
    values['delay-ms-max'],
    DELAY_MS_MAX_DEFAULT,
    DELAY_MS_MAX_LIMIT,
  );
  if (typeof delayMsMax === 'string') return { kind: 'error', message: delayMsMax };
  const lossProbability = parseProbability('--loss', values.loss);
  if (typeof lossProbability === 'string') return { kind: 'error', message: lossProbability };
  const duplicateProbability = parseProbability('--duplicate', values.duplicate);
  if (typeof duplicateProbability === 'string') {
    return { kind: 'error', message: duplicateProbability };
  }
  const seed =
    values.seed === undefined ? undefined : parseWholeNumber('--seed', values.seed, 0, SEED_MAX);
  if (typeof seed === 'string') return { kind: 'error', message: seed };
  const controlPort =
    values['control-port'] === undefined
      ? undefined
      : parseWholeNumber('--control-port', values['control-port'], 0, PORT_MAX);
  if (typeof controlPort === 'string') return { kind: 'error', message: controlPort };

  const [configPath, ...extra] = positionals;
  if (configPath === undefined) return { kind: 'error', message: 'missing <config-file>' };
  if (extra.length > 0) {
    return { kind: 'error', message: `unexpected argument '${extra.join(' ')}'` };
  }
  return {
    kind: 'run',
    args: {
      verbose: values.verbose === true,
      delayMsMax,
      lossProbability,
      duplicateProbability,
      seed,
      courseLimits: values['course-limits'] === true,
      controlPort,
      configPath,
    },
  };
}

function parseWholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  max: number,
): number | string {
  if (text === undefined) return fallback;
  if (!/^\d{1,10}$/.test(text) || Number(text) > max) {
    return `${name} must be a whole number in 0..${max}, not '${text}'`;
  }
  return Number(text);
}

/** A probability as a plain decimal in [0, 1], e.g. `0`, `0.05`, `.5`, `1`. */
function parseProbability(name: string, text: string | undefined): number | string {
  if (text === undefined) return 0;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || Number(text) > 1) {
    return `${name} must be a probability between 0 and 1, not '${text}'`;
  }
  return Number(text);
}

/** The first sentence of a `parseArgs` failure, without Node's hint about `--`. */
