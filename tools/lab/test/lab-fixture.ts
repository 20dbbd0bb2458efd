import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpawnedProgram } from '@chat/test-support/processes';
import { ip, listNamespaces } from '../src/ip-command.js';
import { LabCluster, LAB_SERVER_PORT, type OrderingMode } from '../src/lab-cluster.js';
import { CLIENT_MAIN } from '../src/lab-programs.js';
import { NetworkLab, LAB_PREFIX_ROOT } from '../src/network-lab.js';

/** Long enough for 2 shared cores; a test that waits this long has failed anyway. */
export const WAIT_MS_MAX = 60_000;

export interface LabFixtureOptions {
  readonly hosts: number;
  readonly clientHosts: number;
  readonly mode: OrderingMode;
  readonly multicast: boolean;
  /** Servers log with `-v` (membership tests read their view lines). */
  readonly verbose?: boolean;
  /** More chatserver options for every server. */
  readonly serverArgs?: readonly string[];
}

/**
 * A lab of its own for one test: a unique prefix, hosts with servers, client hosts, and the chat
 * clients started in them. Disposing stops every process and removes every namespace and link.
 */
export class LabFixture implements AsyncDisposable {
  readonly #clients: LabClient[] = [];

  private constructor(
    readonly lab: NetworkLab,
    readonly cluster: LabCluster,
  ) {}

  static async start(options: LabFixtureOptions): Promise<LabFixture> {
    const prefix = `${LAB_PREFIX_ROOT}${randomBytes(3).toString('hex')}`;
    const lab = await NetworkLab.create(prefix, options.hosts, options.clientHosts);
    try {
      const cluster = await LabCluster.start(lab, {
        mode: options.mode,
        multicast: options.multicast
          ? `239.255.${randomInt(1, 255)}.${randomInt(1, 255)}:${randomInt(20_000, 60_000)}`
          : undefined,
        verbose: options.verbose ?? false,
        serverArgs: options.serverArgs ?? [],
      });
      return new LabFixture(lab, cluster);
    } catch (error) {
      await lab.destroy();
      throw error;
    }
  }

  get prefix(): string {
    return this.lab.prefix;
  }

  /** Server `index`'s client address, `198.51.100.K:5000`. */
  serverAddress(index: number): string {
    return `${this.lab.hosts[index - 1]!.address}:${LAB_SERVER_PORT}`;
  }

  /**
   * Starts chatclient inside client host `clientHost` (`c1`, ...), given every server starting
   * with `firstServer` (round robin, as a client configured for its nearest server would be).
   */
  client(
    clientHost: string,
    firstServer: number,
    label = clientHost,
    clientArgs: readonly string[] = [],
  ): LabClient {
    const addresses = this.lab.hosts.map((_, i) => this.serverAddress(i + 1));
    const rotated = [...addresses.slice(firstServer - 1), ...addresses.slice(0, firstServer - 1)];
    const client = new LabClient(
      label,
      new SpawnedProgram(
        CLIENT_MAIN,
        ['--linger-ms=60000', ...clientArgs, ...rotated],
        this.lab.exec(clientHost),
      ),
    );
    this.#clients.push(client);
    return client;
  }

  /** Server `index`'s counters, from the Stats line it prints on SIGUSR1. */
  async counters(index: number): Promise<Record<string, number>> {
    const server = this.cluster.servers[index - 1]!;
    const before = server.outputLength;
    server.kill('SIGUSR1');
    const tag = `S${String(index).padStart(2, '0')}`;
    const line = await server.waitForOutput(
      new RegExp(`^.* ${tag} Stats .*(?=\n)`, 'm'),
      WAIT_MS_MAX,
      before,
    );
    const counters: Record<string, number> = {};
    for (const [, key, value] of line.matchAll(/ ([\w.-]+)=(\d+)/g)) counters[key!] = Number(value);
    return counters;
  }

  /** Every server's output, for failure messages. */
  describe(): string {
    return this.cluster.servers
      .map((server) => `--- ${server.name}\n${server.output.slice(-3000)}`)
      .join('\n');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#clients.map((client) => client[Symbol.asyncDispose]()));
    await this.cluster.stop();
    await this.lab.destroy();
  }
}

/** What a lab left behind: namespaces and root-namespace links named after it, its directory. */
export async function labLeftovers(prefix: string): Promise<string[]> {
  const namespaces = (await listNamespaces()).filter((name) => name.startsWith(prefix));
  const links = (await ip('-o', 'link', 'show'))
    .split('\n')
    .filter((line) => line.includes(prefix))
    .map((line) => `link ${line.split(':')[1]?.trim()}`);
  const directory = NetworkLab.directoryOf(prefix);
  return [...namespaces, ...links, ...(existsSync(directory) ? [directory] : [])];
}

/** A chatclient running in a lab host: lines in, the lines it prints out. */
export class LabClient implements AsyncDisposable {
  /** Every line it printed so far, in order. */
  readonly printed: string[] = [];

  constructor(
    readonly label: string,
    readonly program: SpawnedProgram,
  ) {}

  type(...lines: string[]): void {
    this.program.stdin.write(lines.map((line) => `${line}\n`).join(''));
  }

  /** Reads printed lines until one matches; returns it. */
  async lineMatching(pattern: RegExp, timeoutMs = WAIT_MS_MAX): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = await this.#nextLine(deadline, `${pattern}`);
      if (pattern.test(line)) return line;
    }
  }

  /** Reads printed lines until `count` posts (`<nick> text`) came; returns those posts. */
  async posts(count: number, timeoutMs = WAIT_MS_MAX): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const posts: string[] = [];
    while (posts.length < count) {
      const line = await this.#nextLine(deadline, `${count} posts (have ${posts.length})`);
      if (line.startsWith('<')) posts.push(line);
    }
    return posts;
  }

  async #nextLine(deadline: number, waitingFor: string): Promise<string> {
    const timeout = new AbortController();
    const line = await Promise.race([
      this.program.nextLine(),
      sleep(Math.max(0, deadline - Date.now()), undefined, { signal: timeout.signal }).catch(
        () => undefined,
      ),
    ]);
    timeout.abort();
    if (line === undefined) {
      throw new Error(
        `${this.label}: no ${waitingFor} in time; it printed:\n${this.printed.slice(-40).join('\n')}`,
      );
    }
    this.printed.push(line);
    return line;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.program[Symbol.asyncDispose]();
  }
}
