import { parseArgs } from 'node:util';

export const STRESS_USAGE = `usage: chatstress [-o unordered|fifo|total] [--servers N] [--clients C] [--rooms G]
                  [--messages M] [--rate R | --window W] [--proxy-delay-ms-max D [--loss P]
                  [--duplicate P] [--seed S]]
                  [--server chatserver|chatrelay|chatrelay-batched|chatrelay-sequenced|
                           null-relay]
                  [--generator node|native]
                  [--config FILE [--start]] [--no-key] [--warmup-ms T] [--no-ceiling]
                  [--idle-timeout-ms T] [--json] [--report FILE.html] [--help]`;

export const STRESS_HELP = `${STRESS_USAGE}

Starts a local cluster (or targets running servers), drives C clients in G rooms, each posting M
messages, and checks what the ordering mode guarantees.

  -o, --order MODE         guarantees to check: unordered, fifo or total (default total); also the
                           mode the started servers run in
  --servers N              servers to start (default 3)
  --clients C              clients; client i talks to server i mod N (default 12)
  --rooms G                rooms; clients are split evenly, each room over every server (default 3)
  --messages M             messages each client posts (default 100)
  --rate R                 post R messages/s in total, round-robin over the clients
  --window W               or: each client keeps W own posts unechoed (default 8; as fast as it goes)
  --proxy-delay-ms-max D   put chatproxy between the servers, delaying each datagram 0..D ms
  --loss P, --duplicate P  the proxy also drops / duplicates datagrams with probability P
  --seed S                 the proxy's random seed (default 1)
  --server PROGRAM         chatserver (default), or a no-protocol baseline: chatrelay (Node,
                           node:dgram), chatrelay-batched (Node, sendmmsg/recvmmsg through
                           @chat/transport's addon), chatrelay-sequenced (the same, delivering in
                           a sequencer's total order, with no repair) or null-relay (C, built with
                           the system C compiler)
  --generator KIND         node (default): clients are Node sockets in chatstress; native: the C
                           load generator (load-driver), a fraction of the CPU per post
  --config FILE            target the servers of this config file (their bind addresses), already
                           running; with --start, start them (and the proxy) from FILE instead
  --no-key                 start chatservers without a cluster key (unauthenticated server-to-server
                           datagrams); by default each run gets a fresh random key
  --warmup-ms T            leave messages posted in the first T ms out of the latencies and the rate
                           (they are still checked), and ramp the load up over them (a rate from 0,
                           a window from 1): the servers' JIT compiler is warming up (default 0)
  --no-ceiling             skip measuring the generator's own ceiling: the same clients, as fast as
                           they go (closed loop), against one chatrelay
  --idle-timeout-ms T      give up when nothing arrives for T ms (default 5000)
  --json                   one JSON object instead of the table
  --report FILE.html       also write a self-contained page: latency histogram and space-time diagram

Exit status: 0 when every guarantee of the mode held, 1 when one broke (or the run failed), 2 on
wrong usage.`;

/** Who drives the clients: Node sockets in chatstress, or the C load generator (load-driver). */
export type LoadGenerator = 'node' | 'native';
export type OrderingMode = 'unordered' | 'fifo' | 'total';
/**
 * chatserver, or a baseline with no protocol: chatrelay (Node, plain, batched, or batched and
 * sequenced), null-relay (C).
 */
export const SERVER_PROGRAMS = [
  'chatserver',
  'chatrelay',
  'chatrelay-batched',
  'chatrelay-sequenced',
  'null-relay',
] as const;
export type ServerProgram = (typeof SERVER_PROGRAMS)[number];

/**
 * Whether `program` delivers in the order of the mode it runs in: chatserver, and the sequenced
 * relay in total order (the order it always delivers in). The other baselines promise no order.
 */
export function deliversInOrder(program: string): boolean {
  return program === 'chatserver' || program === 'chatrelay-sequenced';
}

export interface ProxySettings {
  readonly delayMsMax: number;
  readonly loss: number;
  readonly duplicate: number;
  readonly seed: number;
}

/** Where the servers come from. */
export type ClusterSource =
  /** Start `serverCount` servers on free ports. */
  | { readonly kind: 'generated'; readonly serverCount: number }
  /** Start one server per line of this config file. */
  | { readonly kind: 'start-config'; readonly configPath: string }
  /** Servers already running at this config file's bind addresses. */
  | { readonly kind: 'running'; readonly configPath: string };

export interface StressArguments {
  readonly mode: OrderingMode;
  readonly cluster: ClusterSource;
  readonly clientCount: number;
  readonly roomCount: number;
  readonly messagesPerClient: number;
  readonly ratePerSecond: number | undefined;
  readonly windowPerClient: number;
  readonly proxy: ProxySettings | undefined;
  readonly program: ServerProgram;
  readonly generator: LoadGenerator;
  /** Started chatservers get a random cluster key. */
  readonly keyed: boolean;
  readonly measureCeiling: boolean;
  readonly idleTimeoutMs: number;
  readonly warmupMs: number;
  readonly json: boolean;
  readonly reportPath: string | undefined;
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
  'warmup-ms': [0, 600_000],
  seed: [0, 2 ** 31 - 1],
} as const;

const DEFAULTS = {
  servers: 3,
  clients: 12,
  rooms: 3,
  messages: 100,
  window: 8,
  'idle-timeout-ms': 5_000,
  'warmup-ms': 0,
  seed: 1,
} as const;

/**
 * Deliveries the run must account for, each with a byte of "seen" state per receiver and a latency
 * sample: bounds the generator's memory (about 10 bytes a delivery) to a few hundred MB.
 */
export const EXPECTED_DELIVERIES_MAX = 30_000_000;

export type ParsedStressArguments =
  | { readonly kind: 'run'; readonly value: StressArguments }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly error: string };

export function parseStressArguments(argv: readonly string[]): ParsedStressArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        order: { type: 'string', short: 'o', default: 'total' },
        servers: { type: 'string' },
        clients: { type: 'string' },
        rooms: { type: 'string' },
        messages: { type: 'string' },
        rate: { type: 'string' },
        window: { type: 'string' },
        'proxy-delay-ms-max': { type: 'string' },
        loss: { type: 'string' },
        duplicate: { type: 'string' },
        seed: { type: 'string' },
        server: { type: 'string', default: 'chatserver' },
        generator: { type: 'string', default: 'node' },
        config: { type: 'string' },
        start: { type: 'boolean', default: false },
        'no-key': { type: 'boolean', default: false },
        'no-ceiling': { type: 'boolean', default: false },
        'idle-timeout-ms': { type: 'string' },
        'warmup-ms': { type: 'string' },
        json: { type: 'boolean', default: false },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return { kind: 'error', error: (error as Error).message };
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  const mode = v.order;
  if (mode !== 'unordered' && mode !== 'fifo' && mode !== 'total') {
    return { kind: 'error', error: `unknown ordering mode '${mode}'` };
  }
  const server = SERVER_PROGRAMS.find((program) => program === v.server);
  if (server === undefined) {
    return {
      kind: 'error',
      error: `--server must be ${SERVER_PROGRAMS.join(', ')}, not '${v.server}'`,
    };
  }
  if (v.generator !== 'node' && v.generator !== 'native') {
    return { kind: 'error', error: `--generator must be node or native, not '${v.generator}'` };
  }
  if (v.rate !== undefined && v.window !== undefined) {
    return { kind: 'error', error: '--rate and --window exclude each other' };
  }
  const proxyGiven = v['proxy-delay-ms-max'] !== undefined;
  if (!proxyGiven && (v.loss ?? v.duplicate ?? v.seed) !== undefined) {
    return { kind: 'error', error: '--loss, --duplicate and --seed need --proxy-delay-ms-max' };
  }
  if (v.start && v.config === undefined) return { kind: 'error', error: '--start needs --config' };
  if (v.config !== undefined && v.servers !== undefined) {
    return { kind: 'error', error: '--servers and --config exclude each other' };
  }
  if (v.config !== undefined && !v.start && proxyGiven) {
    return { kind: 'error', error: 'the proxy options need a started cluster (--start)' };
  }
  if (v.report !== undefined && v.report === '') {
    return { kind: 'error', error: '--report needs a file name' };
  }

  const numbers: Record<string, number> = { ...DEFAULTS };
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const text = v[name as keyof typeof v];
    if (text === undefined) continue;
    const value = Number(text);
    if (typeof text !== 'string' || !/^\d+$/.test(text) || value < min || value > max) {
      return { kind: 'error', error: `--${name} must be a whole number from ${min} to ${max}` };
    }
    numbers[name] = value;
  }
  const probabilities: Record<string, number> = {};
  for (const name of ['loss', 'duplicate'] as const) {
    const value = Number(v[name] ?? '0');
    if (!(value >= 0 && value <= 1)) {
      return { kind: 'error', error: `--${name} must be a probability from 0 to 1` };
    }
    probabilities[name] = value;
  }

  const clientCount = numbers['clients']!;
  const roomCount = numbers['rooms']!;
  const messagesPerClient = numbers['messages']!;
  if (roomCount > clientCount) {
    return { kind: 'error', error: `--rooms ${roomCount} leaves rooms empty: more than --clients` };
  }
  // Rooms are as even as can be, so the largest has ceil(C / G) members.
  const expectedDeliveries = clientCount * Math.ceil(clientCount / roomCount) * messagesPerClient;
  if (expectedDeliveries > EXPECTED_DELIVERIES_MAX) {
    return {
      kind: 'error',
      error: `${clientCount} clients in ${roomCount} rooms posting ${messagesPerClient} messages each make more than ${EXPECTED_DELIVERIES_MAX} deliveries`,
    };
  }
  const delayMsMax = numbers['proxy-delay-ms-max'];
  const cluster: ClusterSource =
    v.config === undefined
      ? { kind: 'generated', serverCount: numbers['servers']! }
      : { kind: v.start ? 'start-config' : 'running', configPath: v.config };
  return {
    kind: 'run',
    value: {
      mode,
      cluster,
      clientCount,
      roomCount,
      messagesPerClient,
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
      program: server,
      generator: v.generator,
      keyed: !v['no-key'],
      measureCeiling: !v['no-ceiling'],
      idleTimeoutMs: numbers['idle-timeout-ms']!,
      warmupMs: numbers['warmup-ms']!,
      json: v.json,
      reportPath: v.report,
    },
  };
}
