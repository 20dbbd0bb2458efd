/**
 * Membership across real hosts: a 2 | 3 partition (the hosts' switch ports on separate bridges)
 * and its heal, and a server killed and restarted. The servers' membership, as they show it:
 *   - with -v, each server logs `View <id> installed: servers <comma list> (primary|minority)`;
 *   - its Stats line has `view.id`, `view.members` (a count) and `view.primary` (1 or 0);
 *   - in total mode a server in a minority view answers a post with
 *     `-ERR No majority of servers reachable; try again later`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithExpected, fifoViolations, orderDifferences } from '@chat/test-support/delivery';
import { isRoot } from '../src/ip-command.js';
import type { HostProcess } from '../src/host-process.js';
import { LabFixture, labLeftovers, WAIT_MS_MAX, type LabClient } from './lab-fixture.js';

const LAB_TEST_MS_MAX = 300_000;
/**
 * Five server hosts and five client hosts, total order over IP multicast, servers logging views.
 * A server is suspected after 3 s of silence, not chatserver's 1 s: ten processes in namespaces
 * share 2 cores with the rest of the test suite, and a server paused for a second there would be
 * left out of the view (its clients' posts then refused as a minority's) without any fault.
 */
const FIVE_HOSTS = {
  hosts: 5,
  clientHosts: 5,
  mode: 'total',
  multicast: true,
  verbose: true,
  serverArgs: ['--suspect-ms', '3000'],
} as const;
const NO_MAJORITY = '-ERR No majority of servers reachable; try again later';
/** The view line; members as indexes, `1,2` or `1, 2` or `S01,S02`. */
const VIEW = /View (\d+) installed: servers ((?:S?\d+)(?:, ?S?\d+)*) \((primary|minority)\)/g;

beforeAll(() => {
  expect(
    isRoot(),
    'the multi-host tests create network namespaces: run them as root (CI does)',
  ).toBe(true);
});

interface View {
  readonly id: number;
  readonly members: readonly number[];
  readonly primary: boolean;
}

/** The views a server logged (from `fromOffset` of its output on), in order. */
function viewsOf(server: HostProcess): View[] {
  return [...server.output.matchAll(VIEW)].map(([, id, members, kind]) => ({
    id: Number(id),
    members: members!.split(',').map((member) => Number(member.trim().replace(/^S/, ''))),
    primary: kind === 'primary',
  }));
}

/** Waits until the view server `index` installed last has exactly `members`; returns it. */
async function viewInstalled(
  fixture: LabFixture,
  index: number,
  members: readonly number[],
  primary: boolean,
): Promise<View> {
  const server = fixture.cluster.servers[index - 1]!;
  const deadline = Date.now() + WAIT_MS_MAX;
  for (;;) {
    // The last one: an earlier view with the same members (while the cluster formed) is not it.
    const view = viewsOf(server).at(-1);
    if (view !== undefined && view.members.join() === members.join()) {
      expect(view.primary, `S${index} view ${view.id}`).toBe(primary);
      return view;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `S${index} installed no view of servers ${members.join()}:\n${fixture.describe()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Member {
  readonly nick: string;
  readonly client: LabClient;
  /** Every post it received, in order. */
  readonly received: string[];
}

/**
 * Clients c1..cN on client hosts c1..cN, client k starting at server k, all in room 1; every
 * client but `patientExcept` gives a silent server 20 s before failing over.
 */
async function joinEveryHost(
  fixture: LabFixture,
  count: number,
  patientExcept?: number,
): Promise<Member[]> {
  const members = Array.from({ length: count }, (_, i) => {
    const nick = `c${i + 1}`;
    // Only the client of a server a test kills should fail over; the others give a starved server
    // longer than the default 3 s.
    const args = i + 1 === patientExcept ? [] : ['--silence-ms=20000'];
    return {
      nick,
      client: fixture.client(`c${i + 1}`, i + 1, nick, args),
      received: [] as string[],
    };
  });
  for (const { nick, client } of members) client.type(`/nick ${nick}`, '/join 1');
  await Promise.all(
    members.map(({ client }) => client.lineMatching(/^\+OK You are now in chat room #1$/)),
  );
  return members;
}

/** Each poster posts lines `from`..`to`; every receiver collects them all; returns what was posted. */
async function round(
  fixture: LabFixture,
  posters: readonly Member[],
  receivers: readonly Member[],
  from: number,
  to: number,
): Promise<string[]> {
  const posted: string[] = [];
  for (const { nick, client } of posters) {
    for (let n = from; n <= to; n++) {
      client.type(`${nick} #${n}`);
      posted.push(`<${nick}> ${nick} #${n}`);
    }
  }
  try {
    await Promise.all(
      receivers.map(async (member) =>
        member.received.push(...(await member.client.posts(posted.length))),
      ),
    );
  } catch (error) {
    // For the reader of a failure: the views each server logged, and what the clients were told.
    const views = fixture.cluster.servers.map(
      (server, i) =>
        `S${i + 1}: ${viewsOf(server)
          .map((view) => `${view.id}:${view.members.join(',')}${view.primary ? '' : ' minority'}`)
          .join(' ')}`,
    );
    const told = posters.map(
      ({ nick, client }) =>
        `${nick}: ${client.printed.filter((line) => /^(-ERR|\*\*\*)/.test(line)).join(' | ')}`,
    );
    throw new Error(
      `${(error as Error).message}\nviews logged:\n${views.join('\n')}\n` +
        `-ERR and notices the posters printed:\n${told.join('\n')}`,
      { cause: error },
    );
  }
  return posted;
}

/** Nothing lost or twice, FIFO per sender, one order for all (over `expected` only). */
function expectAgreement(members: readonly Member[], expected: readonly string[]): void {
  const wanted = new Set(expected);
  const receivers = members.map((member) => ({
    label: member.nick,
    room: 1,
    received: member.received.filter((line) => wanted.has(line)),
  }));
  for (const receiver of receivers) {
    expect(compareWithExpected(receiver.received, expected), receiver.label).toEqual({
      missing: [],
      extra: [],
    });
    expect(fifoViolations(receiver.received), receiver.label).toEqual([]);
  }
  expect(orderDifferences(receivers)).toEqual([]);
}

describe('membership across 5 hosts (total order, IP multicast)', () => {
  it(
    'a 2 | 3 partition: the majority goes on in total order, the minority refuses posts, and after the heal all agree again',
    async () => {
      let prefix = '';
      {
        await using fixture = await LabFixture.start(FIVE_HOSTS);
        prefix = fixture.prefix;
        const members = await joinEveryHost(fixture, 5);
        const minority = members.slice(0, 2);
        const majority = members.slice(2);
        const before = await round(fixture, members, members, 1, 5);
        expectAgreement(members, before);

        await fixture.lab.partition([
          ['h1', 'h2', 'c1', 'c2'],
          ['h3', 'h4', 'h5', 'c3', 'c4', 'c5'],
        ]);
        for (const index of [1, 2]) await viewInstalled(fixture, index, [1, 2], false);
        for (const index of [3, 4, 5]) await viewInstalled(fixture, index, [3, 4, 5], true);
        expect(await fixture.counters(1)).toMatchObject({ 'view.members': 2, 'view.primary': 0 });
        expect(await fixture.counters(4)).toMatchObject({ 'view.members': 3, 'view.primary': 1 });

        minority[0]!.client.type('c1 refused');
        await minority[0]!.client.lineMatching(
          new RegExp(`^${NO_MAJORITY.replace(/[.;]/g, '\\$&')}$`),
        );
        const during = await round(fixture, majority, majority, 6, 10);
        expectAgreement(majority, [...before, ...during]);

        await fixture.lab.heal();
        for (let index = 1; index <= 5; index++)
          await viewInstalled(fixture, index, [1, 2, 3, 4, 5], true);
        const after = await round(fixture, members, members, 11, 13);
        // The majority saw everything in one order; the minority's servers merged back, so every
        // client agrees on the posts made since the heal, and none received a post twice.
        expectAgreement(majority, [...before, ...during, ...after]);
        expectAgreement(members, after);
        for (const member of minority) {
          expect(
            member.received.filter(
              (line) => !before.includes(line) && !during.includes(line) && !after.includes(line),
            ),
            member.nick,
          ).toEqual([]);
          expect(new Set(member.received).size, member.nick).toBe(member.received.length);
        }
      }
      expect(await labLeftovers(prefix)).toEqual([]);
    },
    LAB_TEST_MS_MAX,
  );

  it(
    'a killed server leaves the view (its client fails over), the rest go on in total order, and it is re-admitted after a restart',
    async () => {
      let prefix = '';
      {
        await using fixture = await LabFixture.start(FIVE_HOSTS);
        prefix = fixture.prefix;
        const members = await joinEveryHost(fixture, 5, 3);
        const before = await round(fixture, members, members, 1, 3);

        await fixture.cluster.kill(3);
        for (const index of [1, 2, 4, 5]) await viewInstalled(fixture, index, [1, 2, 4, 5], true);
        expect(await fixture.counters(1)).toMatchObject({ 'view.members': 4, 'view.primary': 1 });
        // c3's server is gone: it carries on at server 4, the next in its list (or a later one, if
        // server 4 took over a second to answer). A chat keeps no history, so the others post once
        // it is there.
        const c3 = members[2]!.client;
        await c3.lineMatching(
          new RegExp(
            `^\\*\\*\\* Server ${fixture.serverAddress(3).replace(/\./g, '\\.')} stopped answering; now on \\S+ `,
          ),
        );
        const during = await round(fixture, members, members, 4, 6);
        expectAgreement(members, [...before, ...during]);

        await fixture.cluster.restart(3);
        for (let index = 1; index <= 5; index++)
          await viewInstalled(fixture, index, [1, 2, 3, 4, 5], true);
        // A new client of the restarted server takes part like everyone else.
        const c6 = { nick: 'c6', client: fixture.client('c3', 3, 'c6'), received: [] as string[] };
        c6.client.type('/nick c6', '/join 1');
        await c6.client.lineMatching(/^\+OK You are now in chat room #1$/);
        const everyone = [...members, c6];
        const after = await round(fixture, everyone, everyone, 7, 9);
        expectAgreement(members, [...before, ...during, ...after]);
        expectAgreement(everyone, after);
      }
      expect(await labLeftovers(prefix)).toEqual([]);
    },
    LAB_TEST_MS_MAX,
  );
});
