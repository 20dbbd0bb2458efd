/**
 * Where and when the page reconnects after losing its server: to the next server that answered
 * its last health check (so a stopped server is skipped while others are up), its own server only
 * when no other is known to be up, and with a delay that doubles on each failed attempt.
 */

export const RECONNECT_DELAY_MS_MIN = 250;
export const RECONNECT_DELAY_MS_MAX = 4_000;

export interface ServerEndpoint {
  readonly index: number;
  /** `ws://IP:port/ws`, or undefined when the page does not know this server's HTTP address. */
  readonly ws: string | undefined;
}

/**
 * The server for reconnection attempt `attempt` (0, 1, ...) after `current` was lost: the first
 * reachable one after it in config order (wrapping around) that is known up; when none is, each
 * reachable server in turn, `current` first (it may be restarting).
 */
export function nextServer(
  servers: readonly ServerEndpoint[],
  current: number,
  isUp: (index: number) => boolean,
  attempt: number,
): number {
  const reachable = servers.filter((server) => server.ws !== undefined);
  const start = reachable.findIndex((server) => server.index > current);
  const rotated = start < 0 ? reachable : [...reachable.slice(start), ...reachable.slice(0, start)];
  const others = rotated.filter((server) => server.index !== current);
  const up = others.find((server) => isUp(server.index));
  if (up !== undefined) return up.index;
  const own = reachable.some((server) => server.index === current) ? [current] : [];
  const cycle = [...own, ...others.map((server) => server.index)];
  return cycle[attempt % Math.max(1, cycle.length)] ?? current;
}

/** The delay before attempt `attempt` (0 = the first retry). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(RECONNECT_DELAY_MS_MAX, RECONNECT_DELAY_MS_MIN * 2 ** Math.min(attempt, 10));
}
