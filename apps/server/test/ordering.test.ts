/**
 * The ordering modes end to end, through a delay proxy that reorders server-to-server datagrams:
 * 12 clients (4 per room, spread over 3 servers) each post a burst of numbered lines.
 *
 * To reproduce a failure by hand: `chatcluster --proxy --delay-ms-max 20 --seed SEED -o MODE
 * config/local-3-proxy.conf` and the same burst (the seed is in each test's name).
 */
import { describe, expect, it } from 'vitest';
import type { OrderingMode } from '@chat/ordering';
import {
  compareWithExpected,
  fifoViolations,
  orderDifferences,
  runBurst,
  type BurstReport,
} from './fixtures/burst.js';
import { TestCluster, type ProxySettings } from './fixtures/cluster.js';

const BURST = { serverCount: 3, clientCount: 12, roomCount: 3, linesPerClient: 25 } as const;
const DELAY: ProxySettings = { delayMsMax: 20, seed: 1 };

async function burst(
  mode: OrderingMode,
  proxy: ProxySettings,
  multicast = false,
): Promise<{ report: BurstReport; stats: string[] }> {
  await using cluster = await TestCluster.start({ servers: 3, mode, proxy, multicast });
  const report = await runBurst(cluster, BURST).catch(async (error: unknown) => {
    // A member missed lines: the servers' counters are the first thing to look at.
    const stats = await cluster.stats().catch(() => []);
    throw new Error(`${String(error)}\n${stats.join('\n')}\n${cluster.describe()}`);
  });
  return { report, stats: await cluster.stats() };
}

function expectNoLossNoDuplicates(report: BurstReport): void {
  for (const member of report.members) {
    const expected = report.expectedByRoom.get(member.room) ?? [];
    expect(
      compareWithExpected(member.received, expected),
      `${member.nick}@S${member.server}`,
    ).toEqual({ missing: [], extra: [] });
  }
}

function expectFifo(report: BurstReport): void {
  for (const member of report.members) {
    expect(fifoViolations(member.received), `${member.nick}@S${member.server}`).toEqual([]);
  }
}

describe('ordering through a delay proxy', () => {
  it(`unordered: no loss or duplicates, and the proxy really reorders (seed ${DELAY.seed})`, async () => {
    const { report } = await burst('unordered', DELAY);
    expectNoLossNoDuplicates(report);
    // Proves the proxy and burst do break FIFO order (hundreds of times per run in practice), so the
    // FIFO and total checks below mean something.
    const violations = report.members.flatMap((member) => fifoViolations(member.received));
    expect(violations.length).toBeGreaterThan(0);
  });

  it(`fifo: no loss or duplicates, each sender's lines in order (seed ${DELAY.seed})`, async () => {
    const { report } = await burst('fifo', DELAY);
    expectNoLossNoDuplicates(report);
    expectFifo(report);
  });

  it(`total: no loss or duplicates, FIFO, one order per room (seed ${DELAY.seed})`, async () => {
    const { report } = await burst('total', DELAY);
    expectNoLossNoDuplicates(report);
    expectFifo(report);
    expect(orderDifferences(report)).toEqual([]);
  });

  it(`total over loopback multicast (unicast NAKs and resends via the proxy, seed ${DELAY.seed})`, async () => {
    const { report, stats } = await burst('total', DELAY, true);
    expectNoLossNoDuplicates(report);
    expectFifo(report);
    expect(orderDifferences(report)).toEqual([]);
    // The posts really travelled over the group, not over unicast.
    for (const line of stats) expect(line).toMatch(/ group\.datagramsReceived=[1-9]/);
  });
});
