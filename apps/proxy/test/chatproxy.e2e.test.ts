import { formatSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { DatagramInbox, SpawnedProgram } from '@chat/test-support/processes';
import { PROXY, configFile, fakeCluster, lineMatching } from './fixtures/fake-cluster.js';

const USAGE =
  'usage: chatproxy [-v] [--delay-ms-max D] [--loss P] [--duplicate P] [--seed N] [--course-limits] [--control-port N] <config-file>';

/** Two fake servers at their bind addresses, a config naming them, and the proxy between them. */
async function twoServerCluster(proxyOptions: readonly string[]) {
  const cluster = await fakeCluster(2, proxyOptions);
  const [server1, server2] = cluster.servers as [DatagramInbox, DatagramInbox];
  const [forward1, forward2] = cluster.forwards as [SocketAddress, SocketAddress];
  return { ...cluster, server1, server2, forward1, forward2 };
}

async function sendFromStranger(text: string, to: SocketAddress): Promise<void> {
  await using stranger = await DatagramInbox.open();
  stranger.send(text, to);
}

describe('chatproxy (built)', () => {
  it('relays a datagram from B_1 sent to F_2 to B_2, from F_1, and back the other way', async () => {
    await using cluster = await twoServerCluster(['--delay-ms-max', '0']);

    cluster.server1.send('from one', cluster.forward2);
    expect(await cluster.server2.next()).toEqual({ text: 'from one', from: cluster.forward1 });

    cluster.server2.send('from two', cluster.forward1);
    expect(await cluster.server1.next()).toEqual({ text: 'from two', from: cluster.forward2 });
  });

  it('with --course-limits cuts datagrams as the course proxy does: 999 bytes, first NUL', async () => {
    await using cluster = await twoServerCluster(['--delay-ms-max', '0', '--course-limits']);

    cluster.server1.send('x'.repeat(1500), cluster.forward2);
    expect((await cluster.server2.next()).text).toBe('x'.repeat(999));
    cluster.server1.send('before\0after', cluster.forward2);
    expect((await cluster.server2.next()).text).toBe('before');
  });

  it('relays with random delays within the bound, prints its seed, and replays from --seed', async () => {
    await using cluster = await twoServerCluster(['--delay-ms-max', '5', '--seed', '42']);

    expect(cluster.start).toMatch(
      /delay 0\.\.5 ms, loss 0, duplicate 0, seed 42 \(replay with --seed 42\)$/,
    );
    for (let n = 0; n < 20; n++) cluster.server1.send(`m${n}`, cluster.forward2);
    const received = await Promise.all(Array.from({ length: 20 }, () => cluster.server2.next()));
    expect(received.map((datagram) => datagram.text).sort()).toEqual(
      Array.from({ length: 20 }, (_, n) => `m${n}`).sort(),
    );
  });

  it('drops datagrams from anyone but a server, and counts them', async () => {
    await using cluster = await twoServerCluster(['-v', '--delay-ms-max', '0']);

    await sendFromStranger('foreign', cluster.forward2);
    cluster.server1.send('legit', cluster.forward2);

    expect(await cluster.server2.next()).toEqual({ text: 'legit', from: cluster.forward1 });
    await lineMatching(
      cluster.proxy,
      /PRX Dropped 7 bytes from 127\.0\.0\.1:\d+ to S02's forward address: not from a server$/,
    );
    await lineMatching(cluster.proxy, /PRX S01 -> S02 5 bytes: delay 0 ms$/);
    cluster.proxy.kill('SIGINT');
    const stats = await lineMatching(cluster.proxy, / PRX Stats /);
    expect(stats).toMatch(
      /received 2, relayed 1, lost 0, duplicated 0, foreign 1, overflow 0, in flight 0, send errors 0, cut by --course-limits 0, dropped on cut links 0$/,
    );
    expect((await cluster.proxy.exited).status).toBe(0);
  });

  it('loses datagrams with --loss 1 and logs the decision', async () => {
    await using cluster = await twoServerCluster(['-v', '--loss', '1']);

    cluster.server1.send('doomed', cluster.forward2);

    await lineMatching(cluster.proxy, /PRX S01 -> S02 6 bytes: lost$/);
    cluster.proxy.kill('SIGUSR1');
    expect(await lineMatching(cluster.proxy, / PRX Stats /)).toMatch(
      /received 1, relayed 0, lost 1,/,
    );
  });

  it('sends two copies with --duplicate 1', async () => {
    await using cluster = await twoServerCluster(['--duplicate', '1', '--delay-ms-max', '3']);

    cluster.server1.send('twice', cluster.forward2);

    expect(await cluster.server2.next()).toEqual({ text: 'twice', from: cluster.forward1 });
    expect(await cluster.server2.next()).toEqual({ text: 'twice', from: cluster.forward1 });
  });

  it('exits 2 with one error line and the usage for bad usage', async () => {
    await using noArguments = new SpawnedProgram(PROXY, []);
    await using badOption = new SpawnedProgram(PROXY, ['--loss', '2', 'cluster.conf']);
    await using missingFile = new SpawnedProgram(PROXY, ['/nonexistent/cluster.conf']);

    expect(await noArguments.exited).toMatchObject({
      status: 2,
      stderr: `chatproxy: missing <config-file>\n${USAGE}\n`,
    });
    expect(await badOption.exited).toMatchObject({
      status: 2,
      stderr: `chatproxy: --loss must be a probability between 0 and 1, not '2'\n${USAGE}\n`,
    });
    expect(await missingFile.exited).toMatchObject({
      status: 2,
      stderr: `chatproxy: cannot read config file '/nonexistent/cluster.conf': no such file\n${USAGE}\n`,
    });
  });

  it('exits 2 for a config line without a forward address', async () => {
    await using config = await configFile('127.0.0.1:5001,127.0.0.1:6001\n127.0.0.1:5002\n');
    await using proxy = new SpawnedProgram(PROXY, [config.path]);

    expect(await proxy.exited).toMatchObject({
      status: 2,
      stderr: `chatproxy: ${config.path} line 2: the proxy needs forwardIP:port,bindIP:port\n${USAGE}\n`,
    });
  });

  it('exits 2 when a forward address is already taken', async () => {
    await using taken = await DatagramInbox.open();
    await using config = await configFile(`${formatSocketAddress(taken.address)},127.0.0.1:6001\n`);
    await using proxy = new SpawnedProgram(PROXY, [config.path]);

    const exit = await proxy.exited;

    expect(exit.status).toBe(2);
    expect(exit.stderr).toBe(
      `chatproxy: cannot bind UDP socket to ${formatSocketAddress(taken.address)}: address already in use (EADDRINUSE)\n${USAGE}\n`,
    );
  });
});
