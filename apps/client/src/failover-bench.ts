/**
 * How long a client takes to fail over: start two chatservers on loopback and a client of the
 * first, kill the first (`kill -9`) while the client is idle, and time until the client prints
 * that it is on the second, and until a line typed right after the kill reaches a client of the
 * second. Ten runs; prints the median and the maximum. `node apps/client/dist/failover-bench.js
 * [RUNS]` (after a build); figures, not a pass/fail test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const CLIENT_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const RUNS_DEFAULT = 10;
const WAIT_MS_MAX = 30_000;

interface Run {
  readonly noticeMs: number;
  readonly deliveredMs: number;
}

async function openSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** Sends `line` until the first datagram comes back; resolves with it. */
function request(socket: Socket, port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const send = (): void => void socket.send(line, port, '127.0.0.1');
    const retry = setInterval(send, 100);
    const timeout = setTimeout(() => {
      clearInterval(retry);
      reject(new Error(`no answer from port ${port}`));
    }, WAIT_MS_MAX);
    socket.once('message', (data) => {
      clearInterval(retry);
      clearTimeout(timeout);
      resolve(data.toString('utf8'));
    });
    send();
  });
}

function waitFor<T>(register: (resolve: (value: T) => void) => void, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`no ${what} in time`)), WAIT_MS_MAX);
    register((value) => {
      clearTimeout(timeout);
      resolve(value);
    });
  });
}

async function oneRun(directory: string): Promise<Run> {
  const observer = await openSocket();
  const probe = await openSocket();
  const ports = [probe.address().port, observer.address().port];
  probe.close();
  observer.close();
  const configPath = join(directory, 'bench.conf');
  await writeFile(configPath, ports.map((port) => `127.0.0.1:${port}\n`).join(''));
  const servers: ChildProcess[] = [1, 2].map((index) =>
    spawn(process.execPath, [SERVER_MAIN, '-o', 'fifo', configPath, String(index)], {
      stdio: 'ignore',
    }),
  );
  const client = spawn(process.execPath, [CLIENT_MAIN, '--linger-ms=60000', configPath], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const bob = await openSocket();
  try {
    const waiter = await openSocket();
    for (const port of ports) await request(waiter, port, '/ping');
    waiter.close();
    await request(bob, ports[1]!, '/join 1');
    const lines = createInterface({ input: client.stdout! });
    client.stdin!.write('/nick alice\n/join 1\n');
    await waitFor<void>(
      (done) => lines.on('line', (line) => line.startsWith('+OK You are') && done()),
      'join',
    );
    // Idle long enough that the client relies on its keepalive alone, and kill at a random point
    // of its keepalive cycle.
    await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 1_000));

    const killedAt = performance.now();
    servers[0]!.kill('SIGKILL');
    client.stdin!.write('typed right after the kill\n');
    const notice = waitFor<number>(
      (done) => lines.on('line', (line) => line.startsWith('*** ') && done(performance.now())),
      'failover notice',
    );
    const delivered = waitFor<number>(
      (done) =>
        bob.on(
          'message',
          (data) =>
            data.toString('utf8').endsWith('typed right after the kill') && done(performance.now()),
        ),
      'delivery at the second server',
    );
    const [noticeAt, deliveredAt] = await Promise.all([notice, delivered]);
    return { noticeMs: noticeAt - killedAt, deliveredMs: deliveredAt - killedAt };
  } finally {
    client.kill('SIGKILL');
    for (const server of servers) server.kill('SIGKILL');
    bob.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? RUNS_DEFAULT);
  const directory = await mkdtemp(join(tmpdir(), 'chat-failover-bench-'));
  const results: Run[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const result = await oneRun(directory);
      results.push(result);
      process.stdout.write(
        `kill ${run}: failover notice after ${result.noticeMs.toFixed(0)} ms, line delivered after ${result.deliveredMs.toFixed(0)} ms\n`,
      );
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  const notices = results.map((result) => result.noticeMs);
  const deliveries = results.map((result) => result.deliveredMs);
  process.stdout.write(
    `failover over ${runs} kills: notice median ${median(notices).toFixed(0)} ms, max ${Math.max(...notices).toFixed(0)} ms; ` +
      `line typed after the kill delivered: median ${median(deliveries).toFixed(0)} ms, max ${Math.max(...deliveries).toFixed(0)} ms\n`,
  );
}

await main();
