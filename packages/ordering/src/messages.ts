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

/**
 * The largest view id: a message naming a larger one is dropped as malformed, and no node proposes
 * beyond it (2^35 - 1: a view change every millisecond would take a year to get there). Peers
 * that are not authenticated could push a group to it with one forged message: authenticate them.
 */
export const VIEW_ID_MAX = 2 ** 35 - 1;

/** A node in one run: a restarted node has a new, larger incarnation. */
export interface Member {
  /** The node. */
  readonly id: NodeId;
  /** Its run: `EngineOptions.incarnation` of the engine that runs it. */
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
 * Most posts one order entry names: its rooms list then stays small enough (two bytes a room in
 * `@chat/protocol`) to ride in a datagram with the posts themselves.
 */
export const ORDER_RUN_POSTS_MAX = 64;

/**
 * Total order only, written by the sequencer (the view's lowest node id): the posts
 * `originSeq, originSeq + 1, ...` of `origin`'s log, one per item of `rooms`, each come next in its
 * room, in that order. The sequencer takes every origin's posts in that origin's log order and names
 * each in one order entry (a run of an origin's posts that a majority holds at once shares one), so
 * every member delivers a room's posts in the order of the sequencer's log (the same order
 * everywhere) and each origin's posts in the order it wrote them.
 */
export interface OrderEntry {
  /** Tells an order entry from the other messages. */
  readonly kind: 'order';
  /** The view whose sequencer wrote it. */
  readonly view: ViewId;
  /** Its number in the sequencer's log. */
  readonly seq: number;
  /** The node that wrote the posts. */
  readonly origin: NodeId;
  /** The first post's `seq` in its origin's log; the others follow it there without a gap. */
  readonly originSeq: number;
  /** Per post, in origin log order: its room. 1 to `ORDER_RUN_POSTS_MAX` of them. */
  readonly rooms: readonly RoomId[];
}

/** An entry of a node's log: what every peer must get, repaired when lost. */
export type LogEntry = PostEntry | OrderEntry;

/**
 * What the sender has, per member of the view (in the view's member order): `received` is the
 * highest seq it holds of that member's log without gaps (for the sender itself, the highest seq it
 * has written), and `delivered` the highest seq such that every post of it up to that seq has been
 * delivered here. `stable` is the highest seq of the sender's own log that every member has
 * acknowledged. Every node sends one to every member at least every heartbeat, and others to some
 * members between (see `StatusSchedule`).
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
  /**
   * Total order, from the sequencer: the highest seq of its log that a majority of all nodes
   * holds, so that the members may deliver up to it without hearing from each other (0 from the
   * other members, and outside total order).
   */
  readonly safe: number;
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

/**
 * An entry of `writer`'s log, sent by another member (answering a NAK that names `writer`): how a
 * view change repairs the log of a member that failed.
 */
export interface RelayMessage {
  /** Tells a relay from the other messages. */
  readonly kind: 'relay';
  /** Whose log the entry belongs to. */
  readonly writer: NodeId;
  /** The entry, as its writer wrote it. */
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
  /**
   * The node the sender takes for the coordinator: the lowest-numbered node it hears. A node that
   * hears of a lower one than itself leaves view changes to it, even when it does not hear that node
   * itself (a link that fails between two nodes that both reach the others).
   */
  readonly coordinator: NodeId;
  /**
   * The configured nodes the sender has not heard from within `suspectMs` (in their current run),
   * ascending; none while the sender itself has been up for less than `suspectMs`. A node that
   * others hear but this one does not (a link that fails one way, or two nodes cut off from each
   * other while a third hears both) cannot work in one view with it: see `LinkReports`, which
   * leaves one of each such pair out of the view.
   */
  readonly unheard: readonly NodeId[];
  /**
   * The nodes the sender leaves out of views by that rule, ascending, itself too; none unless it
   * hears every node present (only then does it know every list the rule needs). A node named here
   * by a node it hears works alone.
   */
  readonly leftOut: readonly NodeId[];
}

/**
 * From the coordinator of a view change: stop working in your view (take no more posts, deliver
 * nothing more) and report what you hold of it, for the view `proposal` with these members.
 */
export interface PrepareMessage {
  /** Tells a prepare from the other messages. */
  readonly kind: 'prepare';
  /** The id of the proposed view. */
  readonly proposal: ViewId;
  /** The proposed view's members, ascending, with the runs the coordinator knows of. */
  readonly members: readonly Member[];
}

/** A member's answer to `prepare`: what it holds of the view it is in. */
export interface ReportMessage {
  /** Tells a report from the other messages. */
  readonly kind: 'report';
  /** The proposal it answers. */
  readonly proposal: ViewId;
  /** The view the member is in. */
  readonly view: ViewId;
  /** That view's members, ascending. */
  readonly members: readonly NodeId[];
  /** Per member of `view`, in `members` order: the highest seq of its log held without gaps. */
  readonly through: readonly number[];
  /** Unordered only: (writer, seq) pairs of posts delivered ahead of a gap, beyond `through`. */
  readonly extras: readonly number[];
  /** Total order only: how far into the sequencer's log the member may have delivered. */
  readonly safeThrough: number;
  /**
   * The proposal whose cut of `view` the member has already completed (0: none); that cut is sent
   * alongside as an `adopted` message.
   */
  readonly adopted: ViewId;
}

/** Which posts past the sequencer's safe order a group leaving a view delivers (`CutMessage`). */
export const CUT_REMAINDERS = ['none', 'all', 'own'] as const;

/** One of `CUT_REMAINDERS`. */
export type CutRemainder = (typeof CUT_REMAINDERS)[number];

/**
 * What the members of `view` that go on to view `proposal` deliver of `view` before they move (a
 * `cut`, from the coordinator), or a cut a member completed for an earlier proposal, resent under
 * the current proposal's id (`adopted`, from the member: its report names that proposal).
 */
export interface CutMessage {
  /** `cut` from the coordinator, `adopted` from a member. */
  readonly kind: 'cut' | 'adopted';
  /** The proposal it belongs to. */
  readonly proposal: ViewId;
  /** The view it cuts. */
  readonly view: ViewId;
  /** That view's members, ascending. */
  readonly members: readonly NodeId[];
  /** Per member of `view`, in `members` order: every entry of its log up to this seq is delivered. */
  readonly through: readonly number[];
  /** Per member of `view`, in `members` order: who to fetch its missing entries from. */
  readonly holders: readonly NodeId[];
  /** Unordered only: (writer, seq, holder) triples of posts beyond `through` delivered too. */
  readonly extras: readonly number[];
  /**
   * Total order: which of the posts the sequencer did not order (or ordered beyond
   * `orderedThrough`) are delivered too, by origin and seq: `all` when the group holds a majority
   * of all nodes (two groups never both do); `own` when the group is one node, which delivers its
   * own (one origin's posts have one order wherever they are delivered: its own); else `none`.
   */
  readonly remainder: CutRemainder;
  /** Total order: the highest seq of the sequencer's log a member of the group may have delivered. */
  readonly safeThrough: number;
  /**
   * Total order: how far the sequencer's order is delivered, in its order, before the remainder (a
   * minority's group stops sooner, at `safeThrough`).
   */
  readonly orderedThrough: number;
  /**
   * Total order: whether `orderedThrough` was fixed by a majority's cut (this one, or one it
   * adopted, which some group may have installed). Every later cut of the view keeps it, so that
   * a later majority delivers the remainder in the order the first one did.
   */
  readonly orderFixed: boolean;
}

/** A member holds everything its cut names, and is ready to move to view `proposal`. */
export interface FlushedMessage {
  /** Tells a flushed from the other messages. */
  readonly kind: 'flushed';
  /** The proposal whose cut it holds. */
  readonly proposal: ViewId;
}

/** From the coordinator: every member is ready; install view `proposal` with these members. */
export interface InstallMessage {
  /** Tells an install from the other messages. */
  readonly kind: 'install';
  /** The id of the view to install. */
  readonly proposal: ViewId;
  /** Its members, ascending, with their runs. */
  readonly members: readonly Member[];
}

/** The messages of one view's reliable channel: each carries its view (a relay, in its entry). */
export type ChannelMessage = LogEntry | StatusMessage | NakMessage | RelayMessage;

/** The messages of the failure detector and of view changes. */
export type MembershipMessage =
  HeartbeatMessage | PrepareMessage | ReportMessage | CutMessage | FlushedMessage | InstallMessage;

/** Any message one engine sends another. */
export type PeerMessage = ChannelMessage | MembershipMessage;
