#!/usr/bin/env node
import { randomInt } from 'node:crypto';
import { constants } from 'node:os';
import { TimestampedLog } from '@chat/app-support';
import { SeededRandom } from '@chat/ordering/testing';
import { formatSocketAddress } from '@chat/protocol';
import { UdpBindError } from '@chat/transport';
import { ControlSocket } from './control-socket.js';
import { LINK_COMMAND_USAGE } from './link-command.js';
import { describeStart, describeStats } from './log-text.js';
import { PROXY_USAGE, SEED_MAX, parseProxyArguments } from './proxy-arguments.js';
import { loadProxyConfig } from './proxy-config.js';
import { ProxyRuntime } from './proxy-runtime.js';
import { RelayPolicy } from './relay-policy.js';

const USAGE_EXIT_STATUS = 2;
/** In place of a server's `Snn`, so proxy and server logs sort together. */
const PROXY_LOG_TAG = 'PRX';

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseProxyArguments(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${PROXY_USAGE}\n`);
    return;
  }
  if (parsed.kind === 'error') return usageError(parsed.message);
  const args = parsed.args;
  const config = await loadProxyConfig(args.configPath);
  if (!config.ok) return usageError(config.message);

  const seed = args.seed ?? randomInt(0, SEED_MAX + 1);
  const options = {
    delayMsMax: args.delayMsMax,
    lossProbability: args.lossProbability,
    duplicateProbability: args.duplicateProbability,
  };
  const log = new TimestampedLog(PROXY_LOG_TAG, process.stdout);
  const policy = new RelayPolicy(options, new SeededRandom(seed));
  let runtime: ProxyRuntime;
  try {
    runtime = await ProxyRuntime.open({
      servers: config.servers,
      policy,
      log,
      verbose: args.verbose,
      courseLimits: args.courseLimits,
    });
  } catch (error) {
    // A config naming an address that is taken or not local is the same mistake as a bad config.
    if (!(error instanceof UdpBindError)) throw error;
    return usageError(error.message);
  }
  let control: ControlSocket | undefined;
  if (args.controlPort !== undefined) {
    try {
      control = await ControlSocket.open(
        args.controlPort,
        policy.links,
        config.servers.length,
        log,
      );
    } catch (error) {
      await runtime.close();
      if (!(error instanceof UdpBindError)) throw error;
      return usageError(error.message);
    }
  }
  log.line(describeStart(config.servers.length, options, seed));
  if (control !== undefined) {
    log.line(`Control socket on ${formatSocketAddress(control.address)}: ${LINK_COMMAND_USAGE}`);
  }

  const reportStats = (): void =>
    log.line(describeStats(runtime.stats, runtime.sendErrors, runtime.cutDatagrams));
  process.on('SIGUSR1', reportStats);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the operator does not want to wait.
      log.flush();
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    void Promise.all([runtime.close(), control?.close()]).then(() => {
      reportStats();
      log.flush();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function usageError(message: string): void {
  process.stderr.write(`chatproxy: ${message}\n${PROXY_USAGE}\n`);
  process.exitCode = USAGE_EXIT_STATUS;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`chatproxy: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
