import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { LocalCluster } from '../src/local-cluster.js';
import { compileNativeProgram, nativeProgramPath } from '../src/native-program.js';
import { runNativeWorkload } from '../src/native-workload.js';
import { runWorkload, type WorkloadOptions } from '../src/workload.js';

// Functional only: these runs check what arrives, never how fast.
const SMALL_LOAD = {
  clientCount: 6,
  roomCount: 2,
  messagesPerClient: 200,
  idleTimeoutMs: 20_000,
} as const;

test('the C baseline relay and the C load generator build with the system compiler', () => {
  for (const program of ['null-relay', 'load-driver'] as const) {
    expect(existsSync(nativeProgramPath(program))).toBe(true);
  }
});

test('a missing C compiler is one clear error', () => {
  const directory = mkdtempSync(join(tmpdir(), 'native-program-'));
  try {
    expect(() =>
      compileNativeProgram('null-relay', 'no-such-cc-here', join(directory, 'null-relay')),
    ).toThrow(/no C compiler 'no-such-cc-here' to build null-relay: install one/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test.each([
  ['closed loop', { ratePerSecond: undefined, windowPerClient: 4 }],
  ['a fixed rate', { ratePerSecond: 2_000, windowPerClient: 1 }],
] as const)(
  'null-relay relays every post of the C load generator to its whole room (%s)',
  async (_, load) => {
    await using cluster = await LocalCluster.start({
      program: 'null-relay',
      mode: 'unordered',
      layout: { serverCount: 3 },
      keyed: false,
    });
    const result = await runNativeWorkload({
      ...SMALL_LOAD,
      ...load,
      servers: cluster.servers,
      warmupMs: 0,
    });
    // 6 clients in 2 rooms of 3, each post to its 3 members: 6 * 200 * 3.
    expect(result.posted).toBe(1_200);
    expect(result.expectedDeliveries).toBe(3_600);
    expect(result.deliveries).toBe(3_600);
    expect(result.lost).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.unexpectedDatagrams).toBe(0);
    expect(result.latenciesMs.length).toBeGreaterThan(0);
  },
);

test('the Node generator and the C generator account for a run alike', async () => {
  await using cluster = await LocalCluster.start({
    program: 'null-relay',
    mode: 'unordered',
    layout: { serverCount: 2 },
    keyed: false,
  });
  const options: WorkloadOptions = {
    ...SMALL_LOAD,
    servers: cluster.servers,
    ratePerSecond: undefined,
    windowPerClient: 2,
  };
  const native = await runNativeWorkload(options);
  const node = await runWorkload(options);
  for (const result of [native, node]) {
    expect(result.deliveries).toBe(3_600);
    expect(result.lost).toBe(0);
    expect(result.serverCount).toBe(2);
  }
});
