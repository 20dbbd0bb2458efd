#!/usr/bin/env node
import { constants } from 'node:os';
import type { FrameSealing } from '@chat/protocol';
import { UdpBindError } from '@chat/transport';
import { SERVER_USAGE, parseServerArguments } from './cli.js';
import { checkServerIndex, loadConfigFile } from './config-file.js';
import { DebugLog, formatCounters } from './debug-log.js';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import { KEY_FILE_ENV, loadKeyFile } from './key-file.js';
import { ChatServer, type ChatServerOptions } from './server.js';
import { reportUsageError } from './usage-error.js';
import { warmUp } from './warm-up.js';

const PROGRAM = 'chatserver';
/** How often `-v` prints the counters. */
const STATS_INTERVAL_MS = 5_000;
/** A graceful shutdown that takes longer than this is cut short. */
const SHUTDOWN_DEADLINE_MS = 3_000;

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseServerArguments(argv, process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(`${SERVER_USAGE}\n`);
    return;
  }
  if (parsed.kind === 'error') {
    reportUsageError(PROGRAM, parsed.message, SERVER_USAGE);
    return;
  }
  const args = parsed.args;
  const config = await loadConfigFile(args.configPath);
  if (!config.ok) {
    reportUsageError(PROGRAM, config.message, SERVER_USAGE);
    return;
  }
  const indexError = checkServerIndex(args.index, config.servers, args.configPath);
  if (indexError !== undefined) {
    reportUsageError(PROGRAM, indexError, SERVER_USAGE);
    return;
  }

  let sealing: FrameSealing | undefined;
  if (args.keyFile !== undefined) {
    const loaded = await loadKeyFile(args.keyFile);
    if (!loaded.ok) {
      reportUsageError(PROGRAM, loaded.message, SERVER_USAGE);
      return;
    }
    // The epoch is this start's wall-clock time: later starts have larger epochs (see PeerEpochs).
    sealing = { epoch: Date.now(), authenticator: hmacSha256Authenticator(loaded.key) };
  }

  const log = new DebugLog(args.verbose, args.index);
  // A log reader that went away (EPIPE) must not take the server down: the log is lost, not the chat.
  process.stdout.on('error', () => undefined);
  const serverOptions: ChatServerOptions = {
    index: args.index,
    servers: config.servers,
    mode: args.mode,
    roomCount: args.roomCount,
    clientsMax: args.clientsMax,
    clientRateMax: args.clientRateMax,
    clientIdleMsMax: args.clientIdleMsMax,
    sealing,
    multicast: args.multicast,
    log,
    batchSends: args.batchSends,
  };
  // Before the socket opens: the first real posts then run optimized code (see warm-up.ts).
  if (args.warmUp) await warmUp(serverOptions);
  let server: ChatServer;
  try {
    server = await ChatServer.open(serverOptions);
  } catch (error) {
    if (!(error instanceof UdpBindError || error instanceof RangeError)) throw error;
    reportUsageError(PROGRAM, error.message, SERVER_USAGE);
    return;
  }

  if (sealing === undefined) {
    // Once, and only once the server runs: a usage error stays one line and the usage.
    process.stderr.write(
      `${PROGRAM}: warning: no cluster key (--key-file or ${KEY_FILE_ENV}): server-to-server ` +
        'datagrams are not authenticated, so anyone who can send from a configured address can forge them\n',
    );
  }

  const reportStats = (): void => log.report(`Stats ${formatCounters(statsWithMemory(server))}`);
  const statsTimer = args.verbose ? setInterval(reportStats, STATS_INTERVAL_MS) : undefined;
  process.on('SIGUSR1', reportStats);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the operator does not want to wait.
      log.flush();
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    clearInterval(statsTimer);
    process.off('SIGUSR1', reportStats);
    log.event(`Shutting down on ${signal}`);
    setTimeout(() => {
      log.report('Shutdown took too long; exiting anyway');
      log.flush();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    void server.close().then(() => {
      log.event(`Stats ${formatCounters(statsWithMemory(server))}`);
      log.event('Stopped');
      log.flush();
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The server's counters and the process's memory, so that growth under load or abuse shows. */
function statsWithMemory(server: ChatServer): Record<string, number> {
  const { rss, heapUsed } = process.memoryUsage();
  return { ...server.stats(), 'memory.rssBytes': rss, 'memory.heapUsedBytes': heapUsed };
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Not misuse but a bug: still one line, and a distinct status.
  process.stderr.write(`${PROGRAM}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
