import { parseSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { DatagramInbox, SpawnedProgram } from '@chat/test-support/processes';
import {
  PROXY,
  configFile,
  fakeCluster,
  freePorts,
  lineMatching,
} from './fixtures/fake-cluster.js';
import type { FakeCluster } from './fixtures/fake-cluster.js';

/** Fake servers behind the proxy with a control socket on any free port, and where it is. */
async function controlledCluster(count: number) {
  const cluster = await fakeCluster(count, ['-v', '--delay-ms-max', '0', '--control-port', '0']);
  try {
    const line = await lineMatching(cluster.proxy, / PRX Control socket on /);
    expect(line).toMatch(
      /Control socket on 127\.0\.0\.1:\d+: commands: cut A,B\|C,D \(partition\), cut A->B \(one way\), heal \[LINKS\], links$/,
    );
    const address = parseSocketAddress(/on (127\.0\.0\.1:\d+):/.exec(line)?.[1] ?? '');
    if (typeof address === 'string') throw new Error(`no control address in ${line}: ${address}`);
    return Object.assign(cluster, { control: address });
  } catch (error) {
    await cluster[Symbol.asyncDispose]();
    throw error;
  }
}

/** Sends one command to the control socket; returns its reply. */
async function command(control: SocketAddress, text: string): Promise<string> {
  await using operator = await DatagramInbox.open();
  operator.send(text, control);
  const reply = await operator.next();
  expect(reply.from).toEqual(control);
  return reply.text;
}

/** Server `from` (1-based) sends `text` to server `to` through the proxy. */
function send(cluster: FakeCluster, from: number, to: number, text: string): void {
  cluster.servers[from - 1]!.send(text, cluster.forwards[to - 1]!);
}

async function nextText(cluster: FakeCluster, at: number): Promise<string> {
  return (await cluster.servers[at - 1]!.next()).text;
}

describe('chatproxy link control (built)', () => {
  it('cuts a partition 1,2 | 3 both ways, keeps links inside each side, and heals', async () => {
    await using cluster = await controlledCluster(3);

    expect(await command(cluster.control, 'cut 1,2|3\n')).toBe('+OK links cut: 1->3 2->3 3->1,2');
    await lineMatching(cluster.proxy, /PRX Control from 127\.0\.0\.1:\d+: 'cut 1,2\|3': \+OK /);

    send(cluster, 1, 3, 'lost 1->3');
    send(cluster, 3, 1, 'lost 3->1');
    send(cluster, 1, 2, 'kept 1->2');
    send(cluster, 2, 1, 'kept 2->1');
    expect(await nextText(cluster, 2)).toBe('kept 1->2');
    expect(await nextText(cluster, 1)).toBe('kept 2->1');
    await lineMatching(cluster.proxy, /PRX S01 -> S03 9 bytes: dropped, link cut$/);
    await lineMatching(cluster.proxy, /PRX S03 -> S01 9 bytes: dropped, link cut$/);

    expect(await command(cluster.control, 'heal')).toBe('+OK links cut: none');
    send(cluster, 1, 3, 'healed 1->3');
    send(cluster, 3, 1, 'healed 3->1');
    // The first datagrams they ever get: the ones sent across the cut never arrived.
    expect(await nextText(cluster, 3)).toBe('healed 1->3');
    expect(await nextText(cluster, 1)).toBe('healed 3->1');

    cluster.proxy.kill('SIGUSR1');
    expect(await lineMatching(cluster.proxy, / PRX Stats /)).toMatch(
      /received 6, relayed 4, .*, dropped on cut links 2$/,
    );
  });

  it('cuts one way: 2 no longer hears 1, and 1 still hears 2', async () => {
    await using cluster = await controlledCluster(2);

    expect(await command(cluster.control, 'cut 1->2')).toBe('+OK links cut: 1->2');
    send(cluster, 1, 2, 'unheard');
    send(cluster, 2, 1, 'heard');
    expect(await nextText(cluster, 1)).toBe('heard');
    await lineMatching(cluster.proxy, /PRX S01 -> S02 7 bytes: dropped, link cut$/);

    expect(await command(cluster.control, 'heal 1->2')).toBe('+OK links cut: none');
    send(cluster, 1, 2, 'heard too');
    expect(await nextText(cluster, 2)).toBe('heard too');
  });

  it('answers a wrong command with -ERR and changes nothing', async () => {
    await using cluster = await controlledCluster(3);

    expect(await command(cluster.control, 'cut 1->3')).toBe('+OK links cut: 1->3');
    expect(await command(cluster.control, 'cut 1|4')).toBe(
      '-ERR no server 4: the config has servers 1-3',
    );
    expect(await command(cluster.control, 'partition 1|2')).toMatch(
      /^-ERR unknown command 'partition'; commands: cut /,
    );
    expect(await command(cluster.control, 'links')).toBe('+OK links cut: 1->3');
  });

  it('exits 2 when the control port is taken', async () => {
    await using taken = await DatagramInbox.open();
    const [forward] = await freePorts(1);
    await using config = await configFile(`127.0.0.1:${forward},127.0.0.1:6001\n`);
    await using proxy = new SpawnedProgram(PROXY, [
      '--control-port',
      String(taken.address.port),
      config.path,
    ]);

    const exit = await proxy.exited;

    expect(exit.status).toBe(2);
    expect(exit.stderr).toMatch(
      new RegExp(
        `^chatproxy: cannot bind UDP socket to 127\\.0\\.0\\.1:${taken.address.port}: address already in use \\(EADDRINUSE\\)\\nusage: chatproxy `,
      ),
    );
  });
});
