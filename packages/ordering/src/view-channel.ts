import type { EngineStats } from './engine-stats.js';
import {
  ORDER_RUN_POSTS_MAX,
  type ChannelMessage,
  type CutMessage,
  type LogEntry,
  type NakMessage,
  type NodeId,
  type OrderEntry,
  type PostEntry,
  type RelayMessage,
  type ReportMessage,
  type RoomId,
  type StatusMessage,
  type ViewId,
} from './messages.js';
import type {
  Delivery,
  EngineLimits,
  EngineTiming,
  OrderingMode,
  PostResult,
  Transmit,
} from './options.js';
import { PostWindow } from './post-window.js';
import { Queue } from './queue.js';
import { ReceiveWindow } from './receive-window.js';
import { SendLog } from './send-log.js';
import { StatusSchedule, statusUrgency, type StatusRecipients } from './status-schedule.js';
import { TotalOrder } from './total-order.js';
import { WindowNews } from './window-news.js';

/**
 * In unordered mode a post that arrives ahead of a gap is delivered at once only this close to the
 * gap; further ahead it waits for the gap to fill. That bounds what a member can have delivered out
 * of order, so that a view change can name every such post (see `report`).
 */
export const EARLY_DELIVERY_SEQS_MAX = 8;

/**
 * And all writers together at most this far ahead: a view change's report and cut name every such
 * post, and must still fit one datagram of a peer transport (about a kilobyte). With many members
 * each writer's share shrinks (to 1 at 64 members; none beyond).
 */
export const EARLY_DELIVERIES_MAX = 64;

export interface ViewChannelOptions {
  readonly mode: OrderingMode;
  readonly self: NodeId;
  readonly view: ViewId;
  /** Ascending; includes `self`. The first is the sequencer. */
  readonly members: readonly NodeId[];
  /** Nodes configured (not only in this view): a majority of them makes a view primary. */
  readonly nodeCount: number;
  readonly limits: EngineLimits;
  readonly timing: EngineTiming;
  readonly stats: EngineStats;
  readonly transmit: (transmit: Transmit) => void;
  readonly deliver: (delivery: Delivery) => void;
}

/**
 * The reliable channel and the ordering of one view: every member numbers its own log entries,
 * peers hold back out-of-order entries, NAK gaps, and acknowledge with status messages; entries every
 * member holds are dropped. On top of it, `unordered` delivers a post when it first arrives, `fifo`
 * in its origin's log order, and `total` in the order the sequencer (the first member) names.
 *
 * No member ever refuses to take a peer's entry once its turn has come, so no two members wait on
 * each other; the only back-pressure is each origin's post window, freed as the members report (in
 * their statuses) that they have delivered its posts.
 *
 * In total order a member delivers an order entry only once a majority of all configured nodes holds
 * it: any later primary view then contains a member that holds it, so a view change can never order
 * differently what some member already delivered. A view without a majority delivers nothing in
 * total order.
 *
 * When the view ends, `freeze` stops it (no new entries, no deliveries), `report` says what this
 * member holds, `applyCut` fetches what the coordinator's cut names, and `finish` delivers it.
 */
export class ViewChannel {
  readonly view: ViewId;
  readonly members: readonly NodeId[];
  readonly primary: boolean;
  readonly #mode: OrderingMode;
  readonly #self: NodeId;
  readonly #nodeCount: number;
  readonly #limits: EngineLimits;
  readonly #stats: EngineStats;
  readonly #transmit: (transmit: Transmit) => void;
  readonly #deliver: (delivery: Delivery) => void;
  /** By node id: the member's position in `members`, or -1. */
  readonly #position: number[];
  readonly #log: SendLog;
  readonly #postWindow: PostWindow;
  /** By node id; undefined at `self` and for non-members. */
  readonly #windows: (ReceiveWindow | undefined)[];
  /** By node id: the highest seq of this node's log that node reported delivered. */
  readonly #deliveredByPeer: number[];
  /** By member position, then writer position: what that member reported holding. */
  readonly #receivedBy: number[][];
  /** Unordered: by node id, the seqs delivered ahead of a gap (at most `#earlySeqsMax`). */
  readonly #early: Set<number>[];
  /** Unordered: how far ahead of a writer's gap a post is delivered at once. */
  readonly #earlySeqsMax: number;
  readonly #totalOrder: TotalOrder | undefined;
  readonly #sequencer: NodeId;
  /** Total order, at the sequencer, by origin: posts taken and not yet ordered, in log order. */
  readonly #unordered: Queue<PostEntry>[];
  /** Total order, at the sequencer, by origin: its order entries some member does not hold yet. */
  readonly #unstableOrders: Queue<OrderEntry>[];
  /** Total order, at the sequencer, by origin: the posts those entries name. */
  readonly #unstableOrderedPosts: number[];
  /** Total order, at members other than the sequencer: the sequencer's last reported stable seq. */
  #sequencerStableSeq = 0;
  /** Total order, at members other than the sequencer: what the sequencer said a majority holds. */
  #sequencerSafeSeq = 0;
  /** Total order: order entries up to this seq are held by a majority of all nodes. */
  #safeSeq = 0;
  /** Total order: what this node has to tell the writers that frees their post windows. */
  readonly #windowNews: WindowNews | undefined;
  /** By member position: what each holds of one log, for the majority counts (no garbage per entry). */
  readonly #heldScratch: Float64Array;
  /**
   * Work that inputs made due and `settle` does once for all of them: a datagram carries many
   * entries and a status, and each majority count sorts the members' holdings.
   * Total order, at the sequencer: posts may have become orderable.
   */
  #ordersDue = false;
  /** Total order: the safe seq may have moved. */
  #safeSeqDue = false;
  /** The post window may have room to free. */
  #postWindowDue = false;
  /** Peers' entries may now be held by every member, and be dropped. */
  #retainedDue = false;
  /** Total order: posts were delivered or their order made stable, which a writer may wait on. */
  #windowNewsDue = false;
  readonly #statuses: StatusSchedule;
  /** The latest time given with an input: when a status that `settle` makes due may go. */
  #latestMs = Number.NEGATIVE_INFINITY;
  #frozen = false;
  /** While a cut is being fetched: by node id, who to ask for that writer's missing entries. */
  #holders: NodeId[] | undefined;
  #cut: CutMessage | undefined;

  constructor(options: ViewChannelOptions) {
    this.view = options.view;
    this.members = options.members;
    this.primary = options.members.length * 2 > options.nodeCount;
    this.#mode = options.mode;
    this.#self = options.self;
    this.#nodeCount = options.nodeCount;
    this.#limits = options.limits;
    this.#stats = options.stats;
    this.#transmit = options.transmit;
    this.#deliver = options.deliver;
    const slots = options.nodeCount + 1;
    this.#position = new Array<number>(slots).fill(-1);
    options.members.forEach((id, position) => (this.#position[id] = position));
    this.#log = new SendLog(options.self, options.members, options.limits.postWindowEntriesMax);
    this.#postWindow = new PostWindow(options.limits.postWindowEntriesMax);
    this.#windows = Array.from({ length: slots }, (_, id) =>
      this.#position[id]! >= 0 && id !== options.self
        ? new ReceiveWindow(options.limits, options.timing)
        : undefined,
    );
    this.#deliveredByPeer = new Array<number>(slots).fill(0);
    this.#receivedBy = options.members.map(() => new Array<number>(options.members.length).fill(0));
    this.#heldScratch = new Float64Array(options.members.length);
    this.#early = Array.from({ length: slots }, () => new Set<number>());
    this.#earlySeqsMax = Math.min(
      EARLY_DELIVERY_SEQS_MAX,
      Math.floor(EARLY_DELIVERIES_MAX / options.members.length),
    );
    this.#sequencer = options.members[0]!;
    this.#unordered = Array.from({ length: slots }, () => new Queue<PostEntry>());
    this.#unstableOrders = Array.from({ length: slots }, () => new Queue<OrderEntry>());
    this.#unstableOrderedPosts = new Array<number>(slots).fill(0);
    this.#totalOrder =
      options.mode === 'total'
        ? new TotalOrder(
            options.nodeCount,
            options.limits.roomIdMax,
            options.limits.postWindowEntriesMax,
            this.#deliverInTotalOrder,
          )
        : undefined;
    this.#windowNews =
      options.mode === 'total'
        ? new WindowNews(slots, options.limits.postWindowEntriesMax)
        : undefined;
    this.#statuses = new StatusSchedule(
      options.members.length - 1,
      slots,
      statusUrgency(options.mode, options.members, options.self, options.nodeCount),
      options.timing,
    );
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  isMember(node: NodeId): boolean {
    return this.#position[node] !== undefined && this.#position[node]! >= 0;
  }

  post(now: number, room: RoomId, payload: Uint8Array): PostResult {
    this.#latestMs = now;
    // All but the ordering, which waits for the outputs to be read: the sequencer's own posts of a
    // batch of inputs (an event-loop turn of a server) then go in one order entry, not one each.
    this.#deliverAndRelease();
    if (this.#postWindow.isFull) return { ok: false, reason: 'window-full' };
    const entry: PostEntry = {
      kind: 'post',
      view: this.view,
      seq: this.#log.nextSeq,
      room,
      payload,
    };
    this.#write(entry);
    this.#postWindow.add(entry.seq, this.#totalOrder !== undefined);
    if (this.#totalOrder === undefined) this.#deliverPost(this.#self, entry);
    else this.#takePostInTotalOrder(this.#self, entry);
    this.#postWindowDue = true;
    return { ok: true, seq: entry.seq };
  }

  /**
   * Does the work the inputs since the last call made due, in the order one input would: order
   * what a majority now holds (at the sequencer), deliver what a majority holds of that order,
   * free the post window, drop the peers' entries every member holds, and tell a writer at once
   * what frees half its post window. The engine calls it before its outputs or stats are read, and
   * a tick or a freeze starts with it (a post with all but the ordering and the telling): nothing
   * outside the channel sees the state in between.
   */
  settle(): void {
    if (this.#ordersDue) {
      this.#ordersDue = false;
      this.#orderEntriesStable();
    }
    this.#deliverAndRelease();
    if (this.#windowNewsDue) {
      this.#windowNewsDue = false;
      this.#tellWaitingWriters();
    }
  }

  /** Total order: a status goes at once to each writer with half a post window of news here. */
  #tellWaitingWriters(): void {
    const news = this.#windowNews!;
    for (const writer of this.members) {
      if (writer !== this.#self && news.isDue(writer, this.#deliveredSeq(writer))) {
        this.#statuses.writerWaits(this.#latestMs, writer);
      }
    }
  }

  /** `settle` after the ordering: deliver, free the post window, drop what every member holds. */
  #deliverAndRelease(): void {
    if (this.#safeSeqDue) {
      this.#safeSeqDue = false;
      this.#updateSafeSeq();
    }
    if (this.#postWindowDue) {
      this.#postWindowDue = false;
      this.#releasePostWindow();
    }
    if (this.#retainedDue) {
      this.#retainedDue = false;
      this.#releaseRetained();
    }
  }

  /** A channel message of this view from member `from`. */
  receive(now: number, from: NodeId, message: ChannelMessage): void {
    this.#latestMs = now;
    switch (message.kind) {
      case 'post':
      case 'order':
        this.#receiveEntry(now, from, message);
        return;
      case 'relay':
        this.#receiveRelay(now, message);
        return;
      case 'status':
        this.#receiveStatus(now, from, message);
        return;
      case 'nak':
        this.#receiveNak(from, message);
        return;
    }
  }

  tick(now: number): void {
    this.#latestMs = now;
    // A status sent below tells what this member has delivered.
    this.settle();
    // A stopped view acknowledges nothing more: what this member reported to the view change is
    // all the others may count on it holding (in total order, a member delivers what a majority
    // holds, and a cut already made from the reports must cover it).
    const recipients = this.#frozen ? undefined : this.#statuses.take(now);
    if (recipients !== undefined) this.#sendStatus(recipients);
    // Indexed, and a window asked for its NAKs only when one is due: a tick comes every turn under
    // load, and an iterator and an empty list per writer were allocated on each.
    const windows = this.#windows;
    for (let writer = 0; writer < windows.length; writer++) {
      const window = windows[writer];
      const nakDeadline = window?.nextDeadline();
      if (window === undefined || nakDeadline === undefined || nakDeadline > now) continue;
      for (const { first, last } of window.takeDueNak(now)) {
        this.#stats.naksSent += 1;
        const to = this.#holders?.[writer] ?? writer;
        this.#transmit({ to, message: { kind: 'nak', view: this.view, writer, first, last } });
      }
    }
  }

  /** The earliest time `tick` has work to do (undefined alone in the view). */
  pollTimeout(): number | undefined {
    if (this.members.length === 1) return undefined;
    // A stopped view sends no more statuses: only its repairs are timed.
    let next = this.#frozen ? undefined : this.#statuses.nextDeadline();
    const windows = this.#windows;
    for (let node = 1; node < windows.length; node++) {
      const deadline = windows[node]?.nextDeadline();
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    }
    return next;
  }

  /** Depths, for `EngineStats`. */
  depths(): Pick<
    EngineStats,
    'logDepth' | 'postWindowDepth' | 'holdBackDepth' | 'totalOrderPending'
  > {
    let holdBackDepth = 0;
    for (const window of this.#windows) holdBackDepth += window?.heldCount ?? 0;
    return {
      logDepth: this.#log.unstableCount,
      postWindowDepth: this.#postWindow.size,
      holdBackDepth,
      totalOrderPending: this.#totalOrder?.pendingCount ?? 0,
    };
  }

  // The view change --------------------------------------------------------------------------

  /** Stops the view: from now on no entry is written and nothing is delivered. */
  freeze(): void {
    // What the inputs before the freeze made due is done as if at once; a frozen view does none.
    this.settle();
    this.#frozen = true;
  }

  /** What this member holds of the view, for the coordinator of view change `proposal`. */
  report(proposal: ViewId, adopted: ViewId): ReportMessage {
    const through = this.#receivedSeqs();
    const extras: number[] = [];
    for (const id of this.members) {
      for (const seq of this.#early[id]!) extras.push(id, seq);
    }
    return {
      kind: 'report',
      proposal,
      view: this.view,
      members: this.members,
      through,
      extras,
      safeThrough: this.#safeSeq,
      adopted,
    };
  }

  /** Starts fetching what `cut` names that this member lacks. */
  applyCut(now: number, cut: CutMessage): void {
    this.#cut = cut;
    const holders: NodeId[] = new Array<NodeId>(this.#nodeCount + 1).fill(0);
    cut.members.forEach((writer, position) => (holders[writer] = cut.holders[position]!));
    this.#holders = holders;
    this.refetch(now);
  }

  /** Whether this member holds everything the cut names. */
  holdsCut(): boolean {
    const cut = this.#cut;
    if (cut === undefined) return false;
    for (const [position, writer] of cut.members.entries()) {
      const window = this.#windows[writer];
      if (window !== undefined && window.contiguousSeq < cut.through[position]!) return false;
    }
    for (let index = 0; index < cut.extras.length; index += 3) {
      const window = this.#windows[cut.extras[index]!];
      if (window !== undefined && window.get(cut.extras[index + 1]!) === undefined) return false;
    }
    return true;
  }

  /** Asks holders for the extras still missing. */
  #fetchExtras(): void {
    const cut = this.#cut;
    if (cut === undefined) return;
    for (let index = 0; index < cut.extras.length; index += 3) {
      const [writer, seq, holder] = [
        cut.extras[index]!,
        cut.extras[index + 1]!,
        cut.extras[index + 2]!,
      ];
      const window = this.#windows[writer];
      if (window === undefined || window.get(seq) !== undefined) continue;
      this.#transmit({
        to: holder,
        message: { kind: 'nak', view: this.view, writer, first: seq, last: seq },
      });
    }
  }

  /** Asks the holders for what the cut names and is still missing (again on each repeat of it). */
  refetch(now: number): void {
    const cut = this.#cut;
    if (cut === undefined) return;
    cut.members.forEach((writer, position) =>
      this.#windows[writer]?.want(now, cut.through[position]!),
    );
    this.#fetchExtras();
  }

  /**
   * Delivers what the cut names and this member has not delivered yet, then the view is over.
   * unordered and fifo: every post up to `through` (fifo in each writer's order) and the extras.
   * total: the posts the sequencer ordered, in its order, up to the cut's `orderedThrough` (a
   * minority's only up to `safeThrough`); then the remainder the cut names (all of it, this member's
   * own posts, or none) by writer and seq.
   */
  finish(): void {
    const cut = this.#cut!;
    if (this.#totalOrder === undefined) {
      cut.members.forEach((writer, position) => {
        const window = this.#windows[writer];
        if (window === undefined) return; // this member: its own posts are delivered already
        const through = cut.through[position]!;
        for (let seq = window.takenSeq + 1; seq <= through; seq++) {
          const entry = window.get(seq);
          if (
            entry?.kind === 'post' &&
            !this.#early[writer]!.delete(seq) &&
            this.#isValidPost(entry)
          ) {
            this.#deliverPost(writer, entry);
          }
        }
      });
      for (let index = 0; index < cut.extras.length; index += 3) {
        const writer = cut.extras[index]!;
        const seq = cut.extras[index + 1]!;
        const entry = this.#windows[writer]?.get(seq);
        if (
          entry?.kind === 'post' &&
          !this.#early[writer]!.delete(seq) &&
          this.#isValidPost(entry)
        ) {
          this.#deliverPost(writer, entry);
        }
      }
      return;
    }
    const totalOrder = this.#totalOrder;
    // Take every entry the cut names, in each writer's order, without delivering yet.
    cut.members.forEach((writer, position) => {
      const window = this.#windows[writer];
      if (window === undefined) return;
      const through = cut.through[position]!;
      for (let entry = window.takeNext(); entry !== undefined; entry = window.takeNext()) {
        if (entry.seq > through) break;
        this.#takeInTotalOrder(writer, entry);
      }
    });
    // The sequencer (the first member) may hold order entries of its own beyond the cut: they are
    // not delivered, since the other members never take them.
    const { remainder } = cut;
    const orderedThrough =
      remainder === 'all' ? cut.orderedThrough : Math.min(cut.safeThrough, cut.orderedThrough);
    totalOrder.deliverFinal(Math.min(orderedThrough, cut.through[0]!));
    if (remainder === 'none') return;
    totalOrder.deliverUnordered((origin) =>
      remainder === 'all' || origin === this.#self
        ? (cut.through[cut.members.indexOf(origin)] ?? 0)
        : 0,
    );
  }

  // Normal operation ---------------------------------------------------------------------------

  #receiveEntry(now: number, from: NodeId, entry: LogEntry): void {
    const window = this.#windows[from]!;
    const result = window.insert(now, entry);
    // Acknowledge either way: a duplicate means the sender may not know we have it, and an entry
    // beyond the window means it is far ahead and should learn what we hold.
    this.#statuses.arrived(now, from);
    if (result === 'out-of-window') {
      this.#stats.outOfWindowDropped += 1;
      return;
    }
    if (result === 'duplicate') {
      this.#stats.duplicatesDropped += 1;
      return;
    }
    this.#stats.entriesReceived += 1;
    if (this.#frozen) return; // held for the view change's cut
    const early =
      this.#mode === 'unordered' &&
      entry.kind === 'post' &&
      entry.seq > window.contiguousSeq &&
      entry.seq <= window.contiguousSeq + this.#earlySeqsMax;
    if (early && this.#isValidPost(entry)) {
      this.#early[from]!.add(entry.seq);
      this.#deliverPost(from, entry);
    }
    for (let next = window.takeNext(); next !== undefined; next = window.takeNext()) {
      this.#take(from, next);
    }
    if (this.#totalOrder !== undefined) {
      this.#safeSeqDue = true;
      // An entry from anyone may deliver this member's own posts.
      if (this.#postWindow.size > 0) this.#postWindowDue = true;
    }
  }

  /** A view change's repair: an entry of `writer`'s log from another member. */
  #receiveRelay(now: number, relay: RelayMessage): void {
    const window = this.#windows[relay.writer];
    if (window === undefined || relay.entry.view !== this.view || !this.#frozen) {
      this.#stats.invalidDropped += 1;
      return;
    }
    if (window.insert(now, relay.entry) === 'duplicate') this.#stats.duplicatesDropped += 1;
  }

  /**
   * Hands up a peer's entry in its log order. An entry this node cannot use (a room out of range,
   * an oversized payload, an order entry from a node that is not the sequencer) still takes its
   * place in the log, so it never leaves a hole that stalls the sender's later entries: it is
   * counted and skipped.
   */
  #take(from: NodeId, entry: LogEntry): void {
    if (this.#totalOrder !== undefined) {
      this.#takeInTotalOrder(from, entry);
      return;
    }
    if (entry.kind === 'order' || !this.#isValidPost(entry)) {
      this.#stats.invalidDropped += 1;
      return;
    }
    if (this.#early[from]!.delete(entry.seq)) return; // delivered when it arrived
    this.#deliverPost(from, entry);
  }

  #takeInTotalOrder(from: NodeId, entry: LogEntry): void {
    const totalOrder = this.#totalOrder!;
    if (entry.kind === 'post') {
      if (this.#isValidPost(entry)) this.#takePostInTotalOrder(from, entry);
      else {
        this.#stats.invalidDropped += 1;
        totalOrder.takeOther(from, entry.seq);
      }
      return;
    }
    totalOrder.takeOther(from, entry.seq);
    // Its posts in rooms out of range here are counted as they are taken, not with it.
    if (from !== this.#sequencer || !totalOrder.takeOrder(entry)) {
      this.#stats.invalidDropped += 1;
      return;
    }
    if (entry.origin === this.#self) {
      this.#postWindow.ordered(
        entry.originSeq,
        entry.originSeq + entry.rooms.length - 1,
        entry.seq,
      );
    }
  }

  #takePostInTotalOrder(origin: NodeId, post: PostEntry): void {
    const totalOrder = this.#totalOrder!;
    // An honest origin never has more than its window of posts kept here (each is in flight);
    // past that it, or the sequencer, is faulty or hostile, and what it sends is not kept.
    if (totalOrder.keptCount(origin) >= this.#limits.postWindowEntriesMax) {
      this.#stats.invalidDropped += 1;
      totalOrder.takeOther(origin, post.seq);
      return;
    }
    totalOrder.takePost(origin, post);
    if (this.#self !== this.#sequencer) return;
    this.#unordered[origin]!.push(post);
    this.#ordersDue = true;
  }

  /**
   * The sequencer orders an origin's posts in its log order, but at most a window of them whose
   * order entry is not yet held by every member: an honest origin has no more in flight, so this
   * only holds back a faulty or hostile one, and keeps the sequencer's log bounded whatever it sends.
   * One order entry names a run of posts that follow each other in the origin's log: under load a
   * majority's acknowledgement covers many at once (18 on average with 10 servers), and each entry
   * costs every member a log entry to take and acknowledge. A frozen view orders nothing more; the
   * view change decides what becomes of the rest.
   */
  #orderWaitingPosts(origin: NodeId): void {
    const unordered = this.#unordered[origin]!;
    // Only posts a majority of all nodes holds: then every later primary view holds them too, and
    // can deliver them where this order puts them (a majority leaving the view delivers all of the
    // order it holds, safe or not). The sequencer's own posts need no wait: its order entry follows
    // them in its log, and whoever holds the entry holds its log up to it. That saves them a round
    // trip: with 3 servers they were the only posts delivered four server hops after they were
    // posted.
    const heldSeq = origin === this.#self ? this.#log.highestSeq : this.#heldByMajority(origin);
    let ordered = false;
    while (!this.#frozen) {
      const first = unordered.peek();
      if (first === undefined || first.seq > heldSeq) break;
      const postsMax = Math.min(
        ORDER_RUN_POSTS_MAX,
        this.#limits.postWindowEntriesMax - this.#unstableOrderedPosts[origin]!,
      );
      const rooms: RoomId[] = [];
      for (
        let post = unordered.peek();
        post !== undefined &&
        post.seq === first.seq + rooms.length &&
        post.seq <= heldSeq &&
        rooms.length < postsMax;
        post = unordered.peek()
      ) {
        unordered.shift();
        rooms.push(post.room);
      }
      if (rooms.length === 0) break;
      this.#writeOrder(origin, first.seq, rooms);
      ordered = true;
    }
    if (ordered) this.#safeSeqDue = true;
  }

  /** At the sequencer: names `origin`'s posts from `originSeq` on, one per room, in its log. */
  #writeOrder(origin: NodeId, originSeq: number, rooms: RoomId[]): void {
    const totalOrder = this.#totalOrder!;
    const order: OrderEntry = {
      kind: 'order',
      view: this.view,
      seq: this.#log.nextSeq,
      origin,
      originSeq,
      rooms,
    };
    this.#write(order);
    // Alone in the view, the sequencer is every member: the entry is stable as it is written
    // (SendLog.append), and no status will ever come to make it so (a lone node ordered a post
    // window's worth of posts, then nothing more).
    if (order.seq > this.#log.stableSeq) {
      this.#unstableOrders[origin]!.push(order);
      this.#unstableOrderedPosts[origin]! += rooms.length;
    }
    totalOrder.takeOther(this.#self, order.seq);
    totalOrder.takeOrder(order);
    if (origin === this.#self) {
      this.#postWindow.ordered(originSeq, originSeq + rooms.length - 1, order.seq);
    }
  }

  /**
   * At the sequencer, on news of what members hold or of new posts: order entries every member now
   * holds make room for more of their origin's, and posts a majority now holds can be ordered.
   */
  #orderEntriesStable(): void {
    const stableSeq = this.#log.stableSeq;
    for (const origin of this.members) {
      const unstable = this.#unstableOrders[origin]!;
      for (
        let order = unstable.peek();
        order !== undefined && order.seq <= stableSeq;
        order = unstable.peek()
      ) {
        unstable.shift();
        this.#unstableOrderedPosts[origin]! -= order.rooms.length;
        this.#windowNews!.stable(origin, order.rooms.length);
        this.#windowNewsDue = true;
      }
      if (this.#unordered[origin]!.length > 0) this.#orderWaitingPosts(origin);
    }
  }

  /** The highest seq of another `origin`'s log that a majority of all configured nodes holds. */
  #heldByMajority(origin: NodeId): number {
    const originPosition = this.#position[origin]!;
    const members = this.members;
    const held = this.#heldScratch;
    for (let position = 0; position < members.length; position++) {
      const id = members[position]!;
      if (id === this.#self) {
        held[position] = this.#windows[origin]!.contiguousSeq;
        continue;
      }
      const reported = this.#receivedBy[position]![originPosition]!;
      // The origin holds at least what has arrived from it.
      held[position] =
        id === origin ? Math.max(reported, this.#windows[origin]!.contiguousSeq) : reported;
    }
    return this.#reachedByMajority(held);
  }

  /**
   * The highest seq of the sequencer's log that a majority of all configured nodes holds: order
   * entries up to it may be delivered. Members' holdings come from their statuses.
   */
  #updateSafeSeq(): void {
    const sequencerPosition = this.#position[this.#sequencer]!;
    const sequencerWindow = this.#windows[this.#sequencer];
    const members = this.members;
    const held = this.#heldScratch;
    for (let position = 0; position < members.length; position++) {
      const id = members[position]!;
      if (id === this.#self) {
        held[position] = sequencerWindow?.contiguousSeq ?? this.#log.highestSeq;
        continue;
      }
      const reported = this.#receivedBy[position]![sequencerPosition]!;
      // The sequencer holds at least what has arrived from it.
      held[position] =
        id === this.#sequencer ? Math.max(reported, sequencerWindow!.contiguousSeq) : reported;
    }
    const safe = Math.max(this.#reachedByMajority(held), this.#sequencerSafeSeq);
    // What this member has taken bounds what it can deliver anyway.
    const taken =
      this.#self === this.#sequencer
        ? this.#log.highestSeq
        : this.#windows[this.#sequencer]!.takenSeq;
    const next = Math.min(safe, taken);
    if (next > this.#safeSeq && !this.#frozen) {
      this.#safeSeq = next;
      this.#totalOrder!.deliverOrdered(next);
      if (this.#self === this.#sequencer) this.#statuses.orderSafe(this.#latestMs);
    }
  }

  /**
   * The highest seq that a majority of all configured nodes reach in `held` (one per member; sorted
   * in place), or 0 if the view has no majority.
   */
  #reachedByMajority(held: Float64Array): number {
    const majority = Math.floor(this.#nodeCount / 2) + 1;
    if (held.length < majority) return 0;
    held.sort();
    return held[held.length - majority]!;
  }

  #isValidPost(post: PostEntry): boolean {
    return this.#isRoom(post.room) && post.payload.byteLength <= this.#limits.payloadBytesMax;
  }

  readonly #deliverInTotalOrder = (origin: NodeId, post: PostEntry): void => {
    this.#windowNewsDue = true;
    this.#deliverPost(origin, post);
  };

  #deliverPost(origin: NodeId, post: PostEntry): void {
    this.#stats.deliveries += 1;
    this.#deliver({
      room: post.room,
      origin,
      originSeq: post.seq,
      payload: post.payload,
      view: this.view,
    });
  }

  /** The highest seq of `node`'s log up to which every post has been delivered here. */
  #deliveredSeq(node: NodeId): number {
    if (this.#totalOrder !== undefined) return this.#totalOrder.deliveredSeq(node);
    return node === this.#self ? this.#log.highestSeq : this.#windows[node]!.contiguousSeq;
  }

  /**
   * Frees the post window up to what every member (this one too) has delivered and, in total order,
   * what the sequencer knows every member holds of its order entries.
   */
  #releasePostWindow(): void {
    let everywhere = this.#deliveredSeq(this.#self);
    for (const node of this.members) {
      if (node !== this.#self) everywhere = Math.min(everywhere, this.#deliveredByPeer[node]!);
    }
    const orderStableSeq =
      this.#self === this.#sequencer ? this.#log.stableSeq : this.#sequencerStableSeq;
    this.#postWindow.release(everywhere, orderStableSeq);
  }

  #receiveStatus(now: number, from: NodeId, status: StatusMessage): void {
    const count = this.members.length;
    if (status.received.length !== count || status.delivered.length !== count) {
      this.#stats.invalidDropped += 1;
      return;
    }
    const fromPosition = this.#position[from]!;
    const selfPosition = this.#position[this.#self]!;
    const ownSeqHeld = status.received[selfPosition]!;
    // Nothing is delivered before it is held: a member's word counts only as far as its
    // acknowledgement, so that it can never free the post window while the log still holds the posts.
    const ownSeqDelivered = Math.min(status.delivered[selfPosition]!, ownSeqHeld);
    this.#windows[from]!.learnHighest(now, status.received[fromPosition]!);
    if (ownSeqHeld > this.#log.highestSeq || ownSeqDelivered > this.#log.highestSeq) {
      // A member cannot hold more of this node's log than it wrote: a forged status.
      this.#stats.acknowledgementsBeyondLog += 1;
      return;
    }
    const receivedByFrom = this.#receivedBy[fromPosition]!;
    for (let position = 0; position < count; position++) {
      receivedByFrom[position] = Math.max(receivedByFrom[position]!, status.received[position]!);
    }
    this.#log.acknowledge(from, ownSeqHeld);
    this.#retainedDue = true;
    let news = false;
    if (ownSeqDelivered > this.#deliveredByPeer[from]!) {
      this.#deliveredByPeer[from] = ownSeqDelivered;
      news = true;
    }
    if (from === this.#sequencer && status.stable > this.#sequencerStableSeq) {
      this.#sequencerStableSeq = status.stable;
      news = true;
    }
    // The sequencer's word alone: it decides the order, and every member counts on its log anyway.
    if (from === this.#sequencer) {
      this.#sequencerSafeSeq = Math.max(this.#sequencerSafeSeq, status.safe);
    }
    if (this.#totalOrder !== undefined) {
      // At the sequencer, the acknowledgement may have made more order entries stable.
      if (this.#self === this.#sequencer) this.#ordersDue = true;
      this.#safeSeqDue = true;
    }
    if (news || this.#self === this.#sequencer) this.#postWindowDue = true;
  }

  /** Drops the peers' entries every member holds (kept until then for a view change). */
  #releaseRetained(): void {
    const members = this.members;
    for (let writerPosition = 0; writerPosition < members.length; writerPosition++) {
      const window = this.#windows[members[writerPosition]!];
      if (window === undefined) continue;
      let stable = window.contiguousSeq;
      for (let position = 0; position < members.length; position++) {
        if (position === this.#position[this.#self]) continue;
        stable = Math.min(stable, this.#receivedBy[position]![writerPosition]!);
      }
      window.release(stable);
    }
  }

  #receiveNak(from: NodeId, nak: NakMessage): void {
    this.#stats.naksReceived += 1;
    const last = Math.min(nak.last, nak.first + this.#limits.retransmitEntriesPerNakMax - 1);
    if (nak.writer === this.#self) {
      for (let seq = nak.first; seq <= last; seq++) {
        const entry = this.#log.get(seq);
        if (entry !== undefined) this.#retransmit(from, entry);
      }
      return;
    }
    // Another member's entries, for a view change: relayed from what this member retains.
    const window = this.#windows[nak.writer];
    if (window === undefined) return;
    for (let seq = nak.first; seq <= last; seq++) {
      const entry = window.get(seq);
      if (entry === undefined) continue;
      this.#stats.retransmissions += 1;
      this.#transmit({ to: from, message: { kind: 'relay', writer: nak.writer, entry } });
    }
  }

  #retransmit(to: NodeId, entry: LogEntry): void {
    this.#stats.retransmissions += 1;
    this.#transmit({ to, message: entry });
  }

  #write(entry: LogEntry): void {
    this.#log.append(entry);
    this.#stats.entriesWritten += 1;
    this.#statuses.wrote(this.#latestMs);
    if (this.members.length > 1) this.#transmit({ to: 'all', message: entry });
  }

  #sendStatus(recipients: StatusRecipients): void {
    if (this.members.length === 1) return;
    this.#stats.statusesSent += 1;
    const message: StatusMessage = {
      kind: 'status',
      view: this.view,
      received: this.#receivedSeqs(),
      delivered: this.#deliveredSeqs(),
      stable: this.#log.stableSeq,
      safe: this.#self === this.#sequencer ? this.#safeSeq : 0,
    };
    if (recipients === 'all') this.#transmit({ to: 'all', message });
    else for (const to of recipients) this.#transmit({ to, message });
    const news = this.#windowNews;
    if (news === undefined) return;
    for (const to of recipients === 'all' ? this.members : recipients) {
      news.told(to, message.delivered[this.#position[to]!]!);
    }
  }

  // The two lists below are built by `push`, not `map`, so that they are arrays of one kind (small
  // integers, no holes) in every tier of V8. Optimized, `map` makes arrays with holes; interpreted,
  // without. The peer-message writers, which read every such list, are optimized for the kinds they
  // have seen, and were thrown away at the first list of the other kind: on a fresh server, at its
  // first view change or in its first burst, which then ran in the interpreter until they were
  // compiled again.

  /** Per member, in `members` order: how far this node holds its log without a gap. */
  #receivedSeqs(): number[] {
    const seqs: number[] = [];
    for (const node of this.members) {
      seqs.push(node === this.#self ? this.#log.highestSeq : this.#windows[node]!.contiguousSeq);
    }
    return seqs;
  }

  /** Per member, in `members` order: how far this node has delivered its log. */
  #deliveredSeqs(): number[] {
    const seqs: number[] = [];
    for (const node of this.members) seqs.push(this.#deliveredSeq(node));
    return seqs;
  }

  #isRoom(room: number): boolean {
    return Number.isInteger(room) && room >= 1 && room <= this.#limits.roomIdMax;
  }
}
