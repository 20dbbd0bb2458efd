import {
  DEFAULT_LIMITS,
  type EngineLimits,
  type EngineTiming,
  type OrderingMode,
} from './options.js';

/** Upper bounds on the limits themselves (see `checkLimits`). */
export const POST_WINDOW_ENTRIES_MAX = 65_536;
export const RECEIVE_WINDOW_ENTRIES_MAX = 2 ** 23;
const TIMER_MS_MIN = 1;

/**
 * The most entries of one node's log that some peer may lack: its posts in flight, and in total
 * order (where the sequencer writes at most one order entry for every post in flight, its own
 * included) one entry more per post each node may have in flight.
 */
export function logEntriesMax(
  mode: OrderingMode,
  nodeCount: number,
  postWindowEntriesMax: number,
): number {
  return mode === 'total' ? postWindowEntriesMax * (nodeCount + 1) : postWindowEntriesMax;
}

/**
 * The limits an engine runs with: the given ones over the defaults, after checking that each is
 * usable and that they fit together. A conflict is the caller's mistake, so it throws a RangeError
 * naming it rather than letting a cluster stall later.
 */
export function checkLimits(
  mode: OrderingMode,
  nodeCount: number,
  given: Partial<EngineLimits>,
  timing: EngineTiming,
): EngineLimits {
  const postWindowEntriesMax = given.postWindowEntriesMax ?? DEFAULT_LIMITS.postWindowEntriesMax;
  requireInteger('postWindowEntriesMax', postWindowEntriesMax, 1, POST_WINDOW_ENTRIES_MAX);
  const inFlightMax = logEntriesMax(mode, nodeCount, postWindowEntriesMax);
  const limits: EngineLimits = {
    ...DEFAULT_LIMITS,
    receiveWindowEntriesMax: Math.max(DEFAULT_LIMITS.receiveWindowEntriesMax, inFlightMax),
    ...given,
  };
  // The window's ring is indexed with 32-bit masks, and one far-ahead entry may make it grow to
  // the whole window: both want a bound far below what memory allows.
  requireInteger(
    'receiveWindowEntriesMax',
    limits.receiveWindowEntriesMax,
    1,
    RECEIVE_WINDOW_ENTRIES_MAX,
  );
  requireInteger('roomIdMax', limits.roomIdMax, 1);
  requireInteger('payloadBytesMax', limits.payloadBytesMax, 0);
  requireInteger('retransmitEntriesPerNakMax', limits.retransmitEntriesPerNakMax, 1);
  if (limits.receiveWindowEntriesMax < inFlightMax) {
    // A peer's entries beyond the window are dropped unacknowledged: if the window is smaller than
    // what a peer may have in flight, a lost tail of it can never be repaired.
    throw new RangeError(
      `receiveWindowEntriesMax (${limits.receiveWindowEntriesMax}) must be at least the entries a ` +
        `peer may have in flight: ${inFlightMax} = ` +
        (mode === 'total'
          ? `postWindowEntriesMax (${postWindowEntriesMax}) x (nodeCount (${nodeCount}) + 1) in total order`
          : `postWindowEntriesMax (${postWindowEntriesMax})`),
    );
  }
  const { ackDelayMs, ackBatchMsMax, ...timers } = timing;
  // Not timers but the least gap between two statuses and the most an acknowledgement waits: 0 is
  // at the next tick.
  requireMilliseconds('ackDelayMs', ackDelayMs, 0);
  requireMilliseconds('ackBatchMsMax', ackBatchMsMax, 0);
  for (const [name, value] of Object.entries(timers)) {
    requireMilliseconds(name, value, TIMER_MS_MIN);
  }
  if (timing.retryIntervalMsMax < timing.retryIntervalMs) {
    throw new RangeError(
      `retryIntervalMsMax (${timing.retryIntervalMsMax}) must be at least retryIntervalMs (${timing.retryIntervalMs})`,
    );
  }
  return limits;
}

function requireInteger(
  name: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, not ${value}`);
  }
}

/**
 * Timers are at least a millisecond: a smaller step can vanish when added to a large clock reading
 * (`now + 1e-4 === now` at 1.7e12), and a deadline that never moves is a busy loop.
 */
function requireMilliseconds(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(
      `${name} must be a number of milliseconds >= ${min}, not ${String(value)}`,
    );
  }
}
