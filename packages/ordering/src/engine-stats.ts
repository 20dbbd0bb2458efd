/** Counters an operator reads to see the engine working. All are totals since start except depths. */
export interface EngineStats {
  /** Own log entries written (posts and, at the sequencer, order entries). */
  entriesWritten: number;
  /** Peer entries accepted for the first time. */
  entriesReceived: number;
  /** Posts handed to the local clients (`pollDelivery`). */
  deliveries: number;
  /** Entries sent again: in answer to NAKs and on retry timers. */
  retransmissions: number;
  /** NAKs sent: gaps asked for again. */
  naksSent: number;
  /** NAKs from peers, answered with retransmissions. */
  naksReceived: number;
  /** Status messages sent: acknowledgements and heartbeats. */
  statusesSent: number;
  /** Entries that arrived again after being held or handed up, dropped. */
  duplicatesDropped: number;
  /** Entries too far ahead of the receive window, dropped (they will be resent). */
  outOfWindowDropped: number;
  /** Messages that broke the protocol (unknown sender, bad room, impossible seq), dropped. */
  invalidDropped: number;
  /** Messages of another view than this node's (late, early, or from a node left out), dropped. */
  otherViewDropped: number;
  /** Views installed. */
  viewChanges: number;
  /** View changes this node coordinated that failed: a member did not answer a step in time. */
  viewChangesFailed: number;
  /** Statuses claiming to hold more of this node's log than it wrote (forged), ignored. */
  acknowledgementsBeyondLog: number;
  /** Local posts `post()` refused (window full, payload too large, bad room). */
  postsRefused: number;
  /** Depth (current value): own log entries some peer does not hold yet. */
  logDepth: number;
  /** Depth (current value): own posts in flight, not yet delivered at every node. */
  postWindowDepth: number;
  /** Depth (current value): peer entries held back, waiting for a gap before them. */
  holdBackDepth: number;
  /** Total order (current value): posts waiting for their order entry, and order entries for their post. */
  totalOrderPending: number;
  /** The current view's id (0: none joined yet). */
  viewId: number;
  /** The current view's member count. */
  viewMembers: number;
  /** 1 when the current view is primary (a majority of the configured nodes), else 0. */
  viewPrimary: number;
  /**
   * Members of the current view this node has not heard from for `suspectMs` (current value). A
   * view change leaves such a member out within about a second, unless the others still hear it
   * and this node hears them (a link that fails one way): then this node, or that member, is left
   * out two `suspectMs` later (see `LinkReports`). Meanwhile what waits on that member's entries
   * here waits with it.
   */
  viewUnheard: number;
}

export const emptyStats = (): EngineStats => ({
  entriesWritten: 0,
  entriesReceived: 0,
  deliveries: 0,
  retransmissions: 0,
  naksSent: 0,
  naksReceived: 0,
  statusesSent: 0,
  duplicatesDropped: 0,
  outOfWindowDropped: 0,
  invalidDropped: 0,
  otherViewDropped: 0,
  viewChanges: 0,
  viewChangesFailed: 0,
  acknowledgementsBeyondLog: 0,
  postsRefused: 0,
  logDepth: 0,
  postWindowDepth: 0,
  holdBackDepth: 0,
  totalOrderPending: 0,
  viewId: 0,
  viewMembers: 1,
  viewPrimary: 0,
  viewUnheard: 0,
});
