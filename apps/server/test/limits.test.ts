/**
 * Resource limits of a real server: idle clients are forgotten (`--client-idle-ms`), and a client
 * over its rate (`--client-rate-max`) is refused and told to slow down. "No delivery" is checked
 * without waiting: the client's next datagram must be the reply to a command sent afterwards.
 */
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TestCluster } from './fixtures/cluster.js';

const NOT_IN_ROOM = '-ERR You are not in any chat room';

describe('limits', () => {
  it('forgets a client idle past --client-idle-ms: no more deliveries, its nickname gone', async () => {
    await using cluster = await TestCluster.start({
      servers: 1,
      // Long enough that a busy machine's pause between a client's two datagrams is not idleness.
      serverArgs: ['-v', '--client-idle-ms', '2000'],
    });
    await using idle = await cluster.client(1);
    await idle.request('/nick sleepy');
    await idle.request('/join 1');
    await cluster.servers[0]!.waitForOutput(
      new RegExp(`Client 127\\.0\\.0\\.1:${idle.port} forgotten after 2000 ms without a datagram`),
    );

    await using active = await cluster.client(1);
    await active.request('/join 1');
    active.send('anyone there?');
    expect(await active.nextDatagram()).toBe(`<${active.defaultNickname}> anyone there?`);
    expect(await idle.request('/part')).toBe(NOT_IN_ROOM);
    await idle.request('/join 1');
    idle.send('back');
    expect(await idle.nextDatagram()).toBe(`<${idle.defaultNickname}> back`);
  });

  it('refuses what a client sends past --client-rate-max, counts it, and tells it to slow down', async () => {
    await using cluster = await TestCluster.start({
      servers: 1,
      serverArgs: ['--client-rate-max', '20'],
    });
    await using flooder = await cluster.client(1);
    await using bystander = await cluster.client(1);
    await flooder.request('/nick flooder'); // a known client: 20 datagrams/s, 40 at once
    const before = await cluster.counters(1);
    for (let batch = 0; batch < 8; batch++) {
      for (let i = 0; i < 50; i++) flooder.send('/part');
      await setImmediate(); // lets the socket drain, so that the kernel drops nothing
    }
    // The bystander's reply shows the server has handled everything the flooder sent before it.
    expect(await bystander.request('/part')).toBe(NOT_IN_ROOM);

    const after = await cluster.counters(1);
    const handled = after['server.clientDatagrams']! - before['server.clientDatagrams']! - 1;
    const refused = after['server.clientDatagramsOverRate']!;
    const warnings = after['server.slowDownReplies']!;
    expect(handled - refused).toBeGreaterThanOrEqual(Math.min(handled, 40)); // the burst passes
    expect(refused).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThanOrEqual(1);
    const replies = await flooder.collect(handled - refused + warnings);
    expect(replies.filter((reply) => reply === NOT_IN_ROOM)).toHaveLength(handled - refused);
    expect(replies.filter((reply) => reply !== NOT_IN_ROOM)).toEqual(
      Array<string>(warnings).fill('-ERR Slow down (at most 20 datagrams per second)'),
    );
  });
});
