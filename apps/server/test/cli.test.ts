/**
 * Local misuse: one line naming the problem, then a usage line, on stderr; exit status 2; never a
 * stack trace (SPEC "Server command line").
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_MAIN, SERVER_MAIN } from './fixtures/cluster.js';
import { pickFreePorts } from './fixtures/free-ports.js';
import { runProgram } from './fixtures/run-program.js';

let directory: string;
let goodConfig: string;
let proxylessConfig: string;
let malformedConfig: string;
let shortKey: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'chat-cli-'));
  goodConfig = join(directory, 'good.conf');
  proxylessConfig = join(directory, 'proxyless.conf');
  malformedConfig = join(directory, 'malformed.conf');
  const [first, second, third, fourth] = await pickFreePorts(4);
  await writeFile(
    goodConfig,
    `127.0.0.1:${first},127.0.0.1:${second}\n127.0.0.1:${third},127.0.0.1:${fourth}\n`,
  );
  await writeFile(proxylessConfig, `127.0.0.1:${first}\n127.0.0.1:${second}\n`);
  await writeFile(malformedConfig, `# servers\n127.0.0.1:${first}\n\n127.0.0.1:99999\n`);
  shortKey = join(directory, 'short.key');
  await writeFile(shortKey, 'hunter2\n');
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Runs the program and checks the misuse contract; returns the error line. */
async function expectUsageError(
  main: string,
  args: readonly string[],
  usage: RegExp,
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  const result = await runProgram(main, args, undefined, env);
  const lines = result.stderr.split('\n');
  expect(result.code, result.stderr).toBe(2);
  expect(lines).toHaveLength(3); // error, usage, and the empty string after the last newline
  expect(lines[1]).toMatch(usage);
  expect(lines[2]).toBe('');
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
  return lines[0]!;
}

const SERVER_USAGE = /^usage: chatserver .*<config-file> <index>$/;
const CLUSTER_USAGE = /^usage: chatcluster .*<config-file>$/;

describe('chatserver usage errors', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no arguments', () => [], /missing <config-file>/],
    ['a missing index', () => [goodConfig], /missing <index>/],
    ['an extra argument', () => [goodConfig, '1', 'extra'], /unexpected argument 'extra'/],
    ['an unknown mode', () => ['-o', 'causal', goodConfig, '1'], /unknown ordering mode 'causal'/],
    ['-o without a mode', () => ['-o'], /argument missing/i],
    ['an unknown option', () => ['--fast', goodConfig, '1'], /unknown option '--fast'/i],
    ['index 0', () => [goodConfig, '0'], /index.*0.*out of range.*1\.\.2/],
    ['an index past the last server', () => [goodConfig, '3'], /index.*3.*out of range.*1\.\.2/],
    ['a non-numeric index', () => [goodConfig, 'two'], /<index>.*'two'/],
    [
      'an unreadable config',
      () => [join(directory, 'absent.conf'), '1'],
      /cannot read config file.*absent\.conf/,
    ],
    ['a directory as config', () => [directory, '1'], /cannot read config file/],
    ['a malformed config', () => [malformedConfig, '1'], /malformed\.conf line 4: port 99999/],
    ['--rooms 0', () => ['--rooms', '0', goodConfig, '1'], /--rooms must be in 1\.\./],
    [
      'a non-multicast group',
      () => ['--multicast', '127.0.0.1:6000', goodConfig, '1'],
      /not a multicast address/,
    ],
    ['--client-rate-max 0', () => ['--client-rate-max', '0', goodConfig, '1'], /must be in 1\.\./],
    [
      'a non-numeric --client-idle-ms',
      () => ['--client-idle-ms', '10m', goodConfig, '1'],
      /--client-idle-ms must be a whole number, not '10m'/,
    ],
    [
      'an unreadable key file',
      () => ['--key-file', join(directory, 'absent.key'), goodConfig, '1'],
      /cannot read key file '.*absent\.key': no such file/,
    ],
    [
      'a directory as key file',
      () => ['--key-file', directory, goodConfig, '1'],
      /cannot read key file .*: it is a directory/,
    ],
    [
      'a suspicion timeout that is no number',
      () => ['--suspect-ms', 'soon', goodConfig, '1'],
      /--suspect-ms must be a whole number, not 'soon'/,
    ],
    [
      'a suspicion timeout below 100 ms',
      () => ['--suspect-ms', '50', goodConfig, '1'],
      /--suspect-ms must be in 100\.\.60000, not 50/,
    ],
    [
      'a heartbeat too long for the suspicion timeout',
      () => ['--suspect-ms', '300', '--heartbeat-ms', '200', goodConfig, '1'],
      /--heartbeat-ms 200 is too long for --suspect-ms 300: at most 100/,
    ],
    [
      'a key file that is too short',
      () => ['--key-file', shortKey, goodConfig, '1'],
      /short\.key' holds 7 bytes; a cluster key needs at least 16 \(make one with: head -c 32/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(`rejects ${name}`, async () => {
      expect(await expectUsageError(SERVER_MAIN, args(), SERVER_USAGE)).toMatch(
        new RegExp(`^chatserver: .*${message.source}`, message.flags),
      );
    });
  }

  it('rejects an unreadable key file named by CHAT_KEY_FILE, and says where the name came from', async () => {
    const absent = join(directory, 'absent.key');
    const line = await expectUsageError(SERVER_MAIN, [goodConfig, '1'], SERVER_USAGE, {
      CHAT_KEY_FILE: absent,
    });
    expect(line).toBe(
      `chatserver: cannot read key file '${absent}' (from CHAT_KEY_FILE): no such file`,
    );
  });

  it('rejects a port in use', async () => {
    const [port] = await pickFreePorts(1);
    const config = join(directory, 'taken.conf');
    await writeFile(config, `127.0.0.1:${port}\n`);
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', () => resolve()));
    try {
      expect(await expectUsageError(SERVER_MAIN, [config, '1'], SERVER_USAGE)).toMatch(
        new RegExp(`^chatserver: .*127\\.0\\.0\\.1:${port}.*in use`),
      );
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('prints the usage on --help and exits 0', async () => {
    const result = await runProgram(SERVER_MAIN, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd()).toMatch(SERVER_USAGE);
  });
});

describe('chatcluster usage errors', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no arguments', () => [], /missing <config-file>/],
    ['an unknown mode', () => ['-o', 'causal', goodConfig], /unknown ordering mode/],
    ['proxy options without --proxy', () => ['--loss', '0.1', goodConfig], /need --proxy/],
    [
      'a loss above 1',
      () => ['--proxy', '--loss', '2', goodConfig],
      /--loss must be a probability/,
    ],
    [
      '--proxy with one address per line',
      () => ['--proxy', proxylessConfig],
      /--proxy needs forwardIP/,
    ],
    ['a malformed config', () => [malformedConfig], /line 4/],
    [
      'an unreadable key file',
      () => ['--key-file', join(directory, 'absent.key'), goodConfig],
      /cannot read key file '.*absent\.key': no such file/,
    ],
    [
      'a key file that is too short',
      () => ['--key-file', shortKey, goodConfig],
      /holds 7 bytes; a cluster key needs at least 16/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(`rejects ${name}`, async () => {
      expect(await expectUsageError(CLUSTER_MAIN, args(), CLUSTER_USAGE)).toMatch(
        new RegExp(`^chatcluster: .*${message.source}`, message.flags),
      );
    });
  }
});
