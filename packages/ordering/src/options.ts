import type { NodeId, PeerMessage, RoomId } from './messages.js';

export type OrderingMode = 'unordered' | 'fifo' | 'total';

export const ORDERING_MODES: readonly OrderingMode[] = ['unordered', 'fifo', 'total'];

/** Bounds on memory. Every buffer in the engine has one; `OrderingEngine` checks they fit together. */
export interface EngineLimits {
  /**
   * Own posts in flight: posted here but not yet delivered at every node. Past it, `post()` refuses
   * new posts (`window-full`). This is the only back-pressure, and it bounds every other buffer:
   * each entry a node holds, writes or waits for concerns some post in flight.
   */
  readonly postWindowEntriesMax: number;
  /**
   * A peer's entries held at most, counted from the next one to hand up: entries further ahead are
   * dropped (and NAKed again once there is room). It must cover everything a peer can have in
   * flight: `postWindowEntriesMax`, or in total order `postWindowEntriesMax * (nodeCount + 1)` (the
   * sequencer writes an order entry for every post in flight besides its own posts). Left out, it is
   * the larger of 65,536 and that.
   */
  readonly receiveWindowEntriesMax: number;
  /** Rooms are 1..roomIdMax; entries for other rooms are refused. */
  readonly roomIdMax: number;
  /** Largest payload accepted by `post()`. */
  readonly payloadBytesMax: number;
  /** Entries resent in answer to one NAK, and asked for in one round of NAKs. */
  readonly retransmitEntriesPerNakMax: number;
}

/** Timers, in milliseconds of the caller's clock. */
export interface EngineTiming {
  /** How long a gap must persist before it is NAKed (absorbs reordering). */
  readonly nakDelayMs: number;
  /** How long a node waits to batch acknowledgements into one status message. */
  readonly ackDelayMs: number;
  /** First NAK repeat interval while a gap persists; doubles up to the max. */
  readonly retryIntervalMs: number;
  readonly retryIntervalMsMax: number;
  /**
   * A node sends a status at least this often, even when idle: it repairs lost statuses (so lost
   * tails are NAKed and post windows freed) and tells peers the node is alive.
   */
  readonly heartbeatIntervalMs: number;
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
  receiveWindowEntriesMax: 65_536,
  roomIdMax: 1024,
  payloadBytesMax: 4096,
  retransmitEntriesPerNakMax: 256,
};

export const DEFAULT_TIMING: EngineTiming = {
  nakDelayMs: 30,
  ackDelayMs: 10,
  retryIntervalMs: 100,
  retryIntervalMsMax: 1000,
  heartbeatIntervalMs: 100,
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
