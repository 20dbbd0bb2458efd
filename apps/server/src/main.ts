#!/usr/bin/env -S node --min-semi-space-size=16 --interrupt-budget=16384
// The shebang's Node options are SERVER_NODE_OPTIONS (node-options.ts says why).
import { constants } from 'node:os';
import { formatSocketAddress, type FrameSealing } from '@chat/protocol';
import { UdpBindError } from '@chat/transport';
import { CLIENT_BURST_SECONDS, SERVER_USAGE, parseServerArguments } from './cli.js';
import { checkServerIndex, loadConfigFile } from './config-file.js';
import { DebugLog, formatCounters } from './debug-log.js';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import { viewOf } from './http/membership-view.js';
import { ServerMetrics } from './http/server-metrics.js';
import { WebFrontEnd } from './http/web-front-end.js';
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
  const httpCluster = args.http?.cluster;
  if (httpCluster !== undefined && httpCluster.length !== config.servers.length) {
    reportUsageError(
      PROGRAM,
      `--http-cluster lists ${httpCluster.length} addresses but ${args.configPath} has ${config.servers.length} servers`,
      SERVER_USAGE,
    );
    return;
  }

  // This run's number: larger than any earlier run's, so peers tell a restarted server (with a
  // fresh state) from the one they knew, and merge it back into their view.
  const startedAtMs = Date.now();
  let sealing: FrameSealing | undefined;
  if (args.keyFile !== undefined) {
    const loaded = await loadKeyFile(args.keyFile);
    if (!loaded.ok) {
      reportUsageError(PROGRAM, loaded.message, SERVER_USAGE);
      return;
    }
    // The epoch is this start's wall-clock time: later starts have larger epochs (see PeerEpochs).
    sealing = { epoch: startedAtMs, authenticator: hmacSha256Authenticator(loaded.key) };
  }

  const log = new DebugLog(args.verbose, args.index);
  // A log reader that went away (EPIPE) must not take the server down: the log is lost, not the chat.
  process.stdout.on('error', () => undefined);
  // Created before the server, which reports its posts' latency into it.
  const metrics = args.http === undefined ? undefined : new ServerMetrics();
  const serverOptions: ChatServerOptions = {
    index: args.index,
    servers: config.servers,
    mode: args.mode,
    roomCount: args.roomCount,
    clientsMax: args.clientsMax,
    clientRateMax: args.clientRateMax,
    clientIdleMsMax: args.clientIdleMsMax,
    sealing,
    incarnation: startedAtMs,
    suspectMs: args.suspectMs,
    heartbeatMs: args.heartbeatMs,
    multicast: args.multicast,
    log,
    batchSends: args.batchSends,
    batchReceives: args.batchReceives,
  };
  // Once the socket is bound and before the server handles anything: the first real posts then run
  // optimized code (see warm-up.ts). The throwaway cluster reports no latencies: the metrics are
  // the real server's.
  const warmUpFirst = async (): Promise<void> => {
    try {
      await warmUp(serverOptions);
    } catch (error) {
      // Only speed is lost: the server is the same without it.
      log.report(`Warm-up failed (${(error as Error).message}); starting without it`);
    }
  };
  let server: ChatServer;
  try {
    server = await ChatServer.open(
      { ...serverOptions, onOwnPostDelivered: metrics?.observeOwnPostLatencyMs },
      args.warmUp ? warmUpFirst : undefined,
    );
  } catch (error) {
    if (!(error instanceof UdpBindError || error instanceof RangeError)) throw error;
    reportUsageError(PROGRAM, error.message, SERVER_USAGE);
    return;
  }
  // At once, before anything else is awaited: the server answers clients from now on, and a SIGUSR1
  // that arrives before a handler is installed would start Node's inspector instead.
  const reportStats = (): void => log.report(`Stats ${formatCounters(statsWithMemory(server))}`);
  const statsTimer = args.verbose ? setInterval(reportStats, STATS_INTERVAL_MS) : undefined;
  process.on('SIGUSR1', reportStats);

  let web: WebFrontEnd | undefined;
  if (args.http !== undefined && metrics !== undefined) {
    const chat = server;
    try {
      web = await WebFrontEnd.open(
        {
          http: args.http,
          index: args.index,
          mode: args.mode,
          roomCount: args.roomCount,
          servers: config.servers,
          clientRateMax: args.clientRateMax,
          clientBurstMax: args.clientRateMax * CLIENT_BURST_SECONDS,
          clientIdleMsMax: args.clientIdleMsMax,
          staticDirectory: new URL('./web/', import.meta.url),
          metrics,
          clock: () => performance.now(),
        },
        {
          clientLine: (data, channel) => chat.clientLine(data, channel),
          clientGone: (key) => chat.clientGone(key),
          stats: () => statsWithMemory(chat),
          view: () => viewOf(chat),
        },
      );
    } catch (error) {
      clearInterval(statsTimer);
      process.off('SIGUSR1', reportStats);
      await server.close();
      const message = error instanceof Error ? error.message : String(error);
      reportUsageError(
        PROGRAM,
        `--http ${formatSocketAddress(args.http.listen)}: ${message}`,
        SERVER_USAGE,
      );
      return;
    }
    const front = web;
    metrics.watch({ stats: () => front.stats(), view: () => viewOf(chat) });
    log.event(
      `Serving the chat page, WebSocket clients (/ws), /metrics and /healthz on http://${formatSocketAddress(front.address)}`,
    );
  }

  if (sealing === undefined) {
    // Once, and only once the server runs: a usage error stays one line and the usage.
    process.stderr.write(
      `${PROGRAM}: warning: no cluster key (--key-file or ${KEY_FILE_ENV}): server-to-server ` +
        'datagrams are not authenticated, so anyone who can send from a configured address can forge them\n',
    );
  }

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
    void Promise.all([web?.close(), server.close()]).then(() => {
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
