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

test.each(['chatrelay', 'chatrelay-batched'] as const)(
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

test('chatrelay refuses arguments it does not know, with its usage', () => {
  const relay = fileURLToPath(new URL('../dist/baseline-relay.js', import.meta.url));
  const run = spawnSync(process.execPath, [relay, '--fast', 'c.conf', '1'], { encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr).toBe('usage: chatrelay [--batch] <config-file> <index>\n');
});
