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
 * Total order only: the sender's proposed priority for the post `(origin, originSeq)`. Every node
 * proposes for every post (the origin too) and sends the proposal to all nodes; the agreed priority of
 * a post is the largest of its proposals, ties broken by the proposer's id.
 */
export interface ProposalEntry {
  readonly kind: 'proposal';
  readonly seq: number;
  readonly room: RoomId;
  readonly origin: NodeId;
  readonly originSeq: number;
  readonly priority: number;
}

export type LogEntry = PostEntry | ProposalEntry;

/**
 * What the sender has: `received[k - 1]` is the highest seq it holds without gaps from node k; for the
 * sender itself, the highest seq it has written. It acknowledges, reveals lost tails, and is the
 * heartbeat while anything is unacknowledged.
 */
export interface StatusMessage {
  readonly kind: 'status';
  readonly received: readonly number[];
}

/** Asks the receiver to send its log entries `first..last` (inclusive) again. */
export interface NakMessage {
  readonly kind: 'nak';
  readonly first: number;
  readonly last: number;
}

export type PeerMessage = LogEntry | StatusMessage | NakMessage;
