import { formatSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import type { DelayProxyStats, ReceiveOutcome } from './delay-proxy.js';
import type { RelayPolicyOptions } from './relay-policy.js';

/** `S01`, `S02`, ...: a 0-based server index shown 1-based, as in the config file and server logs. */
export function formatServerTag(serverIndex: number): string {
  return `S${String(serverIndex + 1).padStart(2, '0')}`;
}

export function describeStart(
  serverCount: number,
  options: RelayPolicyOptions,
  seed: number,
): string {
  return (
    `Relaying for ${serverCount} servers: delay 0..${options.delayMsMax} ms, ` +
    `loss ${options.lossProbability}, duplicate ${options.duplicateProbability}, ` +
    `seed ${seed} (replay with --seed ${seed})`
  );
}

/** One `-v` line per relay decision. */
export function describeOutcome(
  outcome: ReceiveOutcome,
  atServer: number,
  from: SocketAddress,
  byteCount: number,
): string {
  if (outcome.kind === 'foreign') {
    return (
      `Dropped ${byteCount} bytes from ${formatSocketAddress(from)} to ` +
      `${formatServerTag(atServer)}'s forward address: not from a server`
    );
  }
  const route = `${formatServerTag(outcome.fromServer)} -> ${formatServerTag(outcome.toServer)} ${byteCount} bytes`;
  switch (outcome.kind) {
    case 'lost':
      return `${route}: lost`;
    case 'cut':
      return `${route}: dropped, link cut`;
    case 'overflow':
      return `${route}: dropped, too much in flight`;
    case 'scheduled': {
      const [first, second] = outcome.delaysMs;
      return second === undefined
        ? `${route}: delay ${first} ms`
        : `${route}: duplicated, delays ${first} ms and ${second} ms`;
    }
  }
}

export function describeStats(
  stats: DelayProxyStats,
  sendErrors: number,
  cutDatagrams: number,
): string {
  return (
    `Stats received ${stats.received}, relayed ${stats.relayed}, lost ${stats.lost}, ` +
    `duplicated ${stats.duplicated}, foreign ${stats.foreign}, overflow ${stats.overflow}, ` +
    `in flight ${stats.inFlight}, send errors ${sendErrors}, cut by --course-limits ${cutDatagrams}, ` +
    `dropped on cut links ${stats.cutLinks}`
  );
}
