/**
 * The messages engines exchange. They are plain immutable values; how they travel (and how they are
 * encoded) is the caller's business: `@chat/protocol` has a compact codec for them.
 */

/** A server's index in the cluster: 1-based, as in the config file. */
export type NodeId = number;

/** A room (a multicast group) number: 1-based. */
export type RoomId = number;

/**
 * Every node keeps one log of its own entries, numbered 1, 2, 3, ... (`seq`). Each entry goes to every
 * peer, is repaired when lost and is handed to the ordering layer exactly once, in `seq` order.
 */

/** A message a local client posted to a room; `payload` is opaque to the engine. */
export interface PostEntry {
  readonly kind: 'post';
  readonly seq: number;
  readonly room: RoomId;
  readonly payload: Uint8Array;
}

/**
 * Total order only, written by the sequencer (the lowest node id): the post `(origin, originSeq)` of
 * `room` comes next in that room. The sequencer takes every origin's posts in that origin's log order
 * and writes one order entry for each, so every node delivers a room's posts in the order of the
 * sequencer's log (the same order everywhere) and each origin's posts in the order it wrote them.
 */
export interface OrderEntry {
  readonly kind: 'order';
  readonly seq: number;
  readonly room: RoomId;
  readonly origin: NodeId;
  readonly originSeq: number;
}

export type LogEntry = PostEntry | OrderEntry;

/**
 * What the sender has, per node k (index k - 1): `received` is the highest seq it holds of k's log
 * without gaps (for the sender itself, the highest seq it has written), and `delivered` the highest
 * seq such that every post of k up to it has been delivered here. `stable` is the highest seq of the
 * sender's own log that every peer has acknowledged. `received` acknowledges (entries every node
 * holds are dropped) and reveals lost tails; `delivered`, and in total order the sequencer's
 * `stable`, free the origins' post windows. Every node sends one at least every heartbeat.
 */
export interface StatusMessage {
  readonly kind: 'status';
  readonly received: readonly number[];
  readonly delivered: readonly number[];
  readonly stable: number;
}

/** Asks the receiver to send its log entries `first..last` (inclusive) again. */
export interface NakMessage {
  readonly kind: 'nak';
  readonly first: number;
  readonly last: number;
}

export type PeerMessage = LogEntry | StatusMessage | NakMessage;
