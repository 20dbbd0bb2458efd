/** Counters an operator reads to see the engine working. All are totals since start except depths. */
export interface EngineStats {
  /** Own log entries written (posts and proposals). */
  entriesWritten: number;
  /** Peer entries accepted for the first time. */
  entriesReceived: number;
  deliveries: number;
  /** Entries sent again: in answer to NAKs and on retry timers. */
  retransmissions: number;
  naksSent: number;
  naksReceived: number;
  statusesSent: number;
  duplicatesDropped: number;
  /** Entries too far ahead of the receive window, dropped (they will be resent). */
  outOfWindowDropped: number;
  /** Messages that broke the protocol (unknown sender, bad room, impossible seq), dropped. */
  invalidDropped: number;
  /** Statuses from peers that hold more of this node's log than it wrote: it restarted. */
  acknowledgementsBeyondLog: number;
  postsRefused: number;
  /** Depths (current values): own entries some peer lacks, own posts in flight, held peer entries. */
  logDepth: number;
  postWindowDepth: number;
  holdBackDepth: number;
  totalOrderPending: number;
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
  acknowledgementsBeyondLog: 0,
  postsRefused: 0,
  logDepth: 0,
  postWindowDepth: 0,
  holdBackDepth: 0,
  totalOrderPending: 0,
});
