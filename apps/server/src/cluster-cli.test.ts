import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCluster } from './cluster-cli.js';

let directory: string;
let proxyConfig: string;
let plainConfig: string;
let keyPath: string;
const programs = { serverMain: 'server.js', proxyMain: '' };

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'chat-cluster-cli-'));
  proxyConfig = join(directory, 'proxy.conf');
  plainConfig = join(directory, 'plain.conf');
  await writeFile(proxyConfig, '127.0.0.1:5101,127.0.0.1:5001\n127.0.0.1:5102,127.0.0.1:5002\n');
  await writeFile(plainConfig, '# two servers\n127.0.0.1:5001\n127.0.0.1:5002\n');
  keyPath = join(directory, 'cluster.key');
  await writeFile(keyPath, 'sixteen bytes or more\n');
  programs.proxyMain = proxyConfig; // any file that exists stands in for the built proxy
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('planCluster', () => {
  it('runs one chatserver per config line; clients attach at the bind addresses', async () => {
    expect(await planCluster(['-v', '-o', 'total', plainConfig], programs)).toEqual({
      ok: true,
      proxy: undefined,
      servers: [
        ['server.js', '-v', '-o', 'total', plainConfig, '1'],
        ['server.js', '-v', '-o', 'total', plainConfig, '2'],
      ],
      clientAddresses: ['127.0.0.1:5001', '127.0.0.1:5002'],
    });
  });

  it('gives server N the Nth HTTP port from --http-port, and every server the whole list', async () => {
    const plan = await planCluster(['--http-port', '8001', plainConfig], programs);
    const cluster = '127.0.0.1:8001,127.0.0.1:8002';
    expect(plan).toMatchObject({
      ok: true,
      servers: [
        [
          'server.js',
          '-o',
          'unordered',
          '--http',
          '127.0.0.1:8001',
          '--http-cluster',
          cluster,
          plainConfig,
          '1',
        ],
        [
          'server.js',
          '-o',
          'unordered',
          '--http',
          '127.0.0.1:8002',
          '--http-cluster',
          cluster,
          plainConfig,
          '2',
        ],
      ],
      httpUrls: ['http://127.0.0.1:8001/', 'http://127.0.0.1:8002/'],
    });
    expect(await planCluster(['--http-port', '65535', plainConfig], programs)).toEqual({
      ok: false,
      message: '--http-port must be in 1..65534, not 65535',
    });
  });

  it('adds chatproxy with its options, and passes --multicast to the servers', async () => {
    const plan = await planCluster(
      [
        '--proxy',
        '--delay-ms-max',
        '20',
        '--loss',
        '0.1',
        '--seed',
        '7',
        '--multicast',
        '239.255.0.9:6000',
        proxyConfig,
      ],
      programs,
    );
    expect(plan).toMatchObject({
      ok: true,
      proxy: [
        programs.proxyMain,
        '--delay-ms-max',
        '20',
        '--loss',
        '0.1',
        '--seed',
        '7',
        proxyConfig,
      ],
      servers: [
        ['server.js', '-o', 'unordered', '--multicast', '239.255.0.9:6000', proxyConfig, '1'],
        expect.anything(),
      ],
    });
  });

  it('checks the key file once and passes it to every server, from the flag or CHAT_KEY_FILE', async () => {
    const viaFlag = await planCluster(['--key-file', keyPath, plainConfig], programs);
    const viaEnv = await planCluster([plainConfig], programs, { CHAT_KEY_FILE: keyPath });
    for (const plan of [viaFlag, viaEnv]) {
      expect(plan).toMatchObject({
        ok: true,
        servers: [
          ['server.js', '-o', 'unordered', '--key-file', keyPath, plainConfig, '1'],
          ['server.js', '-o', 'unordered', '--key-file', keyPath, plainConfig, '2'],
        ],
      });
    }
    const missing = join(directory, 'absent.key');
    expect(await planCluster([plainConfig], programs, { CHAT_KEY_FILE: missing })).toEqual({
      ok: false,
      message: `cannot read key file '${missing}' (from CHAT_KEY_FILE): no such file`,
    });
    expect(await planCluster(['--key-file', plainConfig, plainConfig], programs)).toMatchObject({
      ok: true,
    });
  });

  it('passes --suspect-ms and --heartbeat-ms to every server', async () => {
    const plan = await planCluster(
      ['--suspect-ms', '2000', '--heartbeat-ms', '50', plainConfig],
      programs,
    );
    const timing = ['--suspect-ms', '2000', '--heartbeat-ms', '50'];
    expect(plan).toMatchObject({
      ok: true,
      servers: [
        ['server.js', '-o', 'unordered', ...timing, plainConfig, '1'],
        ['server.js', '-o', 'unordered', ...timing, plainConfig, '2'],
      ],
    });
  });

  it.each([
    [['--suspect-ms', '10'], /--suspect-ms must be in 100\.\.60000, not 10/],
    [['--heartbeat-ms', '500'], /--heartbeat-ms 500 is too long for --suspect-ms 1000/],
    [['--seed', '1'], /need --proxy/],
    [['--proxy'], /every line; server 1 has one address/],
    [['--proxy', '--duplicate', 'x'], /--duplicate must be a probability/],
    [['--delay-ms-max', '-5'], /ambiguous/],
    [['--proxy', '--delay-ms-max=-5'], /--delay-ms-max must be a whole number/],
  ])('rejects %j', async (args, message) => {
    const plan = await planCluster([...args, plainConfig], programs);
    expect(plan.ok).toBe(false);
    expect(plan.ok ? '' : plan.message).toMatch(message);
  });
});
