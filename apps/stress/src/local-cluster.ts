import { clientBindHost } from './client-bind-host.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxyCommandLine } from '@chat/proxy/command-line';
import { parseClusterConfig, type ServerAddresses } from '@chat/protocol';
import { processCpuMs } from './machine-cpu.js';
import { nativeProgramPath } from './native-program.js';
import type { ProxySettings, ServerProgram } from './stress-arguments.js';
import type { ServerAddress } from './workload.js';

export interface LocalClusterOptions {
  readonly program: ServerProgram;
  readonly mode: string;
  /** Servers on free ports of 127.0.0.1, or the servers of this config file. */
  readonly layout: { readonly serverCount: number } | { readonly configPath: string };
  /**
   * Run the servers behind chatproxy with these settings. A config file whose forward addresses
   * differ from its bind addresses always gets a proxy (with no delay unless given).
   */
  readonly proxy?: ProxySettings | undefined;
  /**
   * Give chatserver a fresh random cluster key (`--key-file`), so server-to-server datagrams are
   * authenticated as in a real deployment. The baselines ignore it.
   */
  readonly keyed: boolean;
  /** More chatserver options, e.g. `--multicast GROUP:PORT`. */
  readonly serverOptions?: readonly string[];
}

/** 256 bits, as `head -c 32 /dev/urandom` would make. */
const CLUSTER_KEY_BYTES = 32;
/**
 * chatserver's `--client-rate-max` for the load's clients. Its default (5,000 datagrams a second
 * sustained per client) protects a server from one flooding client; in a closed loop on a fast
 * machine each load client posts 7,000-8,000 a second, and the server dropped what went over (the
 * run counted those posts lost). The load measures the cluster, not its flood protection.
 */
const LOAD_CLIENT_RATE_MAX = 1_000_000;

/** 30 s: chatserver warms up before it answers, and ten of them may share two busy cores. */
const READY_ATTEMPTS_MAX = 300;
const READY_RETRY_MS = 100;
/**
 * 30 s for the started chatservers to form one view of them all (a few heartbeats and round trips;
 * ten servers on two busy cores may take long). Before it, a server holds posts (a view change is
 * under way) or, in total mode, refuses them in a minority view: a load would measure the start-up.
 */
const ONE_VIEW_WAIT_MS_MAX = 30_000;
const ONE_VIEW_POLL_MS = 100;
/** A server's Stats line (on SIGUSR1) is shorter; output kept per server to find it. */
const SERVER_OUTPUT_CHARS_MAX = 64 * 1024;
const NO_DELAY: ProxySettings = { delayMsMax: 0, loss: 0, duplicate: 0, seed: 1 };

const programPath = (specifier: string): string => fileURLToPath(import.meta.resolve(specifier));

/** A cluster of local processes; stops them all on dispose. */
export class LocalCluster implements AsyncDisposable {
  /** Each server's bind address: where its clients send. */
  readonly servers: readonly ServerAddress[];
  /** The proxy between the servers, if one was started. */
  proxy: ProxySettings | undefined;
  readonly #children: ChildProcess[] = [];
  readonly #serverPids: number[] = [];
  /** Each chatserver's latest standard output (its Stats lines), newest last. */
  readonly #serverOutputs: { text: string }[] = [];
  readonly #directory: string;

  private constructor(servers: readonly ServerAddress[], directory: string) {
    this.servers = servers;
    this.#directory = directory;
  }

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const directory = mkdtempSync(join(tmpdir(), 'chatstress-'));
    let configPath: string;
    let addresses: readonly ServerAddresses[];
    let proxy = options.proxy;
    if ('configPath' in options.layout) {
      configPath = options.layout.configPath;
      addresses = loadConfig(configPath);
      const proxied = addresses.some(
        ({ forward, bind }) => forward.host !== bind.host || forward.port !== bind.port,
      );
      if (proxy !== undefined && !proxied) {
        throw new Error(`${configPath} has no forward addresses for a proxy to own`);
      }
      if (proxied) proxy ??= NO_DELAY;
    } else {
      const count = options.layout.serverCount;
      const binds = await freePorts(count);
      const forwards = proxy === undefined ? binds : await freePorts(count);
      addresses = binds.map((port, i) => ({
        bind: { host: '127.0.0.1', port },
        forward: { host: '127.0.0.1', port: forwards[i]! },
      }));
      configPath = join(directory, 'cluster.conf');
      const lines = addresses.map(({ forward, bind }) =>
        proxy === undefined
          ? `${bind.host}:${bind.port}`
          : `${forward.host}:${forward.port},${bind.host}:${bind.port}`,
      );
      writeFileSync(configPath, `${lines.join('\n')}\n`);
    }
    const cluster = new LocalCluster(
      addresses.map(({ bind }) => bind),
      directory,
    );
    cluster.proxy = proxy;
    try {
      if (proxy !== undefined) {
        cluster.#spawn(
          [process.execPath, programPath('@chat/proxy/dist/main.js')],
          proxyCommandLine(proxy, configPath),
        );
      }
      const server = serverCommand(options.program);
      const serverArgs: string[] = [];
      if (options.program === 'chatserver') {
        serverArgs.push('-o', options.mode, '--client-rate-max', String(LOAD_CLIENT_RATE_MAX));
        if (options.keyed) {
          const keyPath = join(directory, 'cluster.key');
          writeFileSync(keyPath, randomBytes(CLUSTER_KEY_BYTES), { mode: 0o600 });
          serverArgs.push('--key-file', keyPath);
        }
        serverArgs.push(...(options.serverOptions ?? []));
      }
      const chatserver = options.program === 'chatserver';
      for (let index = 1; index <= addresses.length; index++) {
        const args = [...serverArgs, configPath, String(index)];
        const pid = chatserver ? cluster.#spawnServer(server, args) : cluster.#spawn(server, args);
        if (pid !== undefined) cluster.#serverPids.push(pid);
      }
      await Promise.all(cluster.servers.map((address) => waitUntilAnswering(address)));
      if (chatserver) await cluster.#waitUntilOneView();
    } catch (error) {
      await cluster[Symbol.asyncDispose]();
      throw error;
    }
    return cluster;
  }

  /**
   * CPU time (user + system, ms) the server processes have used so far, from /proc; undefined where
   * there is no /proc. Shows how the servers and the load generator share the machine's cores.
   */
  serverCpuMs(): number | undefined {
    let total = 0;
    for (const pid of this.#serverPids) {
      const used = processCpuMs(pid);
      if (used === undefined) return undefined;
      total += used;
    }
    return total;
  }

  /** Starts `command` (an executable and its first arguments) with `args` after it. */
  #spawn(command: readonly [string, ...string[]], args: readonly string[]): number | undefined {
    const [executable, ...leading] = command;
    const child = spawn(executable, [...leading, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.#children.push(child);
    return child.pid;
  }

  /** Starts a chatserver with its standard output kept (see #waitUntilOneView). */
  #spawnServer(
    command: readonly [string, ...string[]],
    args: readonly string[],
  ): number | undefined {
    const [executable, ...leading] = command;
    const child = spawn(executable, [...leading, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#children.push(child);
    const output = { text: '' };
    this.#serverOutputs.push(output);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output.text = (output.text + chunk).slice(-SERVER_OUTPUT_CHARS_MAX);
    });
    return child.pid;
  }

  /**
   * Waits until every chatserver reports, in the Stats line it prints on SIGUSR1, the same view with
   * all of them as members. A chatserver whose Stats have no `view.id` (no membership) is ready as
   * soon as it answers.
   */
  async #waitUntilOneView(): Promise<void> {
    const deadline = Date.now() + ONE_VIEW_WAIT_MS_MAX;
    const count = this.#serverPids.length;
    for (;;) {
      const views = await Promise.all(
        this.#serverPids.map((pid, i) => this.#statsOf(pid, this.#serverOutputs[i]!, deadline)),
      );
      if (views.some((stats) => stats['view.id'] === undefined)) return;
      const first = views[0]?.['view.id'];
      if (views.every((stats) => stats['view.id'] === first && stats['view.members'] === count)) {
        return;
      }
      if (Date.now() > deadline) {
        const seen = views.map(
          (stats, i) => `S${i + 1}: view ${stats['view.id']} of ${stats['view.members']}`,
        );
        throw new Error(`the servers never formed one view (${seen.join(', ')})`);
      }
      await new Promise((resolve) => setTimeout(resolve, ONE_VIEW_POLL_MS));
    }
  }

  /** Asks a chatserver for its Stats line (SIGUSR1) and returns its counters. */
  async #statsOf(
    pid: number,
    output: { text: string },
    deadline: number,
  ): Promise<Record<string, number>> {
    // Only what it prints from now on is read: the answer to this signal.
    output.text = '';
    process.kill(pid, 'SIGUSR1');
    for (;;) {
      const line = / Stats (.*)\n/.exec(output.text)?.[1];
      if (line !== undefined) return parseCounters(line);
      if (Date.now() > deadline) throw new Error(`server process ${pid} printed no Stats line`);
      await new Promise((resolve) => setTimeout(resolve, ONE_VIEW_POLL_MS / 5));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(this.#directory, { recursive: true, force: true });
  }
}

/**
 * The Node options chatserver runs with: those its bin passes in its shebang
 * (`#!/usr/bin/env -S node OPTIONS...`), so that a benchmark runs the server as `chatserver` does.
 */
function chatserverNodeOptions(): string[] {
  const bin = readFileSync(programPath('@chat/server/bin/chatserver.js'), 'utf8');
  const shebang = bin.slice(0, bin.indexOf('\n')).split(' ');
  return shebang.slice(shebang.indexOf('node') + 1);
}

/** chatrelay as built, whether this module runs from src/ (tests) or dist/. */
const BASELINE_RELAY_PATH = fileURLToPath(new URL('../dist/baseline-relay.js', import.meta.url));

/** How to start one server of `program`: Node with its script, or the built C baseline. */
function serverCommand(program: ServerProgram): [string, ...string[]] {
  switch (program) {
    case 'chatserver':
      return [
        process.execPath,
        ...chatserverNodeOptions(),
        programPath('@chat/server/dist/main.js'),
      ];
    case 'chatrelay':
      return [process.execPath, BASELINE_RELAY_PATH];
    case 'chatrelay-batched':
      // The floor runs as chatserver runs, V8's options included.
      return [process.execPath, ...chatserverNodeOptions(), BASELINE_RELAY_PATH, '--batch'];
    case 'chatrelay-sequenced':
      return [
        process.execPath,
        ...chatserverNodeOptions(),
        BASELINE_RELAY_PATH,
        '--batch',
        '--sequenced',
      ];
    case 'null-relay':
      return [nativeProgramPath('null-relay')];
  }
}

/** The servers of a config file; throws with the file's complaint. */
export function loadConfig(configPath: string): readonly ServerAddresses[] {
  const config = parseClusterConfig(readFileSync(configPath, 'utf8'));
  if (!config.ok) throw new Error(`${configPath}:${config.line}: ${config.message}`);
  return config.servers;
}

/** Ports the kernel just handed out for UDP on 127.0.0.1 (free a moment ago). */
export async function freePorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, async () => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    }),
  );
  const ports = sockets.map((socket) => socket.address().port);
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(resolve))));
  return ports;
}

/** Asks `/nick probe` until the server answers; the probe client then quits. */
export async function waitUntilAnswering(server: ServerAddress): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, clientBindHost(server.host), resolve));
  try {
    for (let attempt = 0; attempt < READY_ATTEMPTS_MAX; attempt++) {
      const answered = await new Promise<boolean>((resolve) => {
        const onMessage = (): void => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          resolve(false);
        }, READY_RETRY_MS);
        socket.once('message', onMessage);
        socket.send('/nick probe', server.port, server.host);
      });
      if (answered) {
        socket.send('/quit', server.port, server.host);
        return;
      }
    }
    throw new Error(`server ${server.host}:${server.port} did not answer`);
  } finally {
    socket.removeAllListeners('message');
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** `key=value key=value ...` as chatserver's Stats line has it. */
function parseCounters(text: string): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const pair of text.split(' ')) {
    const at = pair.indexOf('=');
    if (at > 0) counters[pair.slice(0, at)] = Number(pair.slice(at + 1));
  }
  return counters;
}
