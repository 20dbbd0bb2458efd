/**
 * Cluster keys between real servers: servers with the same key deliver to each other; with another
 * key, or none, nothing crosses, and the drops are counted. "Nothing crosses" is checked without
 * waiting: once a server has logged dropping the sender's datagram, its client's next datagram must
 * be the reply to a command sent afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TestCluster } from './fixtures/cluster.js';
import { TempDirectory } from './fixtures/temp-directory.js';
import type { TestClient } from './fixtures/test-client.js';

/**
 * The next datagram of each client (in room 1) is the reply to a fresh command that changes
 * nothing: nothing else came first.
 */
async function expectNothingReceived(clients: readonly TestClient[]): Promise<void> {
  for (const client of clients) {
    expect(await client.request('/join 1')).toBe('-ERR You are already in room #1');
  }
}

describe('cluster keys', () => {
  it('deliver between servers with the same key only; other keys and no key are dropped and counted', async () => {
    await using keys = await TempDirectory.create('chat-keys-');
    const keyA = await keys.write('a.key', randomBytes(32));
    const keyB = await keys.write('b.key', randomBytes(32));
    // S1 and S2 share key A, S3 has key B, S4 has none.
    const keyOf = [keyA, keyA, keyB, undefined];
    await using cluster = await TestCluster.start({
      servers: 4,
      serverArgs: ['-v'],
      serverArgsFor: (index) => {
        const key = keyOf[index - 1];
        return key === undefined ? [] : ['--key-file', key];
      },
      // Only S1 and S2 can form a view together; S3 and S4 stay alone.
      waitForOneView: false,
    });
    await cluster.waitUntilOneView([1, 2]);
    const clients: TestClient[] = [];
    try {
      for (let index = 1; index <= 4; index++) {
        const client = await cluster.client(index);
        clients.push(client);
        await client.request(`/nick c${index}`);
        await client.request('/join 1');
      }
      const [c1, c2, c3, c4] = clients as [TestClient, TestClient, TestClient, TestClient];

      /** Posts from server `from`'s client; the servers in `refusing` must drop it, unseen. */
      const postAndExpectDrops = async (
        from: number,
        receivers: readonly TestClient[],
        refusing: readonly number[],
      ): Promise<void> => {
        const marks = cluster.servers.map((server) => server.outputLength);
        clients[from - 1]!.send(`hello from S${from}`);
        for (const receiver of receivers) {
          expect(await receiver.nextDatagram()).toBe(`<c${from}> hello from S${from}`);
        }
        const tag = `S0${from}`;
        for (const index of refusing) {
          await cluster.servers[index - 1]!.waitForOutput(
            new RegExp(`S0${index} Dropped a datagram from ${tag}: unauthenticated`),
            marks[index - 1],
          );
        }
        await expectNothingReceived(refusing.map((index) => clients[index - 1]!));
      };

      // A refusing server logs dropping each of the sender's datagrams (heartbeats, the post);
      // whatever it dropped, nothing reached its client.
      await postAndExpectDrops(1, [c1, c2], [3, 4]);
      await postAndExpectDrops(3, [c3], [1, 2, 4]);
      await postAndExpectDrops(4, [c4], [1, 2, 3]);

      for (let index = 1; index <= 4; index++) {
        const counters = await cluster.counters(index);
        expect(counters['peers.dropped.unauthenticated'], `S${index}`).toBeGreaterThan(0);
        expect(counters['server.internalErrors'], `S${index}`).toBe(0);
      }
      expect(cluster.servers[3]!.capturedOutput).toContain('chatserver: warning: no cluster key');
      for (const server of cluster.servers.slice(0, 3)) {
        expect(server.capturedOutput).not.toContain('warning');
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
