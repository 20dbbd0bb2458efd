/**
 * A partition of 5 servers into 1,2 | 3,4,5 through chatproxy (`cut 1,2|3,4,5` on its control
 * socket), then healed. Server 1, total order's first sequencer, is on the minority side. And the
 * same with a link that fails one way (`cut 2,3,4,5->1`): server 1 hears nobody while the others
 * still hear it; they go on without it as the majority side, and it is a minority of its own. And
 * with one link that fails one way (`cut 1->3`: server 3 does not hear server 1, everyone else
 * hears everyone), or both ways between two servers only (`cut 4|5`): no server takes another for
 * failed, and the heartbeats' lists of servers not heard leave out the higher-numbered of the two.
 *
 * - Unordered and FIFO: each side keeps chatting among itself.
 * - Total: the majority side (a primary view) keeps chatting; the minority answers every post with
 *   `-ERR No majority of servers reachable; try again later` and delivers no post.
 * - After the heal, all five merge into one view and every post reaches everyone.
 *
 * What a post made on one side during the partition becomes after the merge: with Extended Virtual
 * Synchrony (the servers' design) it stays on its side: it is never delivered on the other side,
 * and the check counts it as unexpected if it is. The view changes each server logged are printed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { OrderingMode } from '@chat/ordering';
import type { ChatMember, Post } from './fixtures/chat-load.js';
import { checkDeliveries, describeVerdict } from './fixtures/delivery-verdict.js';
import { ViewLog, type LoggedView } from './fixtures/log-lines.js';
import {
  ALL_SERVERS,
  CONDITION_WAIT_MS_MAX,
  errorsOf,
  everyoneHas,
  expectFlawless,
  inRoom,
  MembershipRun,
  now,
  ROOM_COUNT,
  SCENARIO_MS_MAX,
} from './fixtures/membership-run.js';

/** How the proxy splits the servers, and the servers on the minority side. */
interface Split {
  readonly name: string;
  readonly cut: string;
  readonly minority: number[];
}
const SPLITS: Split[] = [
  { name: 'a 2 | 3 partition', cut: '1,2|3,4,5', minority: [1, 2] },
  { name: 'server 1 hearing nobody (a one-way cut)', cut: '2,3,4,5->1', minority: [1] },
  { name: 'server 3 not hearing server 1 (one link, one way)', cut: '1->3', minority: [3] },
  { name: 'servers 4 and 5 not hearing each other', cut: '4|5', minority: [5] },
];
const NO_MAJORITY = '-ERR No majority of servers reachable; try again later';
/** Every server logs with -v (to count its views): a lighter load keeps the logs small. */
const LINES_PER_SECOND = 300;
const PHASE_MS = 1_000;

/** `2 (7: 1,2 minority; 9: 1,2,3,4,5 primary)`: how many views, and which. */
function describeViews(views: readonly LoggedView[]): string {
  const each = views.map(
    (view) => `${view.id}: ${view.members.join(',')} ${view.primary ? 'primary' : 'minority'}`,
  );
  return `${views.length} (${each.join('; ')})`;
}

describe.each<OrderingMode>(['unordered', 'fifo', 'total'])('%s mode', (mode) => {
  it.each(SPLITS)(
    'serves each side of $name as the mode allows, and merges after the heal',
    async ({ cut, minority: minoritySide }) => {
      const majoritySide = ALL_SERVERS.filter((index) => !minoritySide.includes(index));
      await using run = await MembershipRun.start(
        mode,
        { proxy: { delayMsMax: 2, seed: 9 }, serverArgs: ['-v'] },
        LINES_PER_SECOND,
      );
      const { cluster, load } = run;
      const views = cluster.servers.map((server) => new ViewLog(server));
      const everyone = load.members;
      const minority = run.membersOf(minoritySide);
      const sideOf = (member: ChatMember): number[] =>
        minority.includes(member) ? minoritySide : majoritySide;
      const deadline = (): number => now() + CONDITION_WAIT_MS_MAX;

      /** Posts for PHASE_MS, then waits until each member has what `must` says. */
      const phase = async (
        must: (member: ChatMember, post: Post) => boolean,
      ): Promise<[number, number]> => {
        const startMs = now();
        load.start();
        await sleep(PHASE_MS);
        load.stop();
        const endMs = now();
        const inPhase = (post: Post): boolean => post.sentAtMs >= startMs && post.sentAtMs <= endMs;
        await load.drain(
          everyoneHas(
            everyone,
            () => load.posts,
            (member, post) => inPhase(post) && must(member, post),
          ),
          deadline(),
        );
        return [startMs, endMs];
      };
      const before = await phase(() => true);

      const viewCounts = views.map((log) => log.views.length);
      const cutAtMs = now();
      await cluster.proxyCommand(`cut ${cut}`);
      const split = await Promise.all(
        ALL_SERVERS.map((index) =>
          views[index - 1]!.installed(
            minoritySide.includes(index) ? minoritySide : majoritySide,
            !minoritySide.includes(index),
            deadline(),
            viewCounts[index - 1],
          ).catch(run.explain(`S${index} never installed its side's view`)),
        ),
      );
      const sameSide = (member: ChatMember, post: Post): boolean =>
        sideOf(member) === sideOf(post.sender);
      const deliveredDuring = (member: ChatMember, post: Post): boolean =>
        sameSide(member, post) && (mode !== 'total' || !minority.includes(member));
      const during = await phase(deliveredDuring);

      const healCounts = views.map((log) => log.views.length);
      const healedAtMs = now();
      await cluster.proxyCommand('heal');
      const merged = await Promise.all(
        ALL_SERVERS.map((index) =>
          views[index - 1]!.installed(ALL_SERVERS, true, deadline(), healCounts[index - 1]).catch(
            run.explain(`S${index} never installed the merged view`),
          ),
        ),
      );
      await run.viewOfAll(ALL_SERVERS).catch(run.explain('the five servers never agree on a view'));
      const after = await phase(() => true);

      const within = ([startMs, endMs]: [number, number], post: Post): boolean =>
        post.sentAtMs >= startMs && post.sentAtMs <= endMs;
      const must = (member: ChatMember, post: Post): boolean =>
        within(before, post) ||
        within(after, post) ||
        (within(during, post) && deliveredDuring(member, post));
      const verdict = checkDeliveries<Post>({
        mode,
        posts: load.posts,
        expectations: everyone.map((member) => ({
          member,
          must: (post) => must(member, post),
          may: (post) => must(member, post),
        })),
        orderGroups: Array.from({ length: ROOM_COUNT }, (_, i) => inRoom(everyone, i + 1)),
      });
      // In total mode each post made on the minority side is refused, once; nothing else is.
      const expectedErrors = everyone.flatMap((member) =>
        mode === 'total' && minority.includes(member)
          ? member.posts
              .filter((post) => within(during, post))
              .map(() => `${member.label}: ${NO_MAJORITY}`)
          : [],
      );
      const errors = errorsOf(everyone);

      const splitMs = Math.max(...split.map((view) => view.atMs)) - cutAtMs;
      const mergeMs = Math.max(...merged.map((view) => view.atMs)) - healedAtMs;
      console.log(
        `${mode}: cut ${cut}: sides in their views after ${Math.round(splitMs)} ms; ` +
          `merged ${Math.round(mergeMs)} ms after the heal; views installed from the cut on: ` +
          `${views.map((log, i) => `S${i + 1} ${describeViews(log.views.slice(viewCounts[i]))}`).join(', ')}; ` +
          `${load.posts.length} posts: ${describeVerdict(verdict)}`,
      );
      expect(errors.sort()).toEqual(expectedErrors.sort());
      expectFlawless(verdict);
    },
    SCENARIO_MS_MAX,
  );
});
