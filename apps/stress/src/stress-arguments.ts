import { parseArgs } from 'node:util';

export const STRESS_USAGE = `usage: chatstress [-o unordered|fifo|total] [--servers N] [--clients C] [--rooms G]
                  [--messages M] [--rate R | --window W] [--proxy-delay-ms-max D [--loss P]
                  [--duplicate P] [--seed S]] [--server chatserver|chatrelay] [--no-ceiling]
                  [--idle-timeout-ms T] [--json]`;

export interface StressArguments {
  readonly mode: 'unordered' | 'fifo' | 'total';
  readonly serverCount: number;
  readonly clientCount: number;
  readonly roomCount: number;
  readonly messagesPerClient: number;
  readonly ratePerSecond: number | undefined;
  readonly windowPerClient: number;
  readonly proxy:
    | {
        readonly delayMsMax: number;
        readonly loss: number;
        readonly duplicate: number;
        readonly seed: number;
      }
    | undefined;
  readonly program: 'chatserver' | 'chatrelay';
  readonly measureCeiling: boolean;
  readonly idleTimeoutMs: number;
  readonly json: boolean;
}

/** Bounds that keep one run within one process's sockets and memory. */
const LIMITS = {
  servers: [1, 64],
  clients: [1, 2000],
  rooms: [1, 1024],
  messages: [1, 1_000_000],
  rate: [1, 10_000_000],
  window: [1, 10_000],
  'proxy-delay-ms-max': [0, 10_000],
  'idle-timeout-ms': [100, 600_000],
  seed: [0, 2 ** 31 - 1],
} as const;

export type ParsedStressArguments =
  { ok: true; value: StressArguments } | { ok: false; error: string };

export function parseStressArguments(argv: readonly string[]): ParsedStressArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        order: { type: 'string', short: 'o', default: 'total' },
        servers: { type: 'string', default: '3' },
        clients: { type: 'string', default: '12' },
        rooms: { type: 'string', default: '3' },
        messages: { type: 'string', default: '100' },
        rate: { type: 'string' },
        window: { type: 'string', default: '8' },
        'proxy-delay-ms-max': { type: 'string' },
        loss: { type: 'string', default: '0' },
        duplicate: { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        server: { type: 'string', default: 'chatserver' },
        'no-ceiling': { type: 'boolean', default: false },
        'idle-timeout-ms': { type: 'string', default: '5000' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const v = parsed.values;
  const mode = v.order;
  if (mode !== 'unordered' && mode !== 'fifo' && mode !== 'total') {
    return { ok: false, error: `unknown ordering mode '${mode}'` };
  }
  if (v.server !== 'chatserver' && v.server !== 'chatrelay') {
    return { ok: false, error: `--server must be chatserver or chatrelay, not '${v.server}'` };
  }
  const numbers: Record<string, number> = {};
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const text = v[name as keyof typeof v];
    if (text === undefined) continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      return { ok: false, error: `--${name} must be a whole number from ${min} to ${max}` };
    }
    numbers[name] = value;
  }
  const probabilities: Record<string, number> = {};
  for (const name of ['loss', 'duplicate'] as const) {
    const value = Number(v[name]);
    if (!(value >= 0 && value <= 1))
      return { ok: false, error: `--${name} must be a probability from 0 to 1` };
    probabilities[name] = value;
  }
  const delayMsMax = numbers['proxy-delay-ms-max'];
  return {
    ok: true,
    value: {
      mode,
      serverCount: numbers['servers']!,
      clientCount: numbers['clients']!,
      roomCount: numbers['rooms']!,
      messagesPerClient: numbers['messages']!,
      ratePerSecond: numbers['rate'],
      windowPerClient: numbers['window']!,
      proxy:
        delayMsMax === undefined
          ? undefined
          : {
              delayMsMax,
              loss: probabilities['loss']!,
              duplicate: probabilities['duplicate']!,
              seed: numbers['seed']!,
            },
      program: v.server,
      measureCeiling: !v['no-ceiling'],
      idleTimeoutMs: numbers['idle-timeout-ms']!,
      json: v.json,
    },
  };
}
