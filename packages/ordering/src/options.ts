import type { NodeId, PeerMessage, RoomId } from './messages.js';

export type OrderingMode = 'unordered' | 'fifo' | 'total';

export const ORDERING_MODES: readonly OrderingMode[] = ['unordered', 'fifo', 'total'];

/** Bounds on memory. Every buffer in the engine has one. */
export interface EngineLimits {
  /**
   * Own posts not yet held by every peer. Past it, `post()` refuses new posts: the back-pressure
   * that keeps a lagging or unreachable peer from growing the log without bound. A log also holds
   * total-order proposals; while it holds `postWindowEntriesMax * (nodeCount + 1)` entries, the
   * node takes no more posts from its peers (so it writes no more proposals) until some are
   * acknowledged.
   */
  readonly postWindowEntriesMax: number;
  /**
   * A peer's entries held at most: arrived but not yet handed to the ordering layer, or waiting for
   * a gap before them. Later ones are dropped (and resent once there is room).
   */
  readonly receiveWindowEntriesMax: number;
  /** Rooms are 1..roomIdMax; entries for other rooms are refused. */
  readonly roomIdMax: number;
  /** Largest payload accepted by `post()`. */
  readonly payloadBytesMax: number;
  /** Entries resent in answer to one NAK. */
  readonly retransmitEntriesPerNakMax: number;
}

/** Timers, in milliseconds of the caller's clock. */
export interface EngineTiming {
  /** How long a gap must persist before it is NAKed (absorbs reordering). */
  readonly nakDelayMs: number;
  /** How long a node waits to batch acknowledgements into one status message. */
  readonly ackDelayMs: number;
  /** First status/NAK repeat interval while something is unacknowledged; doubles up to the max. */
  readonly retryIntervalMs: number;
  readonly retryIntervalMsMax: number;
}

export interface EngineOptions {
  readonly mode: OrderingMode;
  /** This node's id, 1..nodeCount. */
  readonly self: NodeId;
  /** Nodes are 1..nodeCount; all of them take part in every room. */
  readonly nodeCount: number;
  readonly limits?: Partial<EngineLimits>;
  readonly timing?: Partial<EngineTiming>;
}

export const DEFAULT_LIMITS: EngineLimits = {
  postWindowEntriesMax: 1024,
  receiveWindowEntriesMax: 65536,
  roomIdMax: 1024,
  payloadBytesMax: 4096,
  retransmitEntriesPerNakMax: 256,
};

export const DEFAULT_TIMING: EngineTiming = {
  nakDelayMs: 30,
  ackDelayMs: 10,
  retryIntervalMs: 100,
  retryIntervalMsMax: 1000,
};

/** A message to send: to one peer, or to every peer but this node. */
export interface Transmit {
  readonly to: NodeId | 'all';
  readonly message: PeerMessage;
}

/** A post to hand to the local clients of `room`, in the mode's order. */
export interface Delivery {
  readonly room: RoomId;
  readonly origin: NodeId;
  readonly originSeq: number;
  readonly payload: Uint8Array;
}

export type PostResult =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly reason: 'window-full' | 'payload-too-large' | 'bad-room' };
