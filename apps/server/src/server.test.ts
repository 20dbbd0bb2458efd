/**
 * ChatServer's limits, driven through its whole datagram handler on an in-memory network, with a
 * clock the test sets: rate limits, idle clients, reply sizes, replays and restarted peers, views.
 */

import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { REPLY_BYTES_MAX, encodeFrame, type PeerFrame } from '@chat/protocol';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import { HELD_POSTS_MAX } from './server.js';
import { InMemoryCluster, inMemoryServerAddress } from './testing/in-memory-cluster.js';

const NOT_IN_ROOM = '-ERR You are not in any chat room';
const S1 = inMemoryServerAddress(1);
const S2 = inMemoryServerAddress(2);
const at = (port: number) => ({ host: '192.0.2.1', port });
const isControlCharacter = (character: string): boolean => /\p{Cc}/u.test(character);

/** Once the servers are in one view: a client of each, in room 1. */
async function aClientOfEachInRoomOne(
  cluster: InMemoryCluster,
): Promise<ReturnType<InMemoryCluster['client']>[]> {
  await cluster.runUntil(() => cluster.inOneView(), 'the servers are in one view');
  const members = [1, 2, 3].map((index) => {
    const member = cluster.client(at(index));
    member.send('/join 1', inMemoryServerAddress(index));
    return member;
  });
  await cluster.settle();
  return members;
}

/** S1's inbound link fails (its clients still reach it): S2 and S3 still hear S1, it hears neither. */
const s1HearsNobody: NonNullable<InMemoryCluster['network']['lose']> = ({ from, to }) =>
  to.host === S1.host && from.host !== at(1).host;

describe('ChatServer rate limit', () => {
  it('drops what a client sends past its burst, and says so at most once a second', async () => {
    let nowMs = 0;
    await using cluster = new InMemoryCluster({
      servers: 1,
      mode: 'unordered',
      clientRateMax: 10,
      clock: () => nowMs,
    });
    const flooder = cluster.client(at(1));
    const bystander = cluster.client(at(2));
    flooder.send('/nick flooder', S1);
    // Burst: 2 s of the rate, 20 datagrams; the other 10 are dropped, with one reply among them.
    for (let i = 0; i < 30; i++) flooder.send('/part', S1);
    bystander.send('/part', S1);
    await cluster.settle();
    expect(flooder.received).toEqual([
      "+OK Nickname set to 'flooder'",
      ...Array<string>(20).fill(NOT_IN_ROOM),
      '-ERR Slow down (at most 10 datagrams per second)',
    ]);
    expect(bystander.received).toEqual([NOT_IN_ROOM]); // the limit is per client

    nowMs = 999; // 9.99 tokens: 9 datagrams pass; still within the second of the last warning
    flooder.received.length = 0;
    for (let i = 0; i < 15; i++) flooder.send('/part', S1);
    await cluster.settle();
    expect(flooder.received).toEqual(Array<string>(9).fill(NOT_IN_ROOM));

    nowMs = 1999; // a second after the warning, and 10 tokens more
    flooder.received.length = 0;
    for (let i = 0; i < 15; i++) flooder.send('/part', S1);
    await cluster.settle();
    expect(flooder.received).toEqual([
      ...Array<string>(10).fill(NOT_IN_ROOM),
      '-ERR Slow down (at most 10 datagrams per second)',
    ]);
    expect(cluster.servers[0]!.stats()).toMatchObject({
      'server.clientDatagramsOverRate': 10 + 6 + 5,
      'server.slowDownReplies': 2,
    });
  });
});

describe('ChatServer idle clients', () => {
  it('forgets a client silent for clientIdleMsMax: no more deliveries, nickname gone', async () => {
    let nowMs = 0;
    await using cluster = new InMemoryCluster({
      servers: 1,
      mode: 'unordered',
      clientIdleMsMax: 200,
      clock: () => nowMs,
    });
    const quiet = cluster.client(at(1));
    const chatty = cluster.client(at(2));
    for (const [client, nick] of [
      [quiet, 'quiet'],
      [chatty, 'chatty'],
    ] as const) {
      client.send(`/nick ${nick}`, S1);
      client.send('/join 1', S1);
    }
    await cluster.settle();
    nowMs = 150;
    chatty.send('/nick chatty', S1);
    await cluster.settle();
    nowMs = 250; // quiet: 250 ms silent; chatty: 100 ms
    // Waiting for a sweep, which runs every 50 ms: when the quiet one is gone, one has run.
    await cluster.runUntil(
      () => cluster.servers[0]!.stats()['server.clientsForgottenIdle'] === 1,
      'the quiet client is forgotten',
    );
    quiet.received.length = 0;
    chatty.received.length = 0;
    chatty.send('still here', S1);
    quiet.send('/part', S1);
    await cluster.settle();
    expect(chatty.received).toEqual(['<chatty> still here']);
    expect(quiet.received).toEqual([NOT_IN_ROOM]);
    quiet.send('/join 1', S1);
    quiet.send('back', S1);
    await cluster.settle();
    expect(quiet.received.at(-1)).toBe('<192.0.2.1:1> back');
    expect(cluster.logText).toContain(
      'Client 192.0.2.1:1 forgotten after 200 ms without a datagram',
    );
  });
});

describe('ChatServer replies to hostile clients', () => {
  it(`answers each datagram from a stranger with one reply of at most ${REPLY_BYTES_MAX} bytes`, async () => {
    await using cluster = new InMemoryCluster({ servers: 1, mode: 'unordered' });
    const encode = (text: string) => new TextEncoder().encode(text);
    const datagrams = [
      new Uint8Array(0),
      new Uint8Array(65_507).fill(0x2f),
      Uint8Array.from({ length: 65_507 }, (_, i) => (i * 151) & 0xff),
      Uint8Array.of(0x00, 0x2f, 0x00, 0xff),
      encode(`/nick ${'n'.repeat(10_000)}`),
      encode(`/nick ${'😀'.repeat(32)}`),
      encode('/nick \x1b[31mred'),
      ...['', '-1', '0', '11', '99999999999999999999999', 'abc', '1e1'].map((room) =>
        encode(`/join ${room}`),
      ),
      encode(`/${'\x1b'.repeat(5000)}`),
      encode('x'.repeat(1001)),
      encodeFrame({
        from: 1,
        messages: [{ kind: 'status', view: 1, received: [5], delivered: [5], stable: 0, safe: 0 }],
      }),
    ];
    for (const [index, datagram] of datagrams.entries()) {
      const stranger = cluster.client(at(10_000 + index));
      stranger.send(datagram, S1);
      await cluster.settle();
      expect(stranger.received, `datagram ${index}`).toHaveLength(1);
      const reply = stranger.received[0]!;
      expect(Buffer.byteLength(reply), reply).toBeLessThanOrEqual(REPLY_BYTES_MAX);
      expect(reply).toMatch(/^(\+OK|-ERR) /);
      expect([...reply].some((character) => isControlCharacter(character))).toBe(false);
    }
    expect(cluster.servers[0]!.stats()['server.internalErrors']).toBe(0);
  });

  it('answers every source, its clients among many strangers, past the channels it keeps', async () => {
    // Channels are kept for twice clientsMax sources, then forgotten all at once.
    await using cluster = new InMemoryCluster({ servers: 1, mode: 'unordered', clientsMax: 2 });
    const [alice, bob] = [cluster.client(at(1)), cluster.client(at(2))];
    for (const member of [alice, bob]) member.send('/join 1', S1);
    await cluster.settle();
    for (let round = 0; round < 3; round++) {
      const strangers = Array.from({ length: 5 }, (_, i) =>
        cluster.client(at(1000 + 10 * round + i)),
      );
      for (const stranger of strangers) stranger.send('hello?', S1);
      alice.send(`round ${round}`, S1);
      await cluster.settle();
      for (const stranger of strangers) expect(stranger.received).toEqual([NOT_IN_ROOM]);
      expect(bob.received.at(-1)).toBe(`<192.0.2.1:1> round ${round}`);
    }
    expect(alice.received.filter((line) => line.startsWith('<'))).toHaveLength(3);
  });

  it('escapes control characters in posts before any other client sees them', async () => {
    await using cluster = new InMemoryCluster({ servers: 2, mode: 'fifo' });
    const mallory = cluster.client(at(1));
    const alice = cluster.client(at(2));
    mallory.send('/join 1', S1);
    alice.send('/join 1', S2);
    await cluster.settle();
    mallory.send('\x1b]0;pwned\x07\x1b[2J\u009b31m', S1);
    await cluster.runUntil(() => alice.received.length === 2, 'alice gets the post');
    expect(alice.received[1]).toBe('<192.0.2.1:1> \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m');
  });
});

describe('ChatServer with a cluster key', () => {
  const key = hmacSha256Authenticator(new Uint8Array(32).fill(3));
  const EPOCH_BASE = 5_000;
  const S2_EPOCH = EPOCH_BASE + 2;
  const status = (epoch: number): PeerFrame => ({
    from: 2,
    epoch,
    messages: [
      { kind: 'status', view: 1, received: [0, 0], delivered: [0, 0], stable: 0, safe: 0 },
    ],
  });

  it('drops frames from an earlier run, and takes a restarted peer, reported once', async () => {
    await using cluster = new InMemoryCluster({
      servers: 2,
      mode: 'unordered',
      authenticator: key,
      epochBase: EPOCH_BASE,
    });
    const alice = cluster.client(at(1));
    const bob = cluster.client(at(2));
    alice.send('/join 1', S1);
    bob.send('/join 1', S2);
    await cluster.settle();
    bob.send('hello', S2); // S1 pins S2's epoch at this post
    await cluster.runUntil(() => alice.received.length === 2, 'alice gets the post');

    const inject = (epoch: number): void =>
      cluster.network.inject(Buffer.from(encodeFrame(status(epoch), key)), S2, S1);
    inject(S2_EPOCH - 1);
    // S2 restarted: its new run is taken (the engine merges it back), its old run is the replay.
    inject(S2_EPOCH + 1);
    inject(S2_EPOCH + 1);
    inject(S2_EPOCH);
    expect(cluster.servers[0]!.stats()).toMatchObject({
      'peers.dropped.replayed': 2,
      'peers.restarts': 1,
      'server.internalErrors': 0,
    });
    await cluster.settle(); // the log is written once per turn
    expect(cluster.logText.match(/S02 has restarted/g)).toHaveLength(1);
  });
});

describe('ChatServer membership', () => {
  it('logs each installed view in one line, and shows it in view() and the Stats', async () => {
    await using cluster = new InMemoryCluster({ servers: 3, mode: 'unordered' });
    await cluster.runUntil(() => cluster.inOneView(), 'the servers are in one view');
    const view = cluster.servers[0]!.view();
    expect(view).toMatchObject({ members: [1, 2, 3], primary: true });
    await cluster.settle(); // the log is written once per turn
    for (const tag of ['S01', 'S02', 'S03']) {
      expect(cluster.logText).toMatch(
        new RegExp(`^\\S+ ${tag} View ${view.id} installed: servers 1,2,3 \\(primary\\)$`, 'm'),
      );
    }
    // Every view line has exactly this form.
    const viewLines = cluster.logText.split('\n').filter((line) => / View \d+ /.test(line));
    for (const line of viewLines) {
      expect(line).toMatch(
        /^\S+ S0\d View \d+ installed: servers \d+(,\d+)* \((primary|minority)\)$/,
      );
    }
    for (const server of cluster.servers) {
      expect(server.view()).toEqual(view);
      expect(server.stats()).toMatchObject({
        'view.id': view.id,
        'view.members': 3,
        'view.primary': 1,
        'view.unheard': 0,
      });
    }
  });

  it('holds posts made before the first view, and posts them in order once it is installed', async () => {
    await using cluster = new InMemoryCluster({ servers: 2, mode: 'fifo' });
    const alice = cluster.client(at(1));
    const bob = cluster.client(at(2));
    alice.send('/join 1', S1);
    bob.send('/join 1', S2);
    for (const text of ['one', 'two', 'three']) alice.send(text, S1);
    await cluster.settle();
    expect(cluster.servers[0]!.stats()['server.postsHeld']).toBe(3);
    const posts = ['<192.0.2.1:1> one', '<192.0.2.1:1> two', '<192.0.2.1:1> three'];
    await cluster.runUntil(() => bob.received.length === 4, 'bob gets the held posts');
    expect(bob.received).toEqual(['+OK You are now in chat room #1', ...posts]);
    expect(alice.received).toEqual(['+OK You are now in chat room #1', ...posts]);
    expect(cluster.servers[0]!.stats()).toMatchObject({
      'server.heldPostsDepth': 0,
      'server.postsRefused': 0,
    });
  });

  it(`holds at most ${HELD_POSTS_MAX} posts; past that a post gets the busy reply`, async () => {
    await using cluster = new InMemoryCluster({ servers: 2, mode: 'unordered' });
    const alice = cluster.client(at(1));
    alice.send('/join 1', S1);
    for (let index = 0; index < HELD_POSTS_MAX + 5; index++) alice.send(`post ${index}`, S1);
    await cluster.settle();
    // All of them arrive before the first view: the last five find the hold full.
    expect(alice.received.slice(0, 6)).toEqual([
      '+OK You are now in chat room #1',
      ...Array<string>(5).fill('-ERR Server busy, try again later'),
    ]);
    expect(cluster.servers[0]!.stats()).toMatchObject({
      'server.postsHeld': HELD_POSTS_MAX,
      'server.postsRefused': 5,
    });
    await cluster.runUntil(
      () => alice.received.length === 6 + HELD_POSTS_MAX,
      'the held posts are delivered',
    );
    expect(alice.received.slice(6)).toEqual(
      Array.from({ length: HELD_POSTS_MAX }, (_, index) => `<192.0.2.1:1> post ${index}`),
    );
  });

  it('takes a post that comes in the turn its view is installed, behind a full hold', async () => {
    await using cluster = new InMemoryCluster({ servers: 2, mode: 'unordered' });
    const alice = cluster.client(at(1));
    alice.send('/join 1', S1);
    for (let index = 0; index < HELD_POSTS_MAX; index++) alice.send(`held ${index}`, S1);
    const s1 = cluster.servers[0]!;
    // Each turn, one more post queued behind the peers' datagrams in flight, until a datagram of
    // that turn installs the first view: that post then comes after the install, in its turn.
    let postsBeforeTheView = 0;
    let installedByADatagram = false;
    for (let turn = 0; s1.view().id === 0 && turn < 100_000; turn++) {
      await setImmediate();
      if (s1.view().id !== 0) break; // installed by a timer between turns: not this schedule
      alice.send(`extra ${turn}`, S1);
      cluster.network.deliverInFlight();
      if (s1.view().id === 0) postsBeforeTheView += 1;
      else installedByADatagram = true;
    }
    expect(installedByADatagram).toBe(true);
    await cluster.settle();
    // Those before the view found the hold full; the one after the install datagram did not.
    const busy = alice.received.filter((line) => line === '-ERR Server busy, try again later');
    expect(busy).toHaveLength(postsBeforeTheView);
  });

  it('in total order, a server left in a minority view refuses posts with the no-majority reply', async () => {
    await using cluster = new InMemoryCluster({ servers: 3, mode: 'total' });
    await cluster.runUntil(() => cluster.inOneView(), 'the servers are in one view');
    await Promise.all([cluster.servers[1]!.close(), cluster.servers[2]!.close()]);
    await cluster.runUntil(
      () => cluster.servers[0]!.view().members.length === 1,
      'S1 is alone in its view',
    );
    expect(cluster.servers[0]!.view().primary).toBe(false);
    expect(cluster.servers[0]!.stats()['view.primary']).toBe(0);
    const alice = cluster.client(at(1));
    alice.send('/join 1', S1);
    alice.send('hello?', S1);
    await cluster.settle();
    expect(alice.received).toEqual([
      '+OK You are now in chat room #1',
      '-ERR No majority of servers reachable; try again later',
    ]);
    await cluster.settle();
    expect(cluster.logText).toMatch(/ S01 View \d+ installed: servers 1 \(minority\)$/m);
  });

  it("in total order, a server that hears no peer for a moment still delivers its client's last post", async () => {
    await using cluster = new InMemoryCluster({ servers: 3, mode: 'total' });
    const members = await aClientOfEachInRoomOne(cluster);
    // S1's inbound link fails right after its client posts: its peers still hear it (and the
    // post), it hears neither of them, and leaves the view alone.
    cluster.network.lose = s1HearsNobody;
    members[0]!.send('just before', S1);
    await cluster.runUntil(
      () => cluster.servers[0]!.view().members.length === 1,
      'S1 is alone in its view',
    );
    cluster.network.lose = undefined;
    await cluster.runUntil(
      () =>
        cluster.inOneView() &&
        members.every((member) => member.received.includes('<192.0.2.1:1> just before')),
      () =>
        `every client gets the post; received ${JSON.stringify(members.map((m) => m.received))}`,
    );
    expect(cluster.network.lost).toBeGreaterThan(0);
    for (const member of members) {
      expect(member.received).toEqual([
        '+OK You are now in chat room #1',
        '<192.0.2.1:1> just before',
      ]);
    }
  });

  it('in total order, the servers a server stops hearing go on without it while its link is down', async () => {
    await using cluster = new InMemoryCluster({ servers: 3, mode: 'total' });
    const members = await aClientOfEachInRoomOne(cluster);
    // S1's inbound link fails and stays down: S2 and S3 still hear S1, and S1 leaves alone.
    cluster.network.lose = s1HearsNobody;
    await cluster.runUntil(
      () => [2, 3].every((index) => cluster.servers[index - 1]!.view().members.join() === '2,3'),
      'S2 and S3 are in a view of their own',
    );
    members[1]!.send('while S1 hears nobody', S2);
    const line = '<192.0.2.1:2> while S1 hears nobody';
    await cluster.runUntil(
      () => members[2]!.received.includes(line),
      () => `S3's client gets the line; received ${JSON.stringify(members.map((m) => m.received))}`,
    );
    expect(members[1]!.received).toContain(line);
    expect(members[0]!.received).not.toContain(line);
    cluster.network.lose = undefined;
    await cluster.runUntil(() => cluster.inOneView(), 'the servers merge again');
  });
});
