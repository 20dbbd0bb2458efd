import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerAddress } from './workload.js';

export type ServerProgram = 'chatserver' | 'chatrelay';

export interface LocalClusterOptions {
  readonly serverCount: number;
  readonly program: ServerProgram;
  readonly mode: string;
  /** Run the servers behind chatproxy with these settings. */
  readonly proxy?: {
    readonly delayMsMax: number;
    readonly loss: number;
    readonly duplicate: number;
    readonly seed: number;
  };
  readonly extraServerArgs?: readonly string[];
}

const READY_ATTEMPTS_MAX = 100;
const READY_RETRY_MS = 100;

const programPath = (specifier: string): string => fileURLToPath(import.meta.resolve(specifier));

/** A cluster of local processes on 127.0.0.1 with generated ports; stops them all on dispose. */
export class LocalCluster implements AsyncDisposable {
  readonly servers: readonly ServerAddress[];
  readonly #children: ChildProcess[] = [];
  readonly #directory: string;

  private constructor(servers: readonly ServerAddress[], directory: string) {
    this.servers = servers;
    this.#directory = directory;
  }

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const binds = await freePorts(options.serverCount);
    const forwards = options.proxy === undefined ? binds : await freePorts(options.serverCount);
    const lines = binds.map((bind, i) =>
      options.proxy === undefined
        ? `127.0.0.1:${bind}`
        : `127.0.0.1:${forwards[i]},127.0.0.1:${bind}`,
    );
    const directory = mkdtempSync(join(tmpdir(), 'chatstress-'));
    const configPath = join(directory, 'cluster.conf');
    writeFileSync(configPath, `${lines.join('\n')}\n`);
    const cluster = new LocalCluster(
      binds.map((port) => ({ host: '127.0.0.1', port })),
      directory,
    );
    try {
      if (options.proxy !== undefined) {
        const { delayMsMax, loss, duplicate, seed } = options.proxy;
        cluster.#spawn(programPath('@chat/proxy/dist/main.js'), [
          '--delay-ms-max',
          String(delayMsMax),
          '--loss',
          String(loss),
          '--duplicate',
          String(duplicate),
          '--seed',
          String(seed),
          configPath,
        ]);
      }
      const server =
        options.program === 'chatserver'
          ? programPath('@chat/server/dist/main.js')
          : fileURLToPath(new URL('./baseline-relay.js', import.meta.url));
      for (let index = 1; index <= options.serverCount; index++) {
        const modeArgs = options.program === 'chatserver' ? ['-o', options.mode] : [];
        cluster.#spawn(server, [
          ...modeArgs,
          ...(options.extraServerArgs ?? []),
          configPath,
          String(index),
        ]);
      }
      await Promise.all(cluster.servers.map((address) => waitUntilAnswering(address)));
    } catch (error) {
      await cluster[Symbol.asyncDispose]();
      throw error;
    }
    return cluster;
  }

  #spawn(program: string, args: readonly string[]): void {
    const child = spawn(process.execPath, [program, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.#children.push(child);
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
async function waitUntilAnswering(server: ServerAddress): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    for (let attempt = 0; attempt < READY_ATTEMPTS_MAX; attempt++) {
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), READY_RETRY_MS);
        socket.once('message', () => {
          clearTimeout(timer);
          resolve(true);
        });
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
