import { emptyStats, type EngineStats } from './engine-stats.js';
import type {
  LogEntry,
  NakMessage,
  NodeId,
  PeerMessage,
  PostEntry,
  ProposalEntry,
  RoomId,
  StatusMessage,
} from './messages.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_TIMING,
  type Delivery,
  type EngineLimits,
  type EngineOptions,
  type EngineTiming,
  type OrderingMode,
  type PostResult,
  type Transmit,
} from './options.js';
import { Queue } from './queue.js';
import { ReceiveWindow } from './receive-window.js';
import { SendLog } from './send-log.js';
import { PROPOSAL_PRIORITY_MAX, TotalOrderRoom } from './total-order-room.js';

/**
 * One node of a replicated group, with no I/O: feed it what happened (`post`, `receive`, `tick`, each
 * with the current time) and pull what to do (`pollTransmit`, `pollDelivery`, `pollTimeout`).
 *
 * Below the ordering modes sits one reliable channel per sender: every node numbers its own log
 * entries, peers hold back out-of-order entries, NAK gaps, and acknowledge with status messages;
 * entries every peer holds are dropped. On top of it, `unordered` delivers a post when it first
 * arrives, `fifo` in its origin's log order, and `total` by ISIS agreement per room.
 */
export class OrderingEngine {
  readonly mode: OrderingMode;
  readonly self: NodeId;
  readonly nodeCount: number;
  readonly limits: EngineLimits;
  readonly timing: EngineTiming;

  readonly #log: SendLog;
  /** Indexed by node id; undefined at `self`. */
  readonly #windows: (ReceiveWindow | undefined)[];
  readonly #rooms = new Map<RoomId, TotalOrderRoom>();
  readonly #transmits = new Queue<Transmit>();
  readonly #deliveries = new Queue<Delivery>();
  readonly #stats = emptyStats();
  /** Own entries some peer has not acknowledged, at most: posts plus at most one proposal per post. */
  readonly #logEntriesMax: number;
  /** When the status that acknowledges newly received entries goes out. */
  #statusDeadline: number | undefined;

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
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#log = new SendLog(self, nodeCount, this.timing);
    this.#logEntriesMax = this.limits.postWindowEntriesMax * (nodeCount + 1);
    this.#windows = Array.from({ length: nodeCount + 1 }, (_, id) =>
      id === 0 || id === self ? undefined : new ReceiveWindow(this.limits, this.timing),
    );
  }

  /** A local client posted `payload` to `room`. */
  post(now: number, room: RoomId, payload: Uint8Array): PostResult {
    if (!this.#isRoom(room)) return this.#refuse('bad-room');
    if (payload.byteLength > this.limits.payloadBytesMax) return this.#refuse('payload-too-large');
    if (this.#log.unstablePostCount >= this.limits.postWindowEntriesMax)
      return this.#refuse('window-full');
    // Fields in the order the codec decodes them: one object shape for every post.
    const entry: PostEntry = { kind: 'post', seq: this.#log.nextSeq, room, payload };
    this.#write(now, entry);
    if (this.mode === 'total') this.#proposeFor(now, this.self, entry);
    else this.#deliver(this.self, entry);
    return { ok: true, seq: entry.seq };
  }

  /** A message from peer `from` arrived. Messages that break the protocol are dropped and counted. */
  receive(now: number, from: NodeId, message: PeerMessage): void {
    const window = this.#windows[from];
    if (window === undefined) {
      this.#stats.invalidDropped += 1;
      return;
    }
    switch (message.kind) {
      case 'post':
      case 'proposal':
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
    if (this.#statusDeadline !== undefined && this.#statusDeadline <= now) this.#sendStatus();
    for (const peer of this.#log.takeDueRetries(now)) {
      const highest = this.#log.get(this.#log.highestSeq);
      if (highest !== undefined) this.#retransmit(peer, highest);
    }
    for (const [peer, window] of this.#windows.entries()) {
      if (window === undefined) continue;
      for (const { first, last } of window.takeDueNak(now)) {
        this.#stats.naksSent += 1;
        this.#transmits.push({ to: peer, message: { kind: 'nak', first, last } });
      }
    }
  }

  pollTransmit(): Transmit | undefined {
    return this.#transmits.shift();
  }

  pollDelivery(): Delivery | undefined {
    return this.#deliveries.shift();
  }

  /** The earliest time `tick` has work to do; undefined when nothing is outstanding. */
  pollTimeout(): number | undefined {
    // Called once per event-loop turn: a plain loop, no closure or iterator per call.
    let next = this.#statusDeadline;
    const logDeadline = this.#log.nextDeadline();
    if (logDeadline !== undefined && (next === undefined || logDeadline < next)) next = logDeadline;
    const windows = this.#windows;
    for (let node = 1; node < windows.length; node++) {
      const deadline = windows[node]?.nextDeadline();
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    }
    return next;
  }

  stats(): Readonly<EngineStats> {
    let holdBackDepth = 0;
    for (const window of this.#windows) holdBackDepth += window?.heldCount ?? 0;
    let totalOrderPending = 0;
    for (const room of this.#rooms.values()) totalOrderPending += room.pendingCount;
    return { ...this.#stats, logDepth: this.#log.unstableCount, holdBackDepth, totalOrderPending };
  }

  #receiveEntry(now: number, from: NodeId, window: ReceiveWindow, entry: LogEntry): void {
    if (!this.#isRoom(entry.room) || !this.#isValidEntry(entry)) {
      this.#stats.invalidDropped += 1;
      return;
    }
    const result = window.insert(now, entry);
    if (result === 'out-of-window') {
      this.#stats.outOfWindowDropped += 1;
      return;
    }
    // A duplicate means the sender may not know we have it: acknowledge either way.
    this.#statusDeadline ??= now + this.timing.ackDelayMs;
    if (result === 'duplicate') {
      this.#stats.duplicatesDropped += 1;
      return;
    }
    this.#stats.entriesReceived += 1;
    if (this.mode === 'unordered' && entry.kind === 'post') this.#deliver(from, entry);
    this.#takeInOrder(now, from, window);
  }

  /**
   * Hands a peer's arrived entries up in seq order. In total order each post makes this node write
   * a proposal, so while its own log is full (`#logEntriesMax` entries some peer has not yet
   * acknowledged) it takes no more posts: they wait in the receive window, acknowledged but not yet
   * proposed for, until acknowledgements free the log (`#receiveStatus` resumes). That keeps the log
   * bounded even when one link fails in one direction, and the window's own bound then pushes back
   * on the posting node.
   */
  #takeInOrder(now: number, from: NodeId, window: ReceiveWindow): void {
    for (let next = window.peekNext(); next !== undefined; next = window.peekNext()) {
      const logFull = this.#log.unstableCount >= this.#logEntriesMax;
      if (this.mode === 'total' && next.kind === 'post' && logFull) return;
      window.takeNext();
      if (this.mode === 'fifo' && next.kind === 'post') this.#deliver(from, next);
      else if (this.mode === 'total') this.#handleInTotalOrder(now, from, next);
    }
  }

  #isValidEntry(entry: LogEntry): boolean {
    if (entry.kind === 'post') return entry.payload.byteLength <= this.limits.payloadBytesMax;
    return (
      this.mode === 'total' &&
      Number.isInteger(entry.origin) &&
      entry.origin >= 1 &&
      entry.origin <= this.nodeCount &&
      entry.priority >= 1 &&
      entry.priority <= PROPOSAL_PRIORITY_MAX
    );
  }

  #handleInTotalOrder(now: number, from: NodeId, entry: LogEntry): void {
    if (entry.kind === 'post') {
      this.#proposeFor(now, from, entry);
      return;
    }
    const room = this.#room(entry.room);
    room.recordProposal(from, entry.origin, entry.originSeq, entry.priority);
    this.#deliverAgreed(entry.room, room);
  }

  #proposeFor(now: number, origin: NodeId, post: PostEntry): void {
    const room = this.#room(post.room);
    const priority = room.propose(origin, post.seq, post.payload);
    const proposal: ProposalEntry = {
      kind: 'proposal',
      seq: this.#log.nextSeq,
      room: post.room,
      origin,
      originSeq: post.seq,
      priority,
    };
    this.#write(now, proposal);
    this.#deliverAgreed(post.room, room);
  }

  #deliverAgreed(roomId: RoomId, room: TotalOrderRoom): void {
    for (let post = room.takeDeliverable(); post !== undefined; post = room.takeDeliverable()) {
      this.#stats.deliveries += 1;
      this.#deliveries.push({
        room: roomId,
        origin: post.origin,
        originSeq: post.originSeq,
        payload: post.payload!,
      });
    }
  }

  #deliver(origin: NodeId, post: PostEntry): void {
    this.#stats.deliveries += 1;
    this.#deliveries.push({ room: post.room, origin, originSeq: post.seq, payload: post.payload });
  }

  #receiveStatus(now: number, from: NodeId, window: ReceiveWindow, status: StatusMessage): void {
    if (status.received.length !== this.nodeCount) {
      this.#stats.invalidDropped += 1;
      return;
    }
    const ownSeqHeld = status.received[this.self - 1]!;
    window.learnHighest(now, status.received[from - 1]!);
    if (ownSeqHeld > this.#log.highestSeq) {
      // The peer holds more of this node's log than it has written: it remembers an earlier run
      // (this node restarted; membership is static) or the status is forged. Taking it as an
      // acknowledgement would drop entries the peer does not have, so it is counted instead.
      this.#stats.acknowledgementsBeyondLog += 1;
      return;
    }
    const logFreed = this.#log.acknowledge(now, from, ownSeqHeld);
    if (logFreed && this.mode === 'total') {
      for (const [peer, peerWindow] of this.#windows.entries()) {
        if (peerWindow !== undefined) this.#takeInOrder(now, peer, peerWindow);
      }
    }
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

  #write(now: number, entry: LogEntry): void {
    this.#log.append(now, entry);
    this.#stats.entriesWritten += 1;
    if (this.nodeCount > 1) this.#transmits.push({ to: 'all', message: entry });
  }

  #sendStatus(): void {
    this.#statusDeadline = undefined;
    const received = new Array<number>(this.nodeCount);
    for (let node = 1; node <= this.nodeCount; node++) {
      received[node - 1] =
        node === this.self ? this.#log.highestSeq : this.#windows[node]!.contiguousSeq;
    }
    this.#stats.statusesSent += 1;
    this.#transmits.push({ to: 'all', message: { kind: 'status', received } });
  }

  #room(roomId: RoomId): TotalOrderRoom {
    let room = this.#rooms.get(roomId);
    if (room === undefined) {
      room = new TotalOrderRoom(this.self, this.nodeCount);
      this.#rooms.set(roomId, room);
    }
    return room;
  }

  #isRoom(room: number): boolean {
    return Number.isInteger(room) && room >= 1 && room <= this.limits.roomIdMax;
  }

  #refuse(reason: 'bad-room' | 'payload-too-large' | 'window-full'): PostResult {
    this.#stats.postsRefused += 1;
    return { ok: false, reason };
  }
}
