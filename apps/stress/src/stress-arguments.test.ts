import { expect, test } from 'vitest';
import { parseStressArguments, type StressArguments } from './stress-arguments.js';

function run(argv: readonly string[]): StressArguments {
  const parsed = parseStressArguments(argv);
  if (parsed.kind !== 'run') throw new Error(JSON.stringify(parsed));
  return parsed.value;
}

function error(argv: readonly string[]): string {
  const parsed = parseStressArguments(argv);
  if (parsed.kind !== 'error') throw new Error(`accepted ${argv.join(' ')}`);
  return parsed.error;
}

test('defaults: a started 3-server total-order cluster, 12 clients in 3 rooms, window 8', () => {
  expect(run([])).toMatchObject({
    mode: 'total',
    cluster: { kind: 'generated', serverCount: 3 },
    clientCount: 12,
    roomCount: 3,
    messagesPerClient: 100,
    ratePerSecond: undefined,
    windowPerClient: 8,
    proxy: undefined,
    program: 'chatserver',
    keyed: true,
    measureCeiling: true,
    warmupMs: 0,
    json: false,
    reportPath: undefined,
  });
});

test('a config file names running servers, or servers to start', () => {
  expect(run(['--config', 'c.conf']).cluster).toEqual({ kind: 'running', configPath: 'c.conf' });
  expect(run(['--config', 'c.conf', '--start']).cluster).toEqual({
    kind: 'start-config',
    configPath: 'c.conf',
  });
});

test('--server picks chatserver or a baseline', () => {
  for (const program of [
    'chatrelay',
    'chatrelay-batched',
    'chatrelay-sequenced',
    'null-relay',
  ] as const) {
    expect(run(['--server', program]).program).toBe(program);
  }
  expect(error(['--server', 'chatrelay-fast'])).toMatch(
    /--server must be chatserver, chatrelay, chatrelay-batched, chatrelay-sequenced, null-relay, not 'chatrelay-fast'/,
  );
});

test('the proxy options come together', () => {
  expect(run(['--proxy-delay-ms-max', '5', '--loss', '0.1']).proxy).toEqual({
    delayMsMax: 5,
    loss: 0.1,
    duplicate: 0,
    seed: 1,
  });
  expect(error(['--loss', '0.1'])).toMatch(/need --proxy-delay-ms-max/);
});

test('wrong usage is refused with a reason', () => {
  expect(error(['-o', 'causal'])).toMatch(/unknown ordering mode/);
  expect(error(['--rate', '10', '--window', '2'])).toMatch(/exclude each other/);
  expect(error(['--start'])).toMatch(/needs --config/);
  expect(error(['--config', 'c.conf', '--servers', '2'])).toMatch(/exclude each other/);
  expect(error(['--config', 'c.conf', '--proxy-delay-ms-max', '5'])).toMatch(/--start/);
  expect(error(['--clients', '2', '--rooms', '3'])).toMatch(/rooms empty/);
  expect(error(['--messages', '1.5'])).toMatch(/whole number/);
  expect(error(['--clients', '2000', '--rooms', '1', '--messages', '1000'])).toMatch(/deliveries/);
  expect(error(['--bogus'])).toMatch(/bogus/);
  expect(parseStressArguments(['--help']).kind).toBe('help');
});
