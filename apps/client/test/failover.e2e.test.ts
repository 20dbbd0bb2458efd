/**
 * chatclient rides through a server failure: real chatservers on loopback, one killed (`kill -9`)
 * or frozen (SIGSTOP) under a client, which must notice within seconds while its user types
 * nothing, carry on at another server with its nickname and room, and deliver what was typed
 * meanwhile.
 */
import { fileURLToPath } from 'node:url';
import { formatSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { DatagramInbox, SpawnedProgram } from '@chat/test-support/processes';
import { LoopbackServers } from './loopback-servers.js';

const CLIENT = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Reads the client's stdout until a line matches; returns every line read, that one last. */
async function linesUntil(client: SpawnedProgram, pattern: RegExp): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await client.nextLine();
    if (line === undefined) throw new Error(`stdout ended before ${pattern}: ${lines.join('\n')}`);
    lines.push(line);
    if (pattern.test(line)) return lines;
  }
}

/** A plain UDP client that joins `room` as `nick` and waits for posts. */
async function observer(server: SocketAddress, nick: string, room: number) {
  const inbox = await DatagramInbox.open();
  inbox.send(`/nick ${nick}`, server);
  expect((await inbox.next()).text).toBe(`+OK Nickname set to '${nick}'`);
  inbox.send(`/join ${room}`, server);
  expect((await inbox.next()).text).toBe(`+OK You are now in chat room #${room}`);
  return Object.assign(inbox, {
    /** The next `count` posts (lines starting with `<`), skipping anything else. */
    async posts(count: number): Promise<string[]> {
      const posts: string[] = [];
      while (posts.length < count) {
        const { text } = await inbox.next();
        if (text.startsWith('<')) posts.push(text);
      }
      return posts;
    },
  });
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('chatclient failover (built client, real servers)', () => {
  it('moves to the next server of the config file after kill -9 and sends what its server missed', async () => {
    await using servers = await LoopbackServers.start(3, ['-o', 'fifo']);
    const [s1, s2, s3] = servers.addresses.map(formatSocketAddress);
    await using bob = await observer(servers.addresses[1]!, 'bob', 3);
    await using client = new SpawnedProgram(CLIENT, ['--linger-ms=60000', servers.configPath]);
    client.stdin.write('/nick alice\n/join 3\nbefore\n');
    expect(await bob.posts(1)).toEqual(['<alice> before']);
    const seenBefore = await linesUntil(client, /^<alice> before$/);

    await servers.kill(1);
    client.stdin.write('lost 1\nlost 2\n');

    // S2 is probed first; S3 only if S2 took over a second to answer (a busy machine).
    const noticeOn = (next: string): string =>
      `*** Server ${s1} stopped answering; now on ${next} (nickname alice, room #3); sent 2 lines it may have missed or typed meanwhile`;
    const seenSwitching = await linesUntil(
      client,
      new RegExp(`^(${escapeRegExp(noticeOn(s2!))}|${escapeRegExp(noticeOn(s3!))})$`),
    );
    const notice = seenSwitching.at(-1);
    expect(await bob.posts(2)).toEqual(['<alice> lost 1', '<alice> lost 2']);
    client.stdin.write('after\n');
    expect(await bob.posts(1)).toEqual(['<alice> after']);
    const seenAfter = await linesUntil(client, /^<alice> after$/);

    // What the user saw: no keepalive replies, no second +OK for the restored nickname and room.
    expect([...seenBefore, ...seenSwitching, ...seenAfter]).toEqual([
      "+OK Nickname set to 'alice'",
      '+OK You are now in chat room #3',
      '<alice> before',
      notice,
      '<alice> lost 1',
      '<alice> lost 2',
      '<alice> after',
    ]);
    client.stdin.end();
    client.kill('SIGINT');
    expect((await client.exited).status).toBe(0);
  });

  it('with one server, says it stopped answering, keeps trying, and says when it answers again', async () => {
    await using servers = await LoopbackServers.start(1, ['-o', 'fifo']);
    const [s1] = servers.addresses.map(formatSocketAddress);
    await using bob = await observer(servers.addresses[0]!, 'bob', 1);
    await using client = new SpawnedProgram(CLIENT, ['--linger-ms=60000', s1!]);
    client.stdin.write('/nick alice\n/join 1\n');
    await linesUntil(client, /^\+OK You are now in chat room #1$/);

    servers.processes[0]!.kill('SIGSTOP');
    const stopped = `*** Server ${s1} stopped answering; trying again every second (what you type is sent when it answers)`;
    expect(await linesUntil(client, /^\*\*\* /)).toEqual([stopped]);
    client.stdin.write('typed while it was away\n');
    servers.processes[0]!.kill('SIGCONT');

    const again = `*** Server ${s1} answers again (nickname alice, room #1); sent 1 line it may have missed or typed meanwhile`;
    expect(await linesUntil(client, /^<alice> typed while it was away$/)).toEqual([
      again,
      '<alice> typed while it was away',
    ]);
    expect(await bob.posts(1)).toEqual(['<alice> typed while it was away']);
    client.kill('SIGINT');
    expect((await client.exited).status).toBe(0);
  });

  it('exits 2 naming a config file it cannot read', async () => {
    await using client = new SpawnedProgram(CLIENT, ['/nonexistent/cluster.conf']);
    const exit = await client.exited;
    expect(exit.status).toBe(2);
    expect(exit.stderr).toBe(
      "chatclient: cannot read config file '/nonexistent/cluster.conf': no such file\n" +
        'usage: chatclient [--linger-ms MS] [--silence-ms MS] <IP:port | config-file>...\n',
    );
  });
});
