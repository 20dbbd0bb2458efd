/**
 * The cluster across real hosts: every server and every client in a network namespace of its own
 * (the lab of `chatlab`), on one bridge, servers talking over IP multicast between hosts. Needs
 * root, as CI has; without it the tests fail and say so rather than skip.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithExpected, fifoViolations, orderDifferences } from '@chat/test-support/delivery';
import { ip, isRoot } from '../src/ip-command.js';
import { LabFixture, labLeftovers, type LabClient } from './lab-fixture.js';

const LAB_TEST_MS_MAX = 240_000;
/**
 * Clients that are not here to fail over give a silent server longer than the default 3 s: on 2
 * shared cores a live server can be starved that long, and a needless failover resends lines.
 */
const PATIENT_CLIENT = ['--silence-ms=20000'];
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(() => {
  expect(
    isRoot(),
    'the multi-host tests create network namespaces: run them as root (CI does)',
  ).toBe(true);
});

describe('5 hosts, total order over IP multicast', () => {
  it(
    'delivers every post once, in FIFO and one total order, to clients on every host; then leaves nothing behind',
    async () => {
      const HOSTS = 5;
      const CLIENTS = 10;
      const ROOMS = 2;
      const LINES = 20;
      let prefix = '';
      {
        await using fixture = await LabFixture.start({
          hosts: HOSTS,
          clientHosts: HOSTS,
          mode: 'total',
          multicast: true,
        });
        prefix = fixture.prefix;
        // No host can send anywhere but the lab's link: no default route, nothing but the lab's
        // network and multicast on eth0.
        for (const node of [...fixture.lab.hosts, ...fixture.lab.clientHosts]) {
          expect(await routesOf(node.namespace), node.name).toEqual([
            '198.51.100.0/24 dev eth0',
            '224.0.0.0/4 dev eth0',
          ]);
        }
        // Client i sits on client host i mod 5 and talks to that host's server: every room spans
        // every server and every host.
        const members = Array.from({ length: CLIENTS }, (_, i) => {
          const host = (i % HOSTS) + 1;
          const nick = `c${i}`;
          return {
            nick,
            room: (Math.floor(i / HOSTS) % ROOMS) + 1,
            host,
            client: fixture.client(`c${host}`, host, nick, PATIENT_CLIENT),
          };
        });
        for (const { nick, room, client } of members) client.type(`/nick ${nick}`, `/join ${room}`);
        await Promise.all(
          members.map(({ client }) => client.lineMatching(/^\+OK You are now in chat room #\d+$/)),
        );

        for (const { nick, client } of members) {
          client.type(...Array.from({ length: LINES }, (_, n) => `${nick} #${n + 1}`));
        }
        const expectedByRoom = new Map<number, string[]>();
        for (let n = 1; n <= LINES; n++) {
          for (const { nick, room } of members) {
            expectedByRoom.set(room, [
              ...(expectedByRoom.get(room) ?? []),
              `<${nick}> ${nick} #${n}`,
            ]);
          }
        }
        const received = await Promise.all(
          members.map(({ room, client }) => client.posts(expectedByRoom.get(room)!.length)),
        ).catch((error: unknown) => {
          throw new Error(`${String(error)}\n${fixture.describe()}`);
        });

        const receivers = members.map((member, i) => ({
          label: `${member.nick}@h${member.host}`,
          room: member.room,
          received: received[i]!,
        }));
        for (const receiver of receivers) {
          expect(
            compareWithExpected(receiver.received, expectedByRoom.get(receiver.room)!),
            receiver.label,
          ).toEqual({ missing: [], extra: [] });
          expect(fifoViolations(receiver.received), receiver.label).toEqual([]);
        }
        expect(orderDifferences(receivers)).toEqual([]);
        // Nothing but posts after the joins: no refusals, no failover notices.
        for (const { client } of members) {
          expect(
            client.printed.filter((line) => !line.startsWith('<') && !line.startsWith('+OK')),
          ).toEqual([]);
        }
        // The posts went between hosts over the multicast group.
        for (let index = 1; index <= HOSTS; index++) {
          expect(
            (await fixture.counters(index))['group.datagramsReceived'],
            `S${index}`,
          ).toBeGreaterThan(0);
        }
      }
      expect(await labLeftovers(prefix)).toEqual([]);
    },
    LAB_TEST_MS_MAX,
  );
});

describe('a client on its own host', () => {
  it(
    "fails over to the next host's server when its host's server is killed, and keeps chatting",
    async () => {
      let prefix = '';
      {
        await using fixture = await LabFixture.start({
          hosts: 3,
          clientHosts: 2,
          mode: 'fifo',
          multicast: true,
        });
        prefix = fixture.prefix;
        const alice = fixture.client('c1', 1, 'alice');
        const bob = fixture.client('c2', 2, 'bob');
        alice.type('/nick alice', '/join 1');
        bob.type('/nick bob', '/join 1');
        await alice.lineMatching(/^\+OK You are now in chat room #1$/);
        await bob.lineMatching(/^\+OK You are now in chat room #1$/);
        alice.type('before');
        expect(await bob.posts(1)).toEqual(['<alice> before']);
        expect(await alice.posts(1)).toEqual(['<alice> before']);

        await fixture.cluster.kill(1);
        alice.type('while switching');

        // Host 2's server is probed first; host 3's only if host 2's took over a second to answer.
        const noticeOn = (host: number): string =>
          escapeRegExp(
            `*** Server ${fixture.serverAddress(1)} stopped answering; now on ${fixture.serverAddress(host)} (nickname alice, room #1); sent 1 line it may have missed or typed meanwhile`,
          );
        await alice.lineMatching(new RegExp(`^(${noticeOn(2)}|${noticeOn(3)})$`));
        alice.type('after');
        expect(await bob.posts(2)).toEqual(['<alice> while switching', '<alice> after']);
        expect(await alice.posts(2)).toEqual(['<alice> while switching', '<alice> after']);
        expectNoReplyNoise(alice);
      }
      expect(await labLeftovers(prefix)).toEqual([]);
    },
    LAB_TEST_MS_MAX,
  );
});

/** A namespace's IPv4 routes, each as `DESTINATION dev INTERFACE`, sorted. */
async function routesOf(namespace: string): Promise<string[]> {
  const table = await ip('-n', namespace, '-4', 'route', 'show', 'table', 'all');
  return table
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('local ') && !line.startsWith('broadcast '))
    .map((line) => /^(\S+) dev (\S+)/.exec(line)?.slice(1, 3).join(' dev ') ?? line)
    .sort();
}

/** The user never sees keepalive replies. */
function expectNoReplyNoise(client: LabClient): void {
  expect(client.printed.filter((line) => line.includes('/ping'))).toEqual([]);
}
