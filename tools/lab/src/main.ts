#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listNamespaces, rootRequirement } from './ip-command.js';
import { LAB_USAGE, parseLabArguments } from './lab-arguments.js';
import type { LabCommand } from './lab-arguments.js';
import { LabCluster, LAB_SERVER_PORT } from './lab-cluster.js';
import { CLIENT_MAIN, STRESS_MAIN } from './lab-programs.js';
import { findLabPrefixes, NetworkLab, removeLab } from './network-lab.js';

const USAGE_EXIT_STATUS = 2;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(argv: readonly string[]): Promise<number> {
  const command = parseLabArguments(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${LAB_USAGE}\n`);
    return 0;
  }
  if (command.kind === 'error') return usageError(command.message);
  const notRoot = rootRequirement(process.getuid?.());
  if (notRoot !== undefined) return usageError(notRoot);
  switch (command.kind) {
    case 'up':
      return up(command);
    case 'down':
      return down(command.prefix);
    case 'client':
      return client(command.prefix, command.host, command.args);
    case 'stress':
      return stress(command.prefix, command.args);
  }
}

async function up(command: Extract<LabCommand, { kind: 'up' }>): Promise<number> {
  const { prefix } = command;
  if ((await listNamespaces()).some((name) => name.startsWith(`${prefix}-`))) {
    process.stderr.write(
      `chatlab: lab '${prefix}' exists already (running elsewhere, or left over): chatlab down${prefix === 'chatlab' ? '' : ` --prefix ${prefix}`}\n`,
    );
    return 1;
  }
  let stopping: Promise<void> | undefined;
  let lab: NetworkLab | undefined;
  let cluster: LabCluster | undefined;
  const tearDown = (): Promise<void> =>
    (stopping ??= (async () => {
      await cluster?.stop();
      // Removes whatever exists under the prefix, including what a half-built lab left.
      const removed = await removeLab(prefix);
      process.stdout.write(
        `chatlab: removed ${removed.length} namespaces (${prefix}-*) and their links\n`,
      );
    })());
  const onSignal = (): void => {
    void tearDown().then(() => process.exit(0));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    lab = await NetworkLab.create(prefix, command.hosts, command.clientHosts);
    cluster = await LabCluster.start(lab, {
      mode: command.mode,
      multicast: command.multicast,
      verbose: command.verbose,
      onLine: (host, line) => process.stdout.write(`[h${host}] ${line}\n`),
    });
    printLab(lab, cluster, command);
    // A server killed to watch its clients fail over is reported; the lab runs on until a signal.
    for (const [position, server] of cluster.servers.entries()) {
      void server.exited.then(({ code, signal }) => {
        if (stopping !== undefined) return;
        process.stderr.write(
          `chatlab: server ${position + 1} exited (${signal ?? `status ${code}`}); the other hosts run on; Ctrl-C removes the lab\n`,
        );
      });
    }
    return await new Promise<never>(() => {});
  } finally {
    await tearDown();
  }
}

function printLab(
  lab: NetworkLab,
  cluster: LabCluster,
  command: Extract<LabCommand, { kind: 'up' }>,
): void {
  const prefixOption = lab.prefix === 'chatlab' ? '' : ` --prefix ${lab.prefix}`;
  const lines = [
    `chatlab: ${lab.hosts.length} hosts on one bridge (namespace ${lab.switchNamespace}), 198.51.100.0/24, no route out;`,
    `  servers in ${command.mode} mode, ${command.multicast === undefined ? 'unicast fan-out' : `IP multicast ${command.multicast}`}`,
    ...lab.hosts.map(
      (host, i) =>
        `  host ${host.name}: namespace ${host.namespace}, chatserver ${host.address}:${LAB_SERVER_PORT} (pid ${cluster.servers[i]!.child.pid})`,
    ),
    ...lab.clientHosts.map(
      (host) => `  client host ${host.name}: namespace ${host.namespace}, ${host.address}`,
    ),
    `  config ${cluster.configPath}`,
    'Attach a client inside host 2 (it fails over to the others in turn):',
    `  pnpm lab client 2${prefixOption}`,
    `  ip netns exec ${lab.hosts[Math.min(1, lab.hosts.length - 1)]!.namespace} node ${CLIENT_MAIN} ${rotate(cluster.addresses, 1).join(' ')}`,
    ...(lab.clientHosts.length > 0
      ? [
          `Load it from client host c1: pnpm lab stress${prefixOption} -o ${command.mode} --clients 20`,
        ]
      : []),
    'Ctrl-C stops the servers and removes the lab (or: pnpm lab down).',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The servers starting at position `first`, round robin: a host's client starts at its own server. */
function rotate<T>(items: readonly T[], first: number): T[] {
  return [...items.slice(first), ...items.slice(0, first)];
}

async function down(prefix: string): Promise<number> {
  const prefixes = prefix === 'all' ? await findLabPrefixes() : [prefix];
  let count = 0;
  for (const each of prefixes) count += (await removeLab(each)).length;
  process.stdout.write(
    `chatlab: removed ${count} namespaces (${prefixes.map((p) => `${p}-*`).join(', ') || 'none found'})\n`,
  );
  return 0;
}

/** Reads the lab's config for its servers' addresses (the lab runs in another terminal). */
async function runningLab(
  prefix: string,
): Promise<{ configPath: string; addresses: string[] } | undefined> {
  const configPath = join(NetworkLab.directoryOf(prefix), 'lab.conf');
  if (!existsSync(configPath)) return undefined;
  const addresses = (await readFile(configPath, 'utf8'))
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  return { configPath, addresses };
}

async function client(prefix: string, host: number, args: readonly string[]): Promise<number> {
  const running = await runningLab(prefix);
  if (running === undefined) return notRunning(prefix);
  if (host > running.addresses.length)
    return usageError(`the lab has hosts 1..${running.addresses.length}`);
  return runInNamespace(`${prefix}-h${host}`, CLIENT_MAIN, [
    ...args,
    ...rotate(running.addresses, host - 1),
  ]);
}

async function stress(prefix: string, args: readonly string[]): Promise<number> {
  const running = await runningLab(prefix);
  if (running === undefined) return notRunning(prefix);
  const namespace = `${prefix}-c1`;
  if (!(await listNamespaces()).includes(namespace))
    return usageError(`no client host ${namespace}: start the lab with --client-hosts 1 or more`);
  return runInNamespace(namespace, STRESS_MAIN, ['--config', running.configPath, ...args]);
}

function notRunning(prefix: string): number {
  process.stderr.write(`chatlab: no lab '${prefix}' is running: start one with pnpm lab up N\n`);
  return 1;
}

/** Runs a built program inside a lab namespace, on this terminal. */
function runInNamespace(
  namespace: string,
  script: string,
  args: readonly string[],
): Promise<number> {
  return runInherited(['ip', 'netns', 'exec', namespace, process.execPath, script, ...args]);
}

/** Runs a program on this terminal and returns its exit status; signals go to it, not to us. */
function runInherited(command: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' });
    const ignore = (): void => {};
    for (const signal of SIGNALS) process.on(signal, ignore);
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + 2)));
  });
}

function usageError(message: string): number {
  process.stderr.write(`chatlab: ${message}\n${LAB_USAGE}\n`);
  return USAGE_EXIT_STATUS;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`chatlab: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
