/**
 * A server paused (SIGSTOP) for 5 s, well past the suspicion timeout (1 s by default), under about
 * 1,000 posts/s in 3 rooms, then resumed: the others go on without it; it notices that it was
 * excluded and rejoins (its `View N installed: servers 1,2,3,4,5 (primary)` line); its clients
 * never see a post twice or out of order, and their posts after the rejoin reach everyone.
 *
 * While their server is stopped, its clients stop posting: the kernel would otherwise queue 5 s of
 * their posts in the stopped server's socket buffer and drop what does not fit, a loss no server can
 * see (the posts made before the pause are checked: every survivor delivers each or none does).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { OrderingMode } from '@chat/ordering';
import type { ChatMember, Post } from './fixtures/chat-load.js';
import { checkDeliveries, describeVerdict } from './fixtures/delivery-verdict.js';
import { ViewLog } from './fixtures/log-lines.js';
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

const PAUSED = 3;
const PAUSE_MS = 5_000;
const LOAD_MS = 1_500;

describe.each<OrderingMode>(['unordered', 'fifo', 'total'])('%s mode', (mode) => {
  it(
    `server ${PAUSED} paused for ${PAUSE_MS / 1000} s is excluded, then rejoins, never delivering out of order`,
    async () => {
      await using run = await MembershipRun.start(mode, {
        serverArgsFor: (index) => (index === PAUSED ? ['-v'] : []),
      });
      const { cluster, load } = run;
      const views = new ViewLog(cluster.servers[PAUSED - 1]!);
      const others = ALL_SERVERS.filter((index) => index !== PAUSED);
      const survivors = run.membersOf(others);
      const pausedMembers = run.membersOf([PAUSED]);
      const paused = cluster.servers[PAUSED - 1]!.child;

      const startedAtMs = now();
      load.start();
      await sleep(LOAD_MS);
      paused.kill('SIGSTOP');
      const pausedAtMs = now();
      for (const member of pausedMembers) member.posting = false;
      try {
        await run.viewOfAll(others).catch(run.explain(`the others never excluded S${PAUSED}`));
        await sleep(Math.max(0, pausedAtMs + PAUSE_MS - now()));
      } finally {
        paused.kill('SIGCONT');
      }
      const resumedAtMs = now();
      const viewsBefore = views.views.length;
      const rejoined = await views
        .installed(ALL_SERVERS, true, now() + CONDITION_WAIT_MS_MAX, viewsBefore)
        .catch(run.explain(`S${PAUSED} resumed but never logged the view of servers 1-5`));
      await run.viewOfAll(ALL_SERVERS).catch(run.explain('the five servers never agree on a view'));
      const rejoinedAtMs = now();
      for (const member of pausedMembers) member.posting = true;
      await sleep(LOAD_MS);
      load.stop();
      const timeline =
        `load from ${Math.round(startedAtMs)}, SIGSTOP at ${Math.round(pausedAtMs)}, SIGCONT at ` +
        `${Math.round(resumedAtMs)}, S${PAUSED} in the view of all five at ${Math.round(rejoined.atMs)}, ` +
        `all five agree at ${Math.round(rejoinedAtMs)}, load stopped at ${Math.round(now())}`;

      const fromPaused = (post: Post): boolean => pausedMembers.includes(post.sender);
      // Everything posted once all five were in one view reaches everyone; the survivors' posts
      // reach every survivor whatever happened.
      const must = (member: ChatMember, post: Post): boolean =>
        post.sentAtMs > rejoinedAtMs || (survivors.includes(member) && !fromPaused(post));
      const everyone = [...survivors, ...pausedMembers];
      await load.drain(
        everyoneHas(everyone, () => load.posts, must),
        now() + CONDITION_WAIT_MS_MAX,
      );
      const verdict = checkDeliveries<Post>({
        mode,
        posts: load.posts,
        expectations: everyone.map((member) => ({
          member,
          must: (post) => must(member, post),
          may: () => true,
        })),
        // A post the paused server sent before the pause reached every survivor or none.
        agreement: [
          { members: survivors, posts: (post) => fromPaused(post) && post.sentAtMs < pausedAtMs },
        ],
        orderGroups: Array.from({ length: ROOM_COUNT }, (_, i) => inRoom(everyone, i + 1)),
      });
      const errors = errorsOf(everyone);

      console.log(
        `${mode}: S${PAUSED} paused ${Math.round(resumedAtMs - pausedAtMs)} ms; back in the view of ` +
          `all five ${Math.round(rejoined.atMs - resumedAtMs)} ms after resuming; views it logged: ` +
          `${views.views.map((view) => `${view.id}:${view.members.join(',')}`).join(' ')}; ` +
          `${load.posts.length} posts: ${describeVerdict(verdict)}`,
      );
      expect(errors, 'no client is refused').toEqual([]);
      expectFlawless(verdict, timeline);
    },
    SCENARIO_MS_MAX,
  );
});
