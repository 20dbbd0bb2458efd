import { emptyStats, type EngineStats } from './engine-stats.js';
import { checkLimits } from './limits.js';
import type {
  LogEntry,
  NakMessage,
  NodeId,
  OrderEntry,
  PeerMessage,
  PostEntry,
  RoomId,
  StatusMessage,
} from './messages.js';
import {
  DEFAULT_TIMING,
  type Delivery,
  type EngineLimits,
  type EngineOptions,
  type EngineTiming,
  type OrderingMode,
  type PostResult,
  type Transmit,
} from './options.js';
import { PostWindow } from './post-window.js';
import { Queue } from './queue.js';
import { ReceiveWindow } from './receive-window.js';
import { SendLog } from './send-log.js';
import { TotalOrder, type TotalOrderDelivery } from './total-order.js';

/**
 * One node of a replicated group, with no I/O: feed it what happened (`post`, `receive`, `tick`, each
 * with the current time) and pull what to do (`pollTransmit`, `pollDelivery`, `pollTimeout`).
 *
 * Below the ordering modes sits one reliable channel per sender: every node numbers its own log
 * entries, peers hold back out-of-order entries, NAK gaps, and acknowledge with status messages;
 * entries every peer holds are dropped. On top of it, `unordered` delivers a post when it first
 * arrives, `fifo` in its origin's log order, and `total` in the order a sequencer (node 1) names.
 *
 * No node ever refuses to take a peer's entry once its turn has come, so no two nodes can wait on
 * each other; the only back-pressure is each origin's post window, freed as the nodes report (in
 * their status messages) that they have delivered its posts.
 */
export class OrderingEngine {
  /** The ordering guarantee, as given. */
  readonly mode: OrderingMode;
  /** This node's id, as given. */
  readonly self: NodeId;
  /** The group's size, as given. */
  readonly nodeCount: number;
  /** The limits in force: the options' over `DEFAULT_LIMITS`, checked to fit together. */
  readonly limits: EngineLimits;
  /** The timers in force: the options' over `DEFAULT_TIMING`. */
  readonly timing: EngineTiming;

  readonly #log: SendLog;
  readonly #postWindow: PostWindow;
  /** Indexed by node id; undefined at `self`. */
  readonly #windows: (ReceiveWindow | undefined)[];
  /** Indexed by node id: the highest seq of this node's log that node reported delivered. */
  readonly #deliveredByPeer: number[];
  /** Total order, at other nodes than the sequencer: the sequencer's last reported stable seq. */
  #sequencerStableSeq = 0;
  /** Total order, at the sequencer, by origin: posts taken and not yet ordered, in log order. */
  readonly #unordered: Queue<PostEntry>[];
  /** Total order, at the sequencer, by origin: its order entries some node does not hold yet. */
  readonly #unstableOrders: Queue<number>[];
  readonly #totalOrder: TotalOrder | undefined;
  /** Total order: the node that writes order entries. */
  readonly #sequencer: NodeId;
  readonly #transmits = new Queue<Transmit>();
  readonly #deliveries = new Queue<Delivery>();
  readonly #stats = emptyStats();
  /** When the status that acknowledges newly received entries goes out. */
  #statusDeadline: number | undefined;
  /**
   * When the next status goes out anyway: a heartbeat that repairs any lost status (it names this
   * node's highest seq, so peers NAK a lost tail, and carries what it has delivered). Armed on the
   * first input; undefined for a node with no peers.
   */
  #heartbeatDeadline: number | undefined;

  constructor(options: EngineOptions) {
    const { mode, self, nodeCount } = options;
    if (!Number.isInteger(nodeCount) || nodeCount < 1)
      throw new RangeError(`nodeCount must be >= 1`);
    if (!Number.isInteger(self) || self < 1 || self > nodeCount) {
      throw new RangeError(`self must be in 1..${nodeCount}`);
    }
    this.mode = mode;
    this.self = self;
    this.nodeCount = nodeCount;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.limits = checkLimits(mode, nodeCount, options.limits ?? {}, this.timing);
    this.#log = new SendLog(self, nodeCount);
    this.#postWindow = new PostWindow(this.limits.postWindowEntriesMax);
    this.#windows = Array.from({ length: nodeCount + 1 }, (_, id) =>
      id === 0 || id === self ? undefined : new ReceiveWindow(this.limits, this.timing),
    );
    this.#deliveredByPeer = new Array<number>(nodeCount + 1).fill(0);
    this.#sequencer = 1;
    this.#unordered = Array.from({ length: nodeCount + 1 }, () => new Queue<PostEntry>());
    this.#unstableOrders = Array.from({ length: nodeCount + 1 }, () => new Queue<number>());
    this.#totalOrder =
      mode === 'total' ? new TotalOrder(nodeCount, this.#deliverInTotalOrder) : undefined;
  }

  /** A local client posted `payload` to `room`. */
  post(now: number, room: RoomId, payload: Uint8Array): PostResult {
    this.#armHeartbeat(now);
    if (!this.#isRoom(room)) return this.#refuse('bad-room');
    if (payload.byteLength > this.limits.payloadBytesMax) return this.#refuse('payload-too-large');
    if (this.#postWindow.isFull) return this.#refuse('window-full');
    // Fields in the order the codec decodes them: one object shape for every post.
    const entry: PostEntry = { kind: 'post', seq: this.#log.nextSeq, room, payload };
    this.#write(entry);
    this.#postWindow.add(entry.seq, this.#totalOrder !== undefined);
    if (this.#totalOrder === undefined) this.#deliver(this.self, entry);
    else this.#takePostInTotalOrder(this.self, entry);
    this.#releasePostWindow();
    return { ok: true, seq: entry.seq };
  }

  /** A message from peer `from` arrived. Messages that break the protocol are dropped and counted. */
  receive(now: number, from: NodeId, message: PeerMessage): void {
    this.#armHeartbeat(now);
    const window = this.#windows[from];
    if (window === undefined) {
      this.#stats.invalidDropped += 1;
      return;
    }
    switch (message.kind) {
      case 'post':
      case 'order':
        this.#receiveEntry(now, from, window, message);
        return;
      case 'status':
        this.#receiveStatus(now, from, window, message);
        return;
      case 'nak':
        this.#receiveNak(from, message);
        return;
    }
  }

  /** Time passed: fire whatever is due. Calling it early or often is harmless. */
  tick(now: number): void {
    this.#armHeartbeat(now);
    const statusDue = this.#statusDeadline !== undefined && this.#statusDeadline <= now;
    if (statusDue || (this.#heartbeatDeadline !== undefined && this.#heartbeatDeadline <= now)) {
      this.#sendStatus(now);
    }
    for (const [peer, window] of this.#windows.entries()) {
      if (window === undefined) continue;
      for (const { first, last } of window.takeDueNak(now)) {
        this.#stats.naksSent += 1;
        this.#transmits.push({ to: peer, message: { kind: 'nak', first, last } });
      }
    }
  }

  /** The next message to send, or undefined when there is none: call it until then after every input. */
  pollTransmit(): Transmit | undefined {
    return this.#transmits.shift();
  }

  /** The next post to show, in the mode's order, or undefined: call it until then after every input. */
  pollDelivery(): Delivery | undefined {
    return this.#deliveries.shift();
  }

  /**
   * The time (on the caller's clock, like every `now`) at which `tick` next has work to do: at the
   * latest the next heartbeat. Undefined only for a node with no peers.
   */
  pollTimeout(): number | undefined {
    // Called once per event-loop turn: a plain loop, no closure or iterator per call.
    let next = this.#heartbeatDeadline;
    const status = this.#statusDeadline;
    if (status !== undefined && (next === undefined || status < next)) next = status;
    const windows = this.#windows;
    for (let node = 1; node < windows.length; node++) {
      const deadline = windows[node]?.nextDeadline();
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    }
    return next;
  }

  /** The counters and current depths, as a snapshot. */
  stats(): Readonly<EngineStats> {
    let holdBackDepth = 0;
    for (const window of this.#windows) holdBackDepth += window?.heldCount ?? 0;
    return {
      ...this.#stats,
      logDepth: this.#log.unstableCount,
      postWindowDepth: this.#postWindow.size,
      holdBackDepth,
      totalOrderPending: this.#totalOrder?.pendingCount ?? 0,
    };
  }

  #receiveEntry(now: number, from: NodeId, window: ReceiveWindow, entry: LogEntry): void {
    const result = window.insert(now, entry);
    // Acknowledge either way: a duplicate means the sender may not know we have it, and an entry
    // beyond the window means it is far ahead and should learn what we hold.
    this.#statusDeadline ??= now + this.timing.ackDelayMs;
    if (result === 'out-of-window') {
      this.#stats.outOfWindowDropped += 1;
      return;
    }
    if (result === 'duplicate') {
      this.#stats.duplicatesDropped += 1;
      return;
    }
    this.#stats.entriesReceived += 1;
    if (this.mode === 'unordered' && entry.kind === 'post' && this.#isValidPost(entry)) {
      this.#deliver(from, entry);
    }
    for (let next = window.takeNext(); next !== undefined; next = window.takeNext()) {
      this.#take(from, next);
    }
    // In total order an entry from anyone may deliver this node's own posts.
    if (this.#totalOrder !== undefined && this.#postWindow.size > 0) this.#releasePostWindow();
  }

  /**
   * Hands up a peer's entry in its log order. An entry this node cannot use (a room out of range,
   * an oversized payload, an order entry from a node that is not the sequencer) still takes its
   * place in the log, so it never leaves a hole that stalls the sender's later entries: it is
   * counted and skipped.
   */
  #take(from: NodeId, entry: LogEntry): void {
    if (entry.kind === 'post' && !this.#isValidPost(entry)) {
      this.#stats.invalidDropped += 1;
      this.#totalOrder?.takeOther(from, entry.seq);
      return;
    }
    if (this.mode === 'fifo' && entry.kind === 'post') {
      this.#deliver(from, entry);
      return;
    }
    if (this.#totalOrder === undefined) {
      if (entry.kind === 'order') this.#stats.invalidDropped += 1;
      return;
    }
    if (entry.kind === 'post') {
      this.#takePostInTotalOrder(from, entry);
      return;
    }
    this.#totalOrder.takeOther(from, entry.seq);
    const fromSequencer = from === this.#sequencer && this.#isRoom(entry.room);
    if (!fromSequencer || !this.#totalOrder.takeOrder(entry)) {
      this.#stats.invalidDropped += 1;
      return;
    }
    if (entry.origin === this.self) this.#postWindow.ordered(entry.originSeq, entry.seq);
  }

  #takePostInTotalOrder(origin: NodeId, post: PostEntry): void {
    const totalOrder = this.#totalOrder!;
    // An honest origin never has more than its window of posts waiting here (each is in flight);
    // past that it is faulty or hostile, and what it sends is not kept.
    if (totalOrder.waitingCount(origin) >= this.limits.postWindowEntriesMax) {
      this.#stats.invalidDropped += 1;
      totalOrder.takeOther(origin, post.seq);
      return;
    }
    totalOrder.takePost(origin, post);
    if (this.self !== this.#sequencer) return;
    this.#unordered[origin]!.push(post);
    this.#orderWaitingPosts(origin);
  }

  /**
   * The sequencer orders an origin's posts in its log order, but at most a window of them whose
   * order entry is not yet held by every node: an honest origin has no more in flight, so this only
   * holds back a faulty or hostile one, and keeps the sequencer's log bounded whatever it sends.
   */
  #orderWaitingPosts(origin: NodeId): void {
    const totalOrder = this.#totalOrder!;
    const unordered = this.#unordered[origin]!;
    const unstable = this.#unstableOrders[origin]!;
    for (let post = unordered.peek(); post !== undefined; post = unordered.peek()) {
      if (unstable.length >= this.limits.postWindowEntriesMax) return;
      unordered.shift();
      const order: OrderEntry = {
        kind: 'order',
        seq: this.#log.nextSeq,
        room: post.room,
        origin,
        originSeq: post.seq,
      };
      this.#write(order);
      unstable.push(order.seq);
      totalOrder.takeOther(this.self, order.seq);
      totalOrder.takeOrder(order);
      if (origin === this.self) this.#postWindow.ordered(post.seq, order.seq);
    }
  }

  /** The sequencer: order entries up to the log's stable seq are held by every node. */
  #orderEntriesStable(): void {
    const stableSeq = this.#log.stableSeq;
    for (let origin = 1; origin <= this.nodeCount; origin++) {
      const unstable = this.#unstableOrders[origin]!;
      let freed = false;
      for (
        let seq = unstable.peek();
        seq !== undefined && seq <= stableSeq;
        seq = unstable.peek()
      ) {
        unstable.shift();
        freed = true;
      }
      if (freed) this.#orderWaitingPosts(origin);
    }
  }

  #isValidPost(post: PostEntry): boolean {
    return this.#isRoom(post.room) && post.payload.byteLength <= this.limits.payloadBytesMax;
  }

  readonly #deliverInTotalOrder = ({ origin, post }: TotalOrderDelivery): void => {
    this.#deliver(origin, post);
  };

  #deliver(origin: NodeId, post: PostEntry): void {
    this.#stats.deliveries += 1;
    this.#deliveries.push({ room: post.room, origin, originSeq: post.seq, payload: post.payload });
  }

  /** The highest seq of `node`'s log up to which every post has been delivered here. */
  #deliveredSeq(node: NodeId): number {
    if (this.#totalOrder !== undefined) return this.#totalOrder.deliveredSeq(node);
    return node === this.self ? this.#log.highestSeq : this.#windows[node]!.contiguousSeq;
  }

  /**
   * Frees the post window up to what every node (this one too) has delivered and, in total order,
   * what the sequencer knows every node holds of its order entries.
   */
  #releasePostWindow(): void {
    let everywhere = this.#deliveredSeq(this.self);
    for (let node = 1; node <= this.nodeCount; node++) {
      if (node !== this.self) everywhere = Math.min(everywhere, this.#deliveredByPeer[node]!);
    }
    const orderStableSeq =
      this.self === this.#sequencer ? this.#log.stableSeq : this.#sequencerStableSeq;
    this.#postWindow.release(everywhere, orderStableSeq);
  }

  #receiveStatus(now: number, from: NodeId, window: ReceiveWindow, status: StatusMessage): void {
    if (status.received.length !== this.nodeCount || status.delivered.length !== this.nodeCount) {
      this.#stats.invalidDropped += 1;
      return;
    }
    const ownSeqHeld = status.received[this.self - 1]!;
    // Nothing is delivered before it is held: a peer's word counts only as far as its acknowledgement,
    // so that it can never free the post window while the log still holds the posts.
    const ownSeqDelivered = Math.min(status.delivered[this.self - 1]!, ownSeqHeld);
    window.learnHighest(now, status.received[from - 1]!);
    if (ownSeqHeld > this.#log.highestSeq || ownSeqDelivered > this.#log.highestSeq) {
      // The peer holds more of this node's log than it has written: it remembers an earlier run
      // (this node restarted; membership is static) or the status is forged. Taking it as an
      // acknowledgement would drop entries the peer does not have, so it is counted instead.
      this.#stats.acknowledgementsBeyondLog += 1;
      return;
    }
    this.#log.acknowledge(from, ownSeqHeld);
    let news = false;
    if (ownSeqDelivered > this.#deliveredByPeer[from]!) {
      this.#deliveredByPeer[from] = ownSeqDelivered;
      news = true;
    }
    if (from === this.#sequencer && status.stable > this.#sequencerStableSeq) {
      this.#sequencerStableSeq = status.stable;
      news = true;
    }
    // At the sequencer, the acknowledgement may have made more order entries stable.
    if (this.#totalOrder !== undefined && this.self === this.#sequencer) this.#orderEntriesStable();
    if (news || this.self === this.#sequencer) this.#releasePostWindow();
  }

  #receiveNak(from: NodeId, nak: NakMessage): void {
    this.#stats.naksReceived += 1;
    const last = Math.min(nak.last, nak.first + this.limits.retransmitEntriesPerNakMax - 1);
    for (let seq = nak.first; seq <= last; seq++) {
      const entry = this.#log.get(seq);
      if (entry !== undefined) this.#retransmit(from, entry);
    }
  }

  #retransmit(to: NodeId, entry: LogEntry): void {
    this.#stats.retransmissions += 1;
    this.#transmits.push({ to, message: entry });
  }

  #write(entry: LogEntry): void {
    this.#log.append(entry);
    this.#stats.entriesWritten += 1;
    if (this.nodeCount > 1) this.#transmits.push({ to: 'all', message: entry });
  }

  #sendStatus(now: number): void {
    this.#statusDeadline = undefined;
    this.#heartbeatDeadline = now + this.timing.heartbeatIntervalMs;
    const received = new Array<number>(this.nodeCount);
    const delivered = new Array<number>(this.nodeCount);
    for (let node = 1; node <= this.nodeCount; node++) {
      received[node - 1] =
        node === this.self ? this.#log.highestSeq : this.#windows[node]!.contiguousSeq;
      delivered[node - 1] = this.#deliveredSeq(node);
    }
    this.#stats.statusesSent += 1;
    const stable = this.#log.stableSeq;
    this.#transmits.push({ to: 'all', message: { kind: 'status', received, delivered, stable } });
  }

  #armHeartbeat(now: number): void {
    if (this.nodeCount > 1) this.#heartbeatDeadline ??= now + this.timing.heartbeatIntervalMs;
  }

  #isRoom(room: number): boolean {
    return Number.isInteger(room) && room >= 1 && room <= this.limits.roomIdMax;
  }

  #refuse(reason: 'bad-room' | 'payload-too-large' | 'window-full'): PostResult {
    this.#stats.postsRefused += 1;
    return { ok: false, reason };
  }
}
