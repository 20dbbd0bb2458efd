/**
 * The messages engines exchange. They are plain immutable values; how they travel (and how they are
 * encoded) is the caller's business: `@chat/protocol` has a compact codec for them.
 */

/** A server's index in the cluster: 1-based, as in the config file. */
export type NodeId = number;

/** A room (a multicast group) number: 1-based. */
export type RoomId = number;

/**
 * A view: the numbered set of nodes that currently work together. Views are numbered upward; every
 * message of the reliable channel carries the view it belongs to, and each view has fresh logs.
 */
export type ViewId = number;

/** A node in one run: a restarted node has a new, larger incarnation. */
export interface Member {
  readonly id: NodeId;
  readonly incarnation: number;
}

/**
 * In each view every member keeps one log of its own entries, numbered 1, 2, 3, ... (`seq`). Each
 * entry goes to every member, is repaired when lost and is handed to the ordering layer exactly once,
 * in `seq` order.
 */

/** A message a local client posted to a room; `payload` is opaque to the engine. */
export interface PostEntry {
  /** Tells a post from the other messages. */
  readonly kind: 'post';
  /** The view it was posted in: a log belongs to one view of its writer. */
  readonly view: ViewId;
  /** Its number in the sender's log. */
  readonly seq: number;
  /** The room it was posted to. */
  readonly room: RoomId;
  /** The bytes as posted. */
  readonly payload: Uint8Array;
}

/**
 * Total order only, written by the sequencer (the view's lowest node id): the post `(origin,
 * originSeq)` of `room` comes next in that room. The sequencer takes every origin's posts in that
 * origin's log order and writes one order entry for each, so every node delivers a room's posts in
 * the order of the sequencer's log (the same order everywhere) and each origin's posts in the order
 * it wrote them.
 */
export interface OrderEntry {
  /** Tells an order entry from the other messages. */
  readonly kind: 'order';
  /** The view whose sequencer wrote it. */
  readonly view: ViewId;
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
 * What the sender has, per member of the view (in the view's member order): `received` is the
 * highest seq it holds of that member's log without gaps (for the sender itself, the highest seq it
 * has written), and `delivered` the highest seq such that every post of it up to that seq has been
 * delivered here. `stable` is the highest seq of the sender's own log that every member has
 * acknowledged. Every node sends one at least every heartbeat.
 */
export interface StatusMessage {
  /** Tells a status from the other messages. */
  readonly kind: 'status';
  /** The view it speaks of. */
  readonly view: ViewId;
  /** Per member of the view, in member order: the highest seq of its log held without gaps. */
  readonly received: readonly number[];
  /** Per member, in member order: the highest seq up to which its posts are all delivered here. */
  readonly delivered: readonly number[];
  /** The highest seq of the sender's own log that every member has acknowledged. */
  readonly stable: number;
}

/** Asks the receiver to send entries `first..last` (inclusive) of `writer`'s log in `view` again. */
export interface NakMessage {
  /** Tells a NAK from the other messages. */
  readonly kind: 'nak';
  /** The view of the log asked for. */
  readonly view: ViewId;
  /** Whose log: the receiver's own, or a failed member's it holds (during a view change). */
  readonly writer: NodeId;
  /** The first seq asked for. */
  readonly first: number;
  /** The last seq asked for (at least `first`). */
  readonly last: number;
}

/** An entry of `writer`'s log, sent by another member: how a view change repairs a failed member's log. */
export interface RelayMessage {
  readonly kind: 'relay';
  readonly writer: NodeId;
  readonly entry: LogEntry;
}

/** Sent to every configured node at least every heartbeat: this node is alive, in this run and view. */
export interface HeartbeatMessage {
  /** Tells a heartbeat from the other messages. */
  readonly kind: 'heartbeat';
  /** The sender's run: a larger one than heard before means it restarted with a fresh state. */
  readonly incarnation: number;
  /** The view the sender is in (0: none yet). */
  readonly view: ViewId;
  /**
   * The proposal the sender has promised to take part in (0: none): a coordinator with a lower
   * proposal learns that it must propose above it.
   */
  readonly promised: ViewId;
}

/**
 * From the coordinator of a view change: stop working in your view (take no more posts, deliver
 * nothing more) and report what you hold of it, for the view `proposal` with these members.
 */
export interface PrepareMessage {
  readonly kind: 'prepare';
  readonly proposal: ViewId;
  readonly members: readonly Member[];
}

/**
 * A member's answer to `prepare`: what it holds of its current view `view` (whose members are
 * `members`): per member in that order, `through` is the highest seq held without gaps; `extras`
 * lists, as (writer, seq) pairs, posts delivered out of order beyond that (unordered only);
 * `safeThrough` is how far into the sequencer's log it may have delivered (total only); `adopted`
 * is the proposal whose cut of `view` it has already completed (0: none), sent alongside.
 */
export interface ReportMessage {
  readonly kind: 'report';
  readonly proposal: ViewId;
  readonly view: ViewId;
  readonly members: readonly NodeId[];
  readonly through: readonly number[];
  readonly extras: readonly number[];
  readonly safeThrough: number;
  readonly adopted: ViewId;
}

/**
 * What the members of `view` that go on to view `proposal` deliver of `view` before they move: per
 * member of `view` (in `members` order) every entry up to `through`, fetched from `holders` when
 * missing, plus `extras` as (writer, seq, holder) triples. In total order, `remainder` says whether
 * the posts the sequencer did not order are delivered too (the group holds a majority of all nodes),
 * and `safeThrough` how far the sequencer's order is delivered when not. `adopted` is a cut a member completed for an
 * earlier proposal (its report names which), resent under the current proposal's id.
 */
export interface CutMessage {
  readonly kind: 'cut' | 'adopted';
  readonly proposal: ViewId;
  readonly view: ViewId;
  readonly members: readonly NodeId[];
  readonly through: readonly number[];
  readonly holders: readonly NodeId[];
  readonly extras: readonly number[];
  readonly remainder: boolean;
  readonly safeThrough: number;
}

/** A member holds everything its cut names, and is ready to move to view `proposal`. */
export interface FlushedMessage {
  readonly kind: 'flushed';
  readonly proposal: ViewId;
}

/** From the coordinator: every member is ready; install view `proposal` with these members. */
export interface InstallMessage {
  readonly kind: 'install';
  readonly proposal: ViewId;
  readonly members: readonly Member[];
}

export type ChannelMessage = LogEntry | StatusMessage | NakMessage | RelayMessage;

export type MembershipMessage =
  | HeartbeatMessage
  | PrepareMessage
  | ReportMessage
  | CutMessage
  | FlushedMessage
  | InstallMessage;

export type PeerMessage = ChannelMessage | MembershipMessage;
