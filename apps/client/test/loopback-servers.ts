import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { SocketAddress } from '@chat/protocol';
import { DatagramInbox, SpawnedProgram } from '@chat/test-support/processes';

export const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

const READY_WAIT_MS_MAX = 20_000;
const PROBE_INTERVAL_MS = 200;

/** Ports free on 127.0.0.1 right now (bound at once, so they differ, then closed). */
async function freePorts(count: number): Promise<number[]> {
  const inboxes = await Promise.all(Array.from({ length: count }, () => DatagramInbox.open()));
  const ports = inboxes.map((inbox) => inbox.address.port);
  await Promise.all(inboxes.map((inbox) => inbox[Symbol.asyncDispose]()));
  return ports;
}

/** Waits until the chatserver at `address` answers a client. */
export async function waitUntilAnswering(address: SocketAddress): Promise<void> {
  await using probe = await DatagramInbox.open();
  const deadline = Date.now() + READY_WAIT_MS_MAX;
  // One wait for the first reply across all probes: an abandoned wait would swallow the reply.
  const reply = probe.next();
  for (;;) {
    if (Date.now() > deadline) throw new Error(`no answer from ${address.port} in time`);
    probe.send('/ping', address);
    if ((await Promise.race([reply, sleep(PROBE_INTERVAL_MS)])) !== undefined) return;
  }
}

/**
 * Real chatservers (built) on free loopback ports with a temporary config file; disposing kills
 * every one still running and removes the config.
 */
export class LoopbackServers implements AsyncDisposable {
  private constructor(
    private readonly directory: string,
    readonly configPath: string,
    readonly addresses: readonly SocketAddress[],
    readonly processes: SpawnedProgram[],
  ) {}

  static async start(count: number, serverArgs: readonly string[]): Promise<LoopbackServers> {
    const ports = await freePorts(count);
    const addresses = ports.map((port) => ({ host: '127.0.0.1', port }));
    const directory = await mkdtemp(join(tmpdir(), 'chat-failover-'));
    const configPath = join(directory, 'cluster.conf');
    await writeFile(configPath, ports.map((port) => `127.0.0.1:${port}\n`).join(''));
    const processes = addresses.map(
      (_, i) => new SpawnedProgram(SERVER_MAIN, [...serverArgs, configPath, String(i + 1)]),
    );
    const servers = new LoopbackServers(directory, configPath, addresses, processes);
    try {
      for (const address of addresses) await waitUntilAnswering(address);
    } catch (error) {
      await servers[Symbol.asyncDispose]();
      throw error;
    }
    return servers;
  }

  /** `kill -9` server `index` (1-based) and wait until it is gone. */
  async kill(index: number): Promise<void> {
    const server = this.processes[index - 1]!;
    server.kill('SIGKILL');
    await server.exited;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.processes.map((process) => process[Symbol.asyncDispose]()));
    await rm(this.directory, { recursive: true, force: true });
  }
}
