import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { LocalCluster } from '../src/local-cluster.js';
import { runNativeWorkload } from '../src/native-workload.js';

// Functional only: these runs check what arrives, never how fast.
const SMALL_LOAD = {
  clientCount: 6,
  roomCount: 2,
  messagesPerClient: 200,
  idleTimeoutMs: 20_000,
  ratePerSecond: undefined,
  windowPerClient: 4,
  warmupMs: 0,
} as const;

test.each(['chatrelay', 'chatrelay-batched', 'chatrelay-sequenced'] as const)(
  '%s relays every post to its whole room, on every server',
  async (program) => {
    await using cluster = await LocalCluster.start({
      program,
      mode: 'unordered',
      layout: { serverCount: 3 },
      keyed: false,
    });
    const result = await runNativeWorkload({ ...SMALL_LOAD, servers: cluster.servers });
    // 6 clients in 2 rooms of 3 (one per server), each post to its 3 members: 6 * 200 * 3.
    expect(result.posted).toBe(1_200);
    expect(result.deliveries).toBe(3_600);
    expect(result.lost).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.unexpectedDatagrams).toBe(0);
  },
);

test('chatrelay --sequenced delivers every room in one order on every server', async () => {
  await using cluster = await LocalCluster.start({
    program: 'chatrelay-sequenced',
    mode: 'total',
    layout: { serverCount: 4 },
    keyed: false,
  });
  // One room on every server, many posts in flight: without the sequencer's order the servers
  // deliver the posts of different servers in the order each receives them.
  const result = await runNativeWorkload({
    ...SMALL_LOAD,
    clientCount: 8,
    roomCount: 1,
    windowPerClient: 16,
    servers: cluster.servers,
  });
  expect(result.posted).toBe(1_600);
  expect(result.deliveries).toBe(1_600 * 8);
  expect(result.lost).toBe(0);
  expect(result.fifoViolations).toBe(0);
  expect(result.totalOrderViolations).toBe(0);
});

test('chatrelay refuses arguments it does not know, with its usage', () => {
  const relay = fileURLToPath(new URL('../dist/baseline-relay.js', import.meta.url));
  const run = spawnSync(process.execPath, [relay, '--fast', 'c.conf', '1'], { encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr).toBe('usage: chatrelay [--batch] [--sequenced] <config-file> <index>\n');
});
