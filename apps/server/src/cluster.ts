#!/usr/bin/env node
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CLUSTER_USAGE, planCluster } from './cluster-cli.js';
import { formatServerTag } from './debug-log.js';
import { SERVER_NODE_OPTIONS } from './node-options.js';
import { reportUsageError } from './usage-error.js';

const PROGRAM = 'chatcluster';
/** Next to each other in the monorepo: apps/server/dist, apps/proxy/dist, apps/client/dist. */
const programs = {
  serverMain: fileURLToPath(new URL('./main.js', import.meta.url)),
  proxyMain: fileURLToPath(new URL('../../proxy/dist/main.js', import.meta.url)),
};
const clientMain = fileURLToPath(new URL('../../client/dist/main.js', import.meta.url));

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  running: boolean;
}

/** Copies a child's output line by line, each line prefixed with the child's name. */
function prefixLines(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  name: string,
): void {
  createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
    output.write(`[${name}] ${line}\n`);
  });
}

function startChild(
  name: string,
  args: readonly string[],
  nodeOptions: readonly string[] = [],
): Child {
  // Its own process group: Ctrl-C reaches only chatcluster, which then stops each child once.
  const child = spawn(process.execPath, [...nodeOptions, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  prefixLines(child.stdout, process.stdout, name);
  prefixLines(child.stderr, process.stderr, name);
  return { name, process: child, running: true };
}

async function main(argv: readonly string[]): Promise<void> {
  const plan = await planCluster(argv, programs, process.env);
  if (!plan.ok) {
    reportUsageError(PROGRAM, plan.message, CLUSTER_USAGE);
    return;
  }

  const children: Child[] = [];
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals): void => {
    for (const child of children) if (child.running) child.process.kill(signal);
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      stopAll('SIGKILL');
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    stopAll('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Children live in their own process groups, so nothing else would stop them if we die.
  process.on('exit', () => stopAll('SIGKILL'));

  const watch = (child: Child): void => {
    child.process.on('error', (error) => {
      process.stderr.write(`${PROGRAM}: ${child.name}: ${error.message}\n`);
    });
    child.process.on('exit', (code, signal) => {
      child.running = false;
      if (!stopping) {
        process.stderr.write(
          `${PROGRAM}: ${child.name} exited (${signal ?? `status ${code}`}); stopping the others\n`,
        );
        process.exitCode = 1;
        stop('SIGTERM');
      }
      if (children.every((other) => !other.running)) {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
  };
  if (plan.proxy !== undefined) children.push(startChild('proxy', plan.proxy));
  for (const [position, args] of plan.servers.entries()) {
    children.push(startChild(formatServerTag(position + 1), args, SERVER_NODE_OPTIONS));
  }
  children.forEach(watch);

  const client = relative(process.cwd(), clientMain);
  const lines = [
    `${PROGRAM}: ${plan.servers.length} servers started; Ctrl-C stops them all. Attach a client to any:`,
    ...plan.clientAddresses.map(
      (address, position) =>
        `  ${formatServerTag(position + 1)}: node ${client} ${address}   (or: chatclient ${address})`,
    ),
  ];
  if (plan.httpUrls !== undefined) {
    lines.push(
      'Or open a chat page in a browser (the dashboard is at /dashboard):',
      ...plan.httpUrls.map((url, position) => `  ${formatServerTag(position + 1)}: ${url}`),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
