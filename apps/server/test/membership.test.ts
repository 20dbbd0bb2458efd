/**
 * The membership on real processes: servers install numbered views together and log each one; a
 * server killed with SIGKILL is left out of the survivors' view and their rooms go on; restarted
 * with a fresh state (a new incarnation; with a key, a newer epoch too), it is merged back and its
 * clients post and receive again.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ORDERING_MODES } from '@chat/ordering';
import { CHATSERVER_SUSPECT_MS, TestCluster, type SpawnedProcess } from './fixtures/cluster.js';
import { TempDirectory } from './fixtures/temp-directory.js';
import type { TestClient } from './fixtures/test-client.js';

/** The `-v` line of each installed view: `View <id> installed: servers <list> (primary|minority)`. */
const VIEW_LINE = / S(\d\d) View (\d+) installed: servers ([\d,]+) \((primary|minority)\)$/gm;

interface LoggedView {
  readonly server: number;
  readonly id: number;
  readonly members: string;
  readonly primary: boolean;
}

/** Every view line `process` printed so far. */
function loggedViews(process: SpawnedProcess): LoggedView[] {
  return [...process.capturedOutput.matchAll(VIEW_LINE)].map(([, server, id, members, kind]) => ({
    server: Number(server),
    id: Number(id),
    members: members!,
    primary: kind === 'primary',
  }));
}

async function expectEveryoneGets(speaker: TestClient, text: string, members: TestClient[]) {
  speaker.send(text);
  const line = `<${speaker.defaultNickname}> ${text}`;
  for (const member of members) expect(await member.nextDatagram()).toBe(line);
}

describe('membership', () => {
  it.each(ORDERING_MODES)(
    '%s: three servers install one view of all three, log it, and deliver in it',
    async (mode) => {
      await using cluster = await TestCluster.start({ servers: 3, mode, serverArgs: ['-v'] });
      // The fixture waited until every server's Stats line reports the same view of 3.
      const viewId = await cluster.waitUntilOneView();
      for (const [position, server] of cluster.servers.entries()) {
        const views = loggedViews(server);
        expect(views.at(-1), `S${position + 1}\n${server.capturedOutput.slice(-8_000)}`).toEqual({
          server: position + 1,
          id: viewId,
          members: '1,2,3',
          primary: true,
        });
        // View ids only grow.
        const ids = views.map((view) => view.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }
      const members = await Promise.all([1, 2, 3].map((index) => cluster.client(index)));
      try {
        for (const member of members) await member.request('/join 1');
        await expectEveryoneGets(members[0]!, `hello in ${mode}`, members);
        await expectEveryoneGets(members[2]!, 'and back', members);
      } finally {
        await Promise.all(members.map((member) => member.close()));
      }
    },
  );

  it.each([...ORDERING_MODES.map((mode) => [mode, false] as const), ['total', true] as const])(
    '%s (cluster key: %s): a killed server is left out of the view; restarted, it is merged back',
    async (mode, keyed) => {
      await using keys = await TempDirectory.create('chat-keys-');
      const keyArgs = keyed ? ['--key-file', await keys.write('cluster.key', randomBytes(32))] : [];
      await using cluster = await TestCluster.start({
        servers: 3,
        mode,
        suspectMs: CHATSERVER_SUSPECT_MS,
        serverArgs: ['-v', ...keyArgs],
      });
      await using a = await cluster.client(1);
      await using b = await cluster.client(2);
      for (const member of [a, b]) await member.request('/join 1');

      await cluster.kill(3);
      // Two of three are a majority: the survivors' view is primary, and total order goes on.
      const survivorsView = await cluster.waitUntilOneView([1, 2]);
      for (const index of [1, 2]) {
        expect(loggedViews(cluster.servers[index - 1]!).at(-1)).toMatchObject({
          id: survivorsView,
          members: '1,2',
          primary: true,
        });
      }
      await expectEveryoneGets(a, 'S3 is gone', [a, b]);

      const restarted = await cluster.restart(3);
      const mergedView = await cluster.waitUntilOneView();
      expect(mergedView).toBeGreaterThan(survivorsView);
      expect(loggedViews(restarted).at(-1)).toEqual({
        server: 3,
        id: mergedView,
        members: '1,2,3',
        primary: true,
      });
      await using c = await cluster.client(3);
      await c.request('/join 1');
      await expectEveryoneGets(c, 'S3 is back', [a, b, c]);
      await expectEveryoneGets(b, 'welcome back', [a, b, c]);
      if (keyed) {
        // Its peers took its new run's frames (a newer epoch) and said so, once each.
        for (const index of [1, 2]) {
          expect(
            cluster.servers[index - 1]!.capturedOutput.match(/S03 has restarted/g),
          ).toHaveLength(1);
          expect((await cluster.counters(index))['peers.restarts']).toBe(1);
        }
      }
    },
  );
});
