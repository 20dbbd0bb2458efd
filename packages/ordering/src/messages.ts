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
  /** Tells a post from the other messages. */
  readonly kind: 'post';
  /** Its number in the sender's log. */
  readonly seq: number;
  /** The room it was posted to. */
  readonly room: RoomId;
  /** The bytes as posted. */
  readonly payload: Uint8Array;
}

/**
 * Total order only, written by the sequencer (the lowest node id): the post `(origin, originSeq)` of
 * `room` comes next in that room. The sequencer takes every origin's posts in that origin's log order
 * and writes one order entry for each, so every node delivers a room's posts in the order of the
 * sequencer's log (the same order everywhere) and each origin's posts in the order it wrote them.
 */
export interface OrderEntry {
  /** Tells an order entry from the other messages. */
  readonly kind: 'order';
  /** Its number in the sequencer's log. */
  readonly seq: number;
  /** The room whose next post it names. */
  readonly room: RoomId;
  /** The node that wrote the post. */
  readonly origin: NodeId;
  /** The post's `seq` in its origin's log. */
  readonly originSeq: number;
}

/** An entry of a node's log: what every peer must get, repaired when lost. */
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
  /** Tells a status from the other messages. */
  readonly kind: 'status';
  /** Per node k at index k - 1: the highest seq of k's log held without gaps. */
  readonly received: readonly number[];
  /** Per node k at index k - 1: the highest seq up to which k's posts are all delivered here. */
  readonly delivered: readonly number[];
  /** The highest seq of the sender's own log that every peer has acknowledged. */
  readonly stable: number;
}

/** Asks the receiver to send its log entries `first..last` (inclusive) again. */
export interface NakMessage {
  /** Tells a NAK from the other messages. */
  readonly kind: 'nak';
  /** The first seq asked for. */
  readonly first: number;
  /** The last seq asked for (at least `first`). */
  readonly last: number;
}

/** Any message one engine sends another: a log entry, a status or a NAK. */
export type PeerMessage = LogEntry | StatusMessage | NakMessage;
