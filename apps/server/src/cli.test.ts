import { describe, expect, it } from 'vitest';
import {
  CLIENTS_MAX_DEFAULT,
  CLIENT_IDLE_MS_DEFAULT,
  CLIENT_RATE_MAX_DEFAULT,
  HEARTBEAT_MS_DEFAULT,
  ROOM_COUNT_DEFAULT,
  SUSPECT_MS_DEFAULT,
  parseServerArguments,
} from './cli.js';

describe('parseServerArguments', () => {
  it('takes the course defaults: unordered, 10 rooms, no -v', () => {
    expect(parseServerArguments(['servers.conf', '2'])).toEqual({
      kind: 'run',
      args: {
        verbose: false,
        mode: 'unordered',
        roomCount: ROOM_COUNT_DEFAULT,
        clientsMax: CLIENTS_MAX_DEFAULT,
        clientRateMax: CLIENT_RATE_MAX_DEFAULT,
        clientIdleMsMax: CLIENT_IDLE_MS_DEFAULT,
        keyFile: undefined,
        multicast: undefined,
        suspectMs: SUSPECT_MS_DEFAULT,
        heartbeatMs: HEARTBEAT_MS_DEFAULT,
        warmUp: true,
        batchSends: true,
        batchReceives: true,
        configPath: 'servers.conf',
        index: 2,
      },
    });
  });

  it('reads getopt-style short options and the long ones', () => {
    const parsed = parseServerArguments([
      '-v',
      '-o',
      'total',
      '--rooms',
      '3',
      '--clients-max',
      '50',
      '--client-rate-max',
      '200',
      '--client-idle-ms',
      '30000',
      '--key-file',
      'cluster.key',
      '--multicast',
      '239.255.0.1:6000',
      '--no-warm-up',
      '--no-batch-sends',
      '--no-batch-receives',
      'servers.conf',
      '1',
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      args: {
        verbose: true,
        mode: 'total',
        roomCount: 3,
        clientsMax: 50,
        clientRateMax: 200,
        clientIdleMsMax: 30_000,
        keyFile: { path: 'cluster.key', origin: '--key-file' },
        multicast: { group: { host: '239.255.0.1', port: 6000 }, interfaceAddress: '127.0.0.1' },
        warmUp: false,
        batchSends: false,
        batchReceives: false,
      },
    });
    expect(parseServerArguments(['-vo', 'fifo', 'c', '1'])).toMatchObject({
      kind: 'run',
      args: { verbose: true, mode: 'fifo', warmUp: true, batchSends: true, batchReceives: true },
    });
  });

  it.each([
    [[], /missing <config-file> and <index>/],
    [['c'], /missing <index>/],
    [['c', '1', '2'], /unexpected argument '2'/],
    [['-o', 'causal', 'c', '1'], /unknown ordering mode 'causal'/],
    [['-x', 'c', '1'], /^unknown option '-x'$/],
    [['c', '-1'], /unknown option '-1'/],
    [['c', '1.5'], /<index> must be a whole number/],
    [['--rooms', '2000', 'c', '1'], /--rooms must be in 1\.\.1024/],
    [['--clients-max', 'many', 'c', '1'], /--clients-max must be a whole number/],
    [['--multicast', '10.0.0.1:6000', 'c', '1'], /not a multicast address/],
    [['--multicast', '239.1.1.1', 'c', '1'], /--multicast: /],
    [['--multicast-interface', '127.0.0.1', 'c', '1'], /needs --multicast/],
    [['--client-rate-max', '0', 'c', '1'], /--client-rate-max must be in 1\.\.1000000, not 0/],
    [['--client-idle-ms', '50', 'c', '1'], /--client-idle-ms must be in 100\.\./],
    [['--client-idle-ms', '1h', 'c', '1'], /--client-idle-ms must be a whole number/],
    [['--key-file', '', 'c', '1'], /--key-file needs a path/],
    [['--key-file'], /argument missing/],
    [
      ['--multicast', '239.1.1.1:5', '--multicast-interface', 'lo', 'c', '1'],
      /not an IPv4 address/,
    ],
  ])('rejects %j', (argv, message) => {
    const parsed = parseServerArguments(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' ? parsed.message : '').toMatch(message);
  });

  it('takes the key file from CHAT_KEY_FILE when --key-file is absent; the flag wins', () => {
    const env = { CHAT_KEY_FILE: '/etc/chat/cluster.key' };
    expect(parseServerArguments(['c', '1'], env)).toMatchObject({
      args: { keyFile: { path: '/etc/chat/cluster.key', origin: 'CHAT_KEY_FILE' } },
    });
    expect(parseServerArguments(['--key-file', 'mine.key', 'c', '1'], env)).toMatchObject({
      args: { keyFile: { path: 'mine.key', origin: '--key-file' } },
    });
    expect(parseServerArguments(['c', '1'], { CHAT_KEY_FILE: '' })).toMatchObject({
      args: { keyFile: undefined },
    });
  });

  it('answers --help', () => {
    expect(parseServerArguments(['--help'])).toEqual({ kind: 'help' });
  });
});

describe('parseServerArguments: --suspect-ms and --heartbeat-ms', () => {
  const timing = (args: string[]) => {
    const parsed = parseServerArguments([...args, 'servers.conf', '1']);
    return parsed.kind === 'run'
      ? { suspectMs: parsed.args.suspectMs, heartbeatMs: parsed.args.heartbeatMs }
      : parsed;
  };

  it('defaults to a crash costing well under 2 s: suspected after 1 s, heartbeats every 100 ms', () => {
    expect(SUSPECT_MS_DEFAULT).toBe(1000);
    expect(HEARTBEAT_MS_DEFAULT).toBe(100);
    expect(timing([])).toEqual({ suspectMs: 1000, heartbeatMs: 100 });
  });

  it('takes both, and shortens the default heartbeat for a short suspicion timeout', () => {
    expect(timing(['--suspect-ms', '2500', '--heartbeat-ms', '50'])).toEqual({
      suspectMs: 2500,
      heartbeatMs: 50,
    });
    expect(timing(['--suspect-ms', '150'])).toEqual({ suspectMs: 150, heartbeatMs: 50 });
  });

  it.each([
    [['--suspect-ms', 'soon'], "--suspect-ms must be a whole number, not 'soon'"],
    [['--suspect-ms=-5'], "--suspect-ms must be a whole number, not '-5'"],
    [['--suspect-ms', '99'], '--suspect-ms must be in 100..60000, not 99'],
    [['--suspect-ms', '60001'], '--suspect-ms must be in 100..60000, not 60001'],
    [['--heartbeat-ms', '9'], '--heartbeat-ms must be in 10..60000, not 9'],
    [['--heartbeat-ms', '1.5'], "--heartbeat-ms must be a whole number, not '1.5'"],
    [
      ['--heartbeat-ms', '334'],
      '--heartbeat-ms 334 is too long for --suspect-ms 1000: at most 333 (3 heartbeats per suspicion timeout)',
    ],
  ])('refuses %j', (args, message) => {
    expect(timing(args)).toEqual({ kind: 'error', message });
  });
});

describe('parseServerArguments: --http', () => {
  it('is off unless given', () => {
    const parsed = parseServerArguments(['servers.conf', '1']);
    expect(parsed.kind === 'run' && parsed.args.http).toBeUndefined();
  });

  it('takes the address, the cluster list and the connection limit', () => {
    const parsed = parseServerArguments([
      '--http',
      '127.0.0.1:8001',
      '--http-cluster',
      '127.0.0.1:8001, 127.0.0.1:8002',
      '--ws-connections-max',
      '7',
      'servers.conf',
      '1',
    ]);
    expect(parsed.kind === 'run' && parsed.args.http).toEqual({
      listen: { host: '127.0.0.1', port: 8001 },
      cluster: [
        { host: '127.0.0.1', port: 8001 },
        { host: '127.0.0.1', port: 8002 },
      ],
      wsConnectionsMax: 7,
    });
  });

  it.each([
    [['--http', 'localhost:80'], "--http: 'localhost' is not an IPv4 address"],
    [['--http-cluster', '127.0.0.1:8001'], '--http-cluster needs --http'],
    [['--ws-connections-max', '5'], '--ws-connections-max needs --http'],
    [
      ['--http', '127.0.0.1:1', '--http-cluster', '127.0.0.1:1,x'],
      "--http-cluster: 'x' is not IP:port",
    ],
    [
      ['--http', '127.0.0.1:1', '--ws-connections-max', '0'],
      '--ws-connections-max must be in 1..100000, not 0',
    ],
  ])('refuses %j', (args, message) => {
    expect(parseServerArguments([...args, 'servers.conf', '1'])).toEqual({
      kind: 'error',
      message,
    });
  });
});
