import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostProcess } from './host-process.js';
import { SERVER_MAIN } from './lab-programs.js';
import type { NetworkLab } from './network-lab.js';

/** Every host's server listens on this port of its own address. */
export const LAB_SERVER_PORT = 5000;
const READY_WAIT_MS_MAX = 30_000;

export type OrderingMode = 'unordered' | 'fifo' | 'total';

export interface LabClusterOptions {
  readonly mode: OrderingMode;
  /** `GROUP:PORT` for IP multicast between the hosts; undefined for unicast fan-out. */
  readonly multicast: string | undefined;
  /** The servers' debug log (`-v`). */
  readonly verbose: boolean;
  /** More chatserver options for every server, e.g. `['--suspect-ms', '3000']`. */
  readonly serverArgs?: readonly string[];
  /** Each line of each server's output, e.g. to print it prefixed. */
  readonly onLine?: (host: number, line: string) => void;
}

/**
 * One chatserver per lab host, from one config file (host K is line K), with a fresh random cluster
 * key as deployed. Servers can be killed and restarted one by one.
 */
export class LabCluster {
  readonly #servers: HostProcess[] = [];

  private constructor(
    readonly lab: NetworkLab,
    readonly options: LabClusterOptions,
    readonly configPath: string,
    readonly keyPath: string,
  ) {}

  /** Client-facing addresses of the servers, `IP:port`, host 1 first. */
  get addresses(): string[] {
    return this.lab.hosts.map((host) => `${host.address}:${LAB_SERVER_PORT}`);
  }

  get servers(): readonly HostProcess[] {
    return this.#servers;
  }

  static async start(lab: NetworkLab, options: LabClusterOptions): Promise<LabCluster> {
    await mkdir(lab.directory, { recursive: true });
    const configPath = join(lab.directory, 'lab.conf');
    const keyPath = join(lab.directory, 'cluster.key');
    await writeFile(
      configPath,
      `# chatlab ${lab.prefix}: one line per host\n${lab.hosts.map((host) => `${host.address}:${LAB_SERVER_PORT}\n`).join('')}`,
    );
    await writeFile(keyPath, randomBytes(32), { mode: 0o600 });
    const cluster = new LabCluster(lab, options, configPath, keyPath);
    try {
      for (let index = 1; index <= lab.hosts.length; index++) cluster.#spawn(index);
      await cluster.waitUntilAnswering(lab.hosts.map((_, i) => i + 1));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  #spawn(index: number): HostProcess {
    const host = this.lab.hosts[index - 1]!;
    const { mode, multicast, verbose, serverArgs, onLine } = this.options;
    const args = [
      ...(verbose ? ['-v'] : []),
      ...(serverArgs ?? []),
      '-o',
      mode,
      '--key-file',
      this.keyPath,
      ...(multicast === undefined
        ? []
        : ['--multicast', multicast, '--multicast-interface', host.address]),
      this.configPath,
      String(index),
    ];
    const server = new HostProcess(
      `S${index}@${host.namespace}`,
      [...this.lab.exec(host.name), process.execPath, SERVER_MAIN, ...args],
      onLine === undefined ? undefined : (line) => onLine(index, line),
    );
    this.#servers[index - 1] = server;
    return server;
  }

  /**
   * Waits until each listed server (1-based) answers a client: a probe inside each one's host sends
   * `/ping` until the SPEC's `-ERR Unknown command /ping` comes back.
   */
  async waitUntilAnswering(indexes: readonly number[]): Promise<void> {
    await Promise.all(
      indexes.map(async (index) => {
        const host = this.lab.hosts[index - 1]!;
        const probe = new HostProcess(`probe@${host.namespace}`, [
          ...this.lab.exec(host.name),
          process.execPath,
          '--input-type=module',
          '-e',
          PROBE_SCRIPT,
          host.address,
          String(LAB_SERVER_PORT),
          String(READY_WAIT_MS_MAX),
        ]);
        const { code } = await probe.exited;
        if (code !== 0) {
          const server = this.#servers[index - 1];
          throw new Error(
            `server ${index} (${host.address}) did not answer: ${probe.output}\n${server?.output ?? ''}`,
          );
        }
      }),
    );
  }

  /** `kill -9` server `index` (1-based); resolves once it is gone. */
  async kill(index: number): Promise<void> {
    const server = this.#servers[index - 1]!;
    server.kill('SIGKILL');
    await server.exited;
  }

  /** Starts server `index` again (a fresh process with empty state) and waits until it answers. */
  async restart(index: number): Promise<HostProcess> {
    const server = this.#spawn(index);
    await this.waitUntilAnswering([index]);
    return server;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#servers.map((server) => server.stop()));
  }
}

/** Sends `/ping` to HOST:PORT every 100 ms until anything answers (exit 0) or time is up (exit 1). */
const PROBE_SCRIPT = `
import { createSocket } from 'node:dgram';
const [host, port, waitMs] = process.argv.slice(1);
const socket = createSocket('udp4');
socket.on('message', () => process.exit(0));
socket.on('error', () => {});
const ping = () => socket.send('/ping', Number(port), host, () => {});
socket.bind(0, () => { ping(); setInterval(ping, 100); });
setTimeout(() => { console.error('no answer from ' + host + ':' + port); process.exit(1); }, Number(waitMs));
`;
