import type { NodeId } from './messages.js';
import type { EngineTiming, OrderingMode } from './options.js';

/** Who a status goes to: every other member, or these. */
export type StatusRecipients = 'all' | readonly NodeId[];

/**
 * Views of at most this many members send every status to every member at once after an entry
 * arrives: with two peers a status to every member costs one datagram more than to one, and
 * holding acknowledgements back saved nothing measurable there (3 servers, closed loop: 107,411
 * posts/s in total order against 123,481, FIFO 162,981 against 181,886; its first second's p99
 * doubled), while with 10 members it cut server datagrams per post from 4.5 to 1.9.
 */
export const STATUS_TO_ALL_MEMBERS_MAX = 3;

/** Whose acknowledgements a delivery waits on, in one member's view. */
export interface StatusUrgency {
  /** A small view (`STATUS_TO_ALL_MEMBERS_MAX`): every status to every member, at once. */
  readonly allAtOnce: boolean;
  /**
   * Total order, at a member of the sequencer's acknowledgement quorum (`statusUrgency`): the
   * sequencer, which orders a post and makes an order entry deliverable once a majority holds it,
   * and must hear of every entry at once.
   */
  readonly waitingPeer: NodeId | undefined;
  /**
   * Total order, at the sequencer, where a member cannot tell alone that a majority holds an order
   * entry (more than 3 nodes: it and the sequencer are no majority): its statuses say how far its
   * order may be delivered.
   */
  readonly announces: boolean;
}

/**
 * Whose acknowledgements a delivery waits on at `self`, in a view of `members` (the sequencer
 * first) out of `nodeCount` configured nodes.
 *
 * In total order the sequencer orders another member's post, and makes an order entry deliverable,
 * once a majority of all nodes, itself included, holds it; so only the members next after it in the
 * view, as many as that majority lacks (its acknowledgement quorum), acknowledge every entry to it
 * at once, and the others' acknowledgements go in their batches. With 10 servers, 5 members instead
 * of 9 answer each entry at once: 10% fewer server datagrams per post under load (chatserver,
 * closed loop). The price: a quorum member that is slow or gone holds deliveries back until the
 * others' batches come (`ackBatchMsMax`), not only until the fastest majority answers, and until a
 * view change leaves a failed one out; at 1,000 posts/s the median latency rose by 0.1-0.2 ms.
 */
export function statusUrgency(
  mode: OrderingMode,
  members: readonly NodeId[],
  self: NodeId,
  nodeCount: number,
): StatusUrgency {
  const sequencer = members[0];
  const position = members.indexOf(self);
  const majority = Math.floor(nodeCount / 2) + 1;
  const inAckQuorum = position >= 1 && position < majority;
  return {
    allAtOnce: members.length <= STATUS_TO_ALL_MEMBERS_MAX,
    waitingPeer: mode === 'total' && inAckQuorum ? sequencer : undefined,
    announces: mode === 'total' && self === sequencer && majority > 2,
  };
}

/**
 * When a member's status goes out, and to whom. A status to every member costs a datagram per
 * member, and each one wakes the member it reaches, so with many members most of a member's
 * datagrams were statuses (10 servers, total order: 4.5 peer datagrams per post against 1.1 for
 * the posts alone). Yet only some acknowledgements have a delivery waiting on them:
 *
 * - in total order, the sequencer's: its acknowledgement quorum tells it at once of every entry
 *   that arrives (`waitingPeer`), and its own statuses, which say how far a majority holds its
 *   order, go to every member at once (`announces`), so that the members need not hear from each
 *   other to deliver. With 3 nodes or fewer a member needs no word: it and the sequencer are a
 *   majority (at 2,000 posts/s, 3 servers: 6.6 server datagrams per post instead of 8.0);
 * - a writer learning that its entries arrived (to free its post window and its log) waits up to
 *   `ackBatchMsMax` for other acknowledgements to join it, or less: when this node writes an entry,
 *   which goes to every member, the status goes to every member with it;
 * - a writer with half a post window delivered or made stable here and not yet told, in total
 *   order (`writerWaits`, see `WindowNews`): at once.
 *
 * The rest (every member learning what the others hold, to drop the entries all hold) goes with
 * those statuses to every member, and at least every heartbeat, whatever is owed: that status also
 * repairs lost statuses.
 */
export class StatusSchedule {
  readonly #peerCount: number;
  readonly #urgency: StatusUrgency;
  readonly #timing: EngineTiming;
  /** By node id: entries of its log arrived, or news it waits on, since the last status it was sent. */
  readonly #owed: boolean[];
  #owedCount = 0;
  /** An entry was written while acknowledgements were owed: the next status goes to every member. */
  #wroteWhileOwing = false;
  /**
   * When a status goes that a delivery waits on (at once, or `ackDelayMs` after the last one): to
   * the waiting peer, or to every member. Cleared only by a status to one of them.
   */
  #soonDeadline: number | undefined;
  /** When the owed acknowledgements go, if no status has taken them before. */
  #batchDeadline: number | undefined;
  #heartbeatDeadline: number | undefined;
  #sentMs = Number.NEGATIVE_INFINITY;

  /** `peerCount`: the view's other members; `slots`: node ids are below it. */
  constructor(peerCount: number, slots: number, urgency: StatusUrgency, timing: EngineTiming) {
    this.#peerCount = peerCount;
    this.#urgency = urgency;
    this.#timing = timing;
    this.#owed = new Array<boolean>(slots).fill(false);
  }

  /** An entry of `from`'s log arrived (new or not: a duplicate means `from` may not know it's here). */
  arrived(now: number, from: NodeId): void {
    if (!this.#owed[from]) {
      this.#owed[from] = true;
      this.#owedCount += 1;
    }
    const waitingPeer = this.#urgency.waitingPeer;
    if (waitingPeer !== undefined || this.#urgency.allAtOnce) this.#soon(now);
    if (from !== waitingPeer && !this.#urgency.allAtOnce) this.#batchSoonerOrLater(now);
  }

  /** This node wrote an entry, which goes to every member: owed acknowledgements can go with it. */
  wrote(now: number): void {
    // Every field is read and written whether acknowledgements are owed or not. V8 inlines this
    // into every post and optimizes it for the accesses it has seen run, and a server's warm-up
    // never wrote while owing (`--trace-deopt`: no type feedback for those accesses), so an access
    // made only then threw the optimized post path away in a real server's first burst.
    const owing = this.#owedCount > 0;
    this.#wroteWhileOwing = this.#wroteWhileOwing || owing;
    const soonDeadline = this.#soonDeadline;
    const soonMs = this.#soonMs(now);
    this.#soonDeadline = owing ? (soonDeadline ?? soonMs) : soonDeadline;
  }

  /** The sequencer: a majority holds more of its order, which the members may wait to hear. */
  orderSafe(now: number): void {
    if (this.#urgency.announces) this.#soon(now);
  }

  /**
   * What this node would tell `writer` frees half its post window (`WindowNews`): a status goes to
   * it now, or `ackDelayMs` after the last one.
   */
  writerWaits(now: number, writer: NodeId): void {
    if (!this.#owed[writer]) {
      this.#owed[writer] = true;
      this.#owedCount += 1;
    }
    const dueMs = this.#soonMs(now);
    if (this.#batchDeadline === undefined || dueMs < this.#batchDeadline) {
      this.#batchDeadline = dueMs;
    }
  }

  /** The earliest time `take` has a status to send. */
  nextDeadline(): number | undefined {
    let next = this.#heartbeatDeadline;
    const soon = this.#soonDeadline;
    if (soon !== undefined && (next === undefined || soon < next)) next = soon;
    const batch = this.#batchDeadline;
    if (batch !== undefined && (next === undefined || batch < next)) next = batch;
    return next;
  }

  /** Whom a status goes to now (and it counts as sent), or undefined if none is due. */
  take(now: number): StatusRecipients | undefined {
    this.#heartbeatDeadline ??= now + this.#timing.heartbeatIntervalMs;
    const heartbeatDue = this.#heartbeatDeadline <= now;
    const batchDue = this.#batchDeadline !== undefined && this.#batchDeadline <= now;
    const soonDue = this.#soonDeadline !== undefined && this.#soonDeadline <= now;
    if (!heartbeatDue && !batchDue && !soonDue) return undefined;
    this.#sentMs = now;
    const soonPending = this.#soonDeadline !== undefined;
    this.#soonDeadline = undefined;
    const toAll =
      heartbeatDue ||
      this.#wroteWhileOwing ||
      this.#urgency.allAtOnce ||
      this.#urgency.announces ||
      (batchDue && this.#owedCount >= this.#peerCount);
    if (toAll) {
      this.#heartbeatDeadline = now + this.#timing.heartbeatIntervalMs;
      this.#clearOwed();
      return 'all';
    }
    const waitingPeer = this.#urgency.waitingPeer;
    if (!batchDue && waitingPeer !== undefined) {
      // Only the peer that waits on it: the rest may go with a later status.
      this.#unowe(waitingPeer);
      if (this.#owedCount === 0) this.#batchDeadline = undefined;
      return [waitingPeer];
    }
    // The batch: the waiting peer too if a status to it is pending, due or not (it is going anyway).
    const recipients: NodeId[] = [];
    for (let node = 1; node < this.#owed.length; node++) {
      if (this.#owed[node] || (soonPending && node === waitingPeer)) recipients.push(node);
    }
    this.#clearOwed();
    return recipients;
  }

  /** The owed batch goes within `ackBatchMsMax`, if no status takes it before. */
  #batchSoonerOrLater(now: number): void {
    this.#batchDeadline ??= Math.max(
      now + this.#timing.ackBatchMsMax,
      this.#sentMs + this.#timing.ackDelayMs,
    );
  }

  #soon(now: number): void {
    this.#soonDeadline ??= this.#soonMs(now);
  }

  /** When a status a delivery waits on may go, if none is pending: `ackDelayMs` after the last. */
  #soonMs(now: number): number {
    return Math.max(now, this.#sentMs + this.#timing.ackDelayMs);
  }

  #unowe(node: NodeId): void {
    if (!this.#owed[node]) return;
    this.#owed[node] = false;
    this.#owedCount -= 1;
  }

  #clearOwed(): void {
    this.#owed.fill(false);
    this.#owedCount = 0;
    this.#wroteWhileOwing = false;
    this.#batchDeadline = undefined;
  }
}
