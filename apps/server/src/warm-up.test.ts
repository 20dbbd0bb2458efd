import { describe, expect, test } from 'vitest';
import type { OrderingMode } from '@chat/ordering';
import { DebugLog } from './debug-log.js';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import type { ChatServerOptions } from './server.js';
import { warmUp } from './warm-up.js';

const address = (port: number) => ({ host: '127.0.0.1', port });
const options = (
  mode: OrderingMode,
  servers: number,
  keyed: boolean,
  roomCount: number,
): ChatServerOptions => ({
  index: 1,
  servers: Array.from({ length: servers }, (_, i) => ({
    forward: address(6000 + i),
    bind: address(6000 + i),
  })),
  mode,
  roomCount,
  clientsMax: 100,
  clientRateMax: 5_000,
  clientIdleMsMax: 600_000,
  sealing: keyed
    ? { epoch: 1, authenticator: hmacSha256Authenticator(new Uint8Array(32).fill(7)) }
    : undefined,
  multicast: undefined,
  log: new DebugLog(false, 1, {
    write: () => {
      throw new Error('the warm-up must not log to the real log');
    },
  }),
});

describe('the warm-up runs every post through a throwaway cluster on loopback sockets', () => {
  test.each([
    ['unordered', 3, true, 10],
    ['fifo', 3, false, 10],
    ['total', 3, true, 10],
    ['total', 10, true, 10],
    ['fifo', 1, true, 10],
    ['total', 1, false, 10],
    ['total', 3, true, 1],
  ] as const)(
    '%s mode, %i configured servers, keyed %s, %i rooms',
    async (mode, servers, keyed, rooms) => {
      const summary = await warmUp(options(mode, servers, keyed, rooms), 600);
      const throwawayServers = Math.min(servers, 3);
      // Two clients per throwaway server, in two rooms that span every server (or in the one room).
      const clientsPerRoom = rooms === 1 ? throwawayServers * 2 : throwawayServers;
      expect(summary.refused).toBe(0);
      expect(summary.posted).toBeGreaterThanOrEqual(600);
      expect(summary.deliveries).toBe(summary.posted * clientsPerRoom);
    },
  );
});

test("the first cluster's quiet spell stays short with a long heartbeat", async () => {
  // Three heartbeats of a minute each would hold the server's start for three minutes, past the
  // test's timeout.
  const summary = await warmUp(
    { ...options('fifo', 3, true, 10), heartbeatMs: 60_000, suspectMs: 180_000 },
    600,
  );
  expect(summary.deliveries).toBe(summary.posted * 3);
});
