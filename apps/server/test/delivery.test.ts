/**
 * A posted line reaches every client in its room on every server, the sender included, and no one
 * else. "No one else" is checked without waiting: once every member has the line, each outsider's
 * next datagram must be the reply to a command sent afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TestCluster } from './fixtures/cluster.js';
import { TempDirectory } from './fixtures/temp-directory.js';
import type { TestClient } from './fixtures/test-client.js';

/** The next datagram of each outsider is the reply to a fresh command: nothing else came first. */
async function expectNothingReceived(outsiders: readonly TestClient[]): Promise<void> {
  for (const outsider of outsiders) {
    expect(await outsider.request('/nick quiet')).toBe("+OK Nickname set to 'quiet'");
  }
}

describe('delivery', () => {
  it('reaches every client in the room on every server, as <IP:PORT> TEXT by default', async () => {
    await using cluster = await TestCluster.start({ servers: 3 });
    await using a = await cluster.client(1);
    await using b = await cluster.client(2);
    await using c = await cluster.client(3);
    await using otherRoomOnS1 = await cluster.client(1);
    await using otherRoomOnS3 = await cluster.client(3);
    await using noRoomOnS2 = await cluster.client(2);
    for (const member of [a, b, c]) await member.request('/join 1');
    await otherRoomOnS1.request('/join 2');
    await otherRoomOnS3.request('/join 2');

    a.send('Hello');
    const line = `<${a.defaultNickname}> Hello`;
    for (const member of [a, b, c]) expect(await member.nextDatagram()).toBe(line);
    await expectNothingReceived([otherRoomOnS1, otherRoomOnS3, noRoomOnS2]);

    await b.request('/nick Bob');
    b.send('Hi all');
    for (const member of [a, b, c]) expect(await member.nextDatagram()).toBe('<Bob> Hi all');
    await expectNothingReceived([otherRoomOnS1, otherRoomOnS3, noRoomOnS2]);
  });

  it('stops reaching a client once it parts or quits', async () => {
    await using cluster = await TestCluster.start({ servers: 2 });
    await using speaker = await cluster.client(1);
    await using parted = await cluster.client(2);
    await using quitter = await cluster.client(2);
    for (const member of [speaker, parted, quitter]) await member.request('/join 4');
    await parted.request('/part');
    quitter.send('/quit');
    await quitter.request('/part'); // the /quit has been handled

    speaker.send('anyone?');
    expect(await speaker.nextDatagram()).toBe(`<${speaker.defaultNickname}> anyone?`);
    await expectNothingReceived([parted, quitter]);
  });

  it('works with 10 servers: every line reaches all ten, in the same order (total)', async () => {
    await using cluster = await TestCluster.start({ servers: 10, mode: 'total' });
    const members: TestClient[] = [];
    try {
      for (let index = 1; index <= 10; index++) {
        const member = await cluster.client(index);
        members.push(member);
        await member.request(`/nick s${index}`);
        await member.request('/join 10');
      }
      for (const [position, member] of members.entries()) member.send(`line from s${position + 1}`);
      const expected = members.map(
        (_, position) => `<s${position + 1}> line from s${position + 1}`,
      );
      const received = await Promise.all(members.map((member) => member.collect(10)));
      for (const lines of received) {
        expect([...lines].sort()).toEqual([...expected].sort());
        expect(lines).toEqual(received[0]);
      }
    } finally {
      await Promise.all(members.map((member) => member.close()));
    }
  });
});

describe('datagram size', () => {
  it('an 800-byte line from a 32-character nickname crosses the course proxy intact, with a key', async () => {
    await using keys = await TempDirectory.create('chat-keys-');
    const keyFile = await keys.write('cluster.key', randomBytes(32));
    await using cluster = await TestCluster.start({
      servers: 3,
      mode: 'total',
      proxy: { delayMsMax: 5, seed: 5 },
      serverArgs: ['--key-file', keyFile],
    });
    await using speaker = await cluster.client(1);
    await using listener = await cluster.client(3);
    // 32 four-byte characters: the longest nickname in bytes.
    const nickname = '\u{1F600}'.repeat(32);
    await speaker.request(`/nick ${nickname}`);
    for (const member of [speaker, listener]) await member.request('/join 2');
    const text = 'x'.repeat(800);
    speaker.send(text);
    for (const member of [speaker, listener]) {
      expect(await member.nextDatagram()).toBe(`<${nickname}> ${text}`);
    }
    // Had the proxy cut a datagram, its receiver would have dropped it as malformed.
    expect((await cluster.stats()).join('\n')).not.toMatch(/peers\.dropped\./);
  });

  it('a line that could not be relayed in 999 bytes is refused, saying how much fits', async () => {
    await using cluster = await TestCluster.start({ servers: 2 });
    await using speaker = await cluster.client(1);
    const nickname = '\u{1F600}'.repeat(32);
    await speaker.request(`/nick ${nickname}`);
    await speaker.request('/join 1');
    const reply = await speaker.request('x'.repeat(1000));
    const fits = Number(
      /^-ERR Message too long to relay \(at most (\d+) bytes with your nickname\)$/.exec(
        reply,
      )?.[1],
    );
    expect(fits).toBeGreaterThanOrEqual(800);
    // Exactly what it says fits is relayed.
    speaker.send('y'.repeat(fits));
    expect(await speaker.nextDatagram()).toBe(`<${nickname}> ${'y'.repeat(fits)}`);
  });
});
