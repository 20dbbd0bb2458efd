import type { NodeId, PeerMessage, RoomId, ViewId } from './messages.js';

/**
 * What an engine guarantees about the order of deliveries: `unordered` (each post once, as it
 * arrives), `fifo` (each origin's posts in the order it posted them) or `total` (one order of a
 * room's posts at every node, which also keeps each origin's order).
 */
export type OrderingMode = 'unordered' | 'fifo' | 'total';

/** Every `OrderingMode`, weakest first. */
export const ORDERING_MODES: readonly OrderingMode[] = ['unordered', 'fifo', 'total'];

/** Bounds on memory. Every buffer in the engine has one; `OrderingEngine` checks they fit together. */
export interface EngineLimits {
  /**
   * Own posts in flight: posted here but not yet delivered at every node. Past it, `post()` refuses
   * new posts (`window-full`). This is the only back-pressure, and it bounds every other buffer:
   * each entry a node holds, writes or waits for concerns some post in flight. Every node of a
   * cluster needs the same value: in total order a node drops a peer's posts past its own window
   * as a faulty peer's.
   */
  readonly postWindowEntriesMax: number;
  /**
   * A peer's entries held at most, counted from the next one to hand up: entries further ahead are
   * dropped (and NAKed again once there is room). It must cover everything a peer can have in
   * flight: `postWindowEntriesMax`, or in total order `postWindowEntriesMax * (nodeCount + 1)` (the
   * sequencer writes at most one order entry for every post in flight besides its own posts). Left
   * out, it is the larger of 65,536 and that.
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
  /**
   * The least time between two status messages that acknowledge entries. In total order a
   * delivery waits on acknowledgements (a post is ordered, and delivered, once a majority holds
   * it), so those do not wait for a timer after a quiet spell: an entry received by a member of
   * the sequencer's acknowledgement quorum (the members after it in the view, as many as a majority
   * of all nodes lacks) makes a status to the sequencer due `now` (at the next `tick`), unless one
   * went out less than this long ago; what else arrives before the status goes joins it. The
   * default, 1, bounds a node that ticks after every datagram to one status per millisecond (with
   * many nodes, a status per entry would be a storm); a caller that ticks once at the end of each
   * event-loop turn, as chatserver does, may set 0: one status per turn.
   */
  readonly ackDelayMs: number;
  /**
   * How long an acknowledgement no delivery waits on may be held back, in a view of more than
   * `STATUS_TO_ALL_MEMBERS_MAX` members: one that tells a writer its entries arrived (to free its
   * post window and its log), in every mode but from a member of total order's acknowledgement
   * quorum to the sequencer. It goes with the next status to every member (sent when this node
   * writes an entry, and every heartbeat), or to the writers alone this long after its entry
   * arrived, so that a member does not send a datagram to each writer for every entry it receives.
   */
  readonly ackBatchMsMax: number;
  /** First NAK repeat interval while a gap persists; doubles up to the max. */
  readonly retryIntervalMs: number;
  /** The longest NAK repeat interval, where the doubling stops. */
  readonly retryIntervalMsMax: number;
  /**
   * A node sends a heartbeat (and, in a view with others, a status) at least this often, even when
   * idle: it tells peers the node is alive, and repairs lost statuses (so lost tails are NAKed and
   * post windows freed).
   */
  readonly heartbeatIntervalMs: number;
  /**
   * A node not heard from for this long is taken for failed, and a view change leaves it out; a step
   * of a view change a member does not answer within it fails that member the same way.
   */
  readonly suspectMs: number;
}

/** What `new OrderingEngine(options)` takes. */
export interface EngineOptions {
  /** The ordering guarantee; every node of a group must use the same one. */
  readonly mode: OrderingMode;
  /** This node's id, 1..nodeCount. */
  readonly self: NodeId;
  /** Nodes are 1..nodeCount: those alive and connected form the view, and take part in every room. */
  readonly nodeCount: number;
  /**
   * This run of the node: a node that restarts (with a fresh engine) must use a larger one than
   * before, e.g. its start time in milliseconds. Default 0.
   */
  readonly incarnation?: number;
  /** Bounds on memory; each one left out is taken from `DEFAULT_LIMITS`. */
  readonly limits?: Partial<EngineLimits>;
  /** Timers; each one left out is taken from `DEFAULT_TIMING`. */
  readonly timing?: Partial<EngineTiming>;
}

/** The limits an engine uses where `EngineOptions.limits` leaves one out. */
export const DEFAULT_LIMITS: EngineLimits = {
  postWindowEntriesMax: 1024,
  receiveWindowEntriesMax: 65_536,
  roomIdMax: 1024,
  payloadBytesMax: 4096,
  retransmitEntriesPerNakMax: 256,
};

/** The timers an engine uses where `EngineOptions.timing` leaves one out. */
export const DEFAULT_TIMING: EngineTiming = {
  nakDelayMs: 30,
  ackDelayMs: 1,
  ackBatchMsMax: 5,
  retryIntervalMs: 100,
  retryIntervalMsMax: 1000,
  heartbeatIntervalMs: 100,
  suspectMs: 1000,
};

/** A message to send: to one peer, or to every peer but this node. */
export interface Transmit {
  /** One peer's id, or `'all'`: every node of the group but this one. */
  readonly to: NodeId | 'all';
  /** What to send; encode it with any codec that keeps its fields. */
  readonly message: PeerMessage;
}

/** A post to hand to the local clients of `room`, in the mode's order. */
export interface Delivery {
  /** The room it was posted to. */
  readonly room: RoomId;
  /** The node whose client posted it. */
  readonly origin: NodeId;
  /** Its `seq` in the origin's log of `view` (what `post()` answered there). */
  readonly originSeq: number;
  /** The bytes as posted. */
  readonly payload: Uint8Array;
  /** The view the post was posted and delivered in. */
  readonly view: ViewId;
}

/** A view as a node installed it. */
export interface View {
  /** Its number: every view a node installs has a larger one than the last. */
  readonly id: ViewId;
  /** Ascending node ids. */
  readonly members: readonly NodeId[];
  /** Whether it holds a majority of the configured nodes: total order is delivered only then. */
  readonly primary: boolean;
}

/**
 * Why a post was refused: the post window is full (`window-full`), a view change is under way or
 * the node has not joined a view yet (`view-change`), total order without a majority
 * (`no-majority`), or the post itself is wrong.
 */
export type PostRefusal =
  'window-full' | 'view-change' | 'no-majority' | 'payload-too-large' | 'bad-room';

/** What `post()` answers: taken, with the post's `seq` in this node's log of its view; or refused, with why. */
export type PostResult =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly reason: PostRefusal };
