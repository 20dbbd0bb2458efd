/**
 * Every row of the SPEC's client-protocol table, against a real server. "No reply" is checked without
 * waiting: the client sends a second command and the next datagram must be that command's reply.
 */
import { describe, expect, it } from 'vitest';
import { TestCluster } from './fixtures/cluster.js';

const NOT_IN_ROOM = '-ERR You are not in any chat room';

describe('client protocol', () => {
  it('/join N joins room N', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    expect(await alice.request('/join 3')).toBe('+OK You are now in chat room #3');
  });

  it('/join while in a room names the current room', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    await alice.request('/join 3');
    expect(await alice.request('/join 4')).toBe('-ERR You are already in room #3');
    expect(await alice.request('/join 3')).toBe('-ERR You are already in room #3');
  });

  it('/join with a missing, non-numeric or out-of-range room names the valid range', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    for (const command of [
      '/join',
      '/join ',
      '/join abc',
      '/join 0',
      '/join 11',
      '/join -1',
      '/join 2x',
    ]) {
      const reply = await alice.request(command);
      expect(reply, command).toMatch(/^-ERR /);
      expect(reply, command).toMatch(/\b1\b.*\b10\b/);
    }
    // Rejections leave the client in no room.
    expect(await alice.request('/part')).toBe(NOT_IN_ROOM);
  });

  it('--rooms sets the number of rooms', async () => {
    await using cluster = await TestCluster.start({ servers: 1, serverArgs: ['--rooms', '3'] });
    await using alice = await cluster.client(1);
    expect(await alice.request('/join 4')).toMatch(/^-ERR .*\b1\b.*\b3\b/);
    expect(await alice.request('/join 3')).toBe('+OK You are now in chat room #3');
  });

  it('/part leaves the room; /part in no room is an error', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    expect(await alice.request('/part')).toBe(NOT_IN_ROOM);
    await alice.request('/join 7');
    expect(await alice.request('/part')).toBe('+OK You have left chat room #7');
    expect(await alice.request('/part')).toBe(NOT_IN_ROOM);
    expect(await alice.request('/join 8')).toBe('+OK You are now in chat room #8');
  });

  it('/nick sets the nickname, before or after joining; the latest wins', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    expect(await alice.request('/nick Alice')).toBe("+OK Nickname set to 'Alice'");
    await alice.request('/join 1');
    alice.send('before');
    expect(await alice.nextDatagram()).toBe('<Alice> before');
    expect(await alice.request('/nick Bob')).toBe("+OK Nickname set to 'Bob'");
    alice.send('after');
    expect(await alice.nextDatagram()).toBe('<Bob> after');
  });

  it('/nick with an empty or unacceptable name is an error and keeps the old name', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    await alice.request('/nick Alice');
    for (const command of [
      '/nick',
      '/nick ',
      '/nick <evil>',
      `/nick ${'x'.repeat(33)}`,
      '/nick a\u0007b',
    ]) {
      expect(await alice.request(command), command).toMatch(/^-ERR \S/);
    }
    await alice.request('/join 1');
    alice.send('still me');
    expect(await alice.nextDatagram()).toBe('<Alice> still me');
  });

  it('/quit gets no reply and the server forgets the client', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    await alice.request('/nick Alice');
    await alice.request('/join 2');
    alice.send('/quit');
    // No reply to /quit: the next datagram answers the next command, and the room is gone.
    expect(await alice.request('/part')).toBe(NOT_IN_ROOM);
    // So is the nickname: the default `IP:port` is back.
    await alice.request('/join 2');
    alice.send('hello again');
    expect(await alice.nextDatagram()).toBe(`<${alice.defaultNickname}> hello again`);
  });

  it('/quit from an unknown client gets no reply', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    alice.send('/quit');
    expect(await alice.request('/part')).toBe(NOT_IN_ROOM);
  });

  it('any other /command is an unknown command, named in the reply', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    expect(await alice.request('/frobnicate now')).toBe('-ERR Unknown command /frobnicate');
    expect(await alice.request('/JOIN 1')).toBe('-ERR Unknown command /JOIN');
    expect(await alice.request('/')).toBe('-ERR Unknown command /');
  });

  it('a line in a room is posted with no reply; in no room it is an error', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    expect(await alice.request('hello?')).toBe(NOT_IN_ROOM);
    await alice.request('/join 5');
    alice.send('Hello');
    // The only datagram is the delivery itself (a reply would come first).
    expect(await alice.nextDatagram()).toBe(`<${alice.defaultNickname}> Hello`);
    expect(await alice.request('/part')).toBe('+OK You have left chat room #5');
  });

  it('a trailing CR/LF is ignored', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    expect(await alice.request('/nick Al\r\n')).toBe("+OK Nickname set to 'Al'");
    expect(await alice.request('/join 4\n')).toBe('+OK You are now in chat room #4');
    alice.send('line\r\n');
    expect(await alice.nextDatagram()).toBe('<Al> line');
  });

  it('control characters in posts are escaped', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    await alice.request('/join 1');
    alice.send('bell\u0007 and esc\u001b[2J');
    expect(await alice.nextDatagram()).toBe(`<${alice.defaultNickname}> bell\\x07 and esc\\x1b[2J`);
  });

  it('each command gets exactly one reply datagram', async () => {
    await using cluster = await TestCluster.start({ servers: 1 });
    await using alice = await cluster.client(1);
    const commands = [
      '/nick A',
      '/join 1',
      '/join 2',
      '/part',
      '/part',
      '/join x',
      '/what',
      'text',
    ];
    for (const command of commands) alice.send(command);
    alice.send('/nick end');
    expect(await alice.collect(commands.length + 1)).toEqual([
      "+OK Nickname set to 'A'",
      '+OK You are now in chat room #1',
      '-ERR You are already in room #1',
      '+OK You have left chat room #1',
      NOT_IN_ROOM,
      '-ERR Room must be a number from 1 to 10',
      '-ERR Unknown command /what',
      NOT_IN_ROOM,
      "+OK Nickname set to 'end'",
    ]);
  });

  it('refuses new clients past --clients-max with a clear error, and admits them once one quits', async () => {
    await using cluster = await TestCluster.start({
      servers: 1,
      serverArgs: ['--clients-max', '2'],
    });
    await using first = await cluster.client(1);
    await using second = await cluster.client(1);
    await using third = await cluster.client(1);
    await first.request('/join 1');
    await second.request('/nick two');
    expect(await third.request('/join 1')).toMatch(/^-ERR Server is full/);
    // Commands that need no state still work for a client the server could not admit.
    expect(await third.request('/part')).toBe(NOT_IN_ROOM);
    first.send('/quit');
    expect(await first.request('/part')).toBe(NOT_IN_ROOM); // the /quit has been handled
    expect(await third.request('/join 1')).toBe('+OK You are now in chat room #1');
  });
});
