import { OrderingEngine } from '../engine.js';
import { MinHeap } from '../min-heap.js';
import type { NodeId, PeerMessage, RoomId } from '../messages.js';
import type {
  Delivery,
  EngineLimits,
  EngineOptions,
  EngineTiming,
  OrderingMode,
  PostResult,
  View,
} from '../options.js';
import { SeededRandom } from './random.js';
import { settledViewOf } from './settled-views.js';

/** Faults of one directed link. Delays are uniform in [delayMsMin, delayMsMax], so messages reorder. */
export interface LinkFaults {
  /** The shortest delay of a message, in ms. */
  readonly delayMsMin: number;
  /** The longest delay of a message, in ms. */
  readonly delayMsMax: number;
  /** Probability that a message is lost. */
  readonly loss: number;
  /** Probability that a message is delivered twice (the copy has its own delay). */
  readonly duplicate: number;
  /**
   * Bursts of loss (a Gilbert-Elliott channel): a link enters a burst with this probability per
   * message and leaves it with `burstExit`; in a burst every message is lost.
   */
  readonly burstEnter: number;
  /** Probability per message that a link in a burst of loss leaves it. */
  readonly burstExit: number;
  /** Probability that a message is held up for a long time: up to `tailDelayMsMax` more. */
  readonly tailDelay: number;
  /** The longest extra delay of a held-up message, in ms. */
  readonly tailDelayMsMax: number;
  /**
   * Probability that a copy of a message is replayed much later (up to `replayDelayMsMax`), as a
   * stale datagram from an earlier moment would be.
   */
  readonly replay: number;
  /** How much later, at most, a replayed copy arrives, in ms. */
  readonly replayDelayMsMax: number;
}

/** A perfect link: no delay, loss, duplication, burst, long tail or replay. */
export const NO_FAULTS: LinkFaults = {
  delayMsMin: 0,
  delayMsMax: 0,
  loss: 0,
  duplicate: 0,
  burstEnter: 0,
  burstExit: 1,
  tailDelay: 0,
  tailDelayMsMax: 0,
  replay: 0,
  replayDelayMsMax: 0,
};

/** What `new Simulator(options)` takes. */
export interface SimulatorOptions {
  /** Decides every delay, loss, duplicate and timer: the same seed replays the same run. */
  readonly seed: number;
  /** Nodes 1..nodeCount, one engine each. */
  readonly nodeCount: number;
  /** The ordering mode of every engine. */
  readonly mode: OrderingMode;
  /** Faults of every link; each one left out is `NO_FAULTS`'. */
  readonly network?: Partial<LinkFaults>;
  /** The engines' limits (see `EngineOptions`). */
  readonly limits?: Partial<EngineLimits>;
  /** The engines' timers (see `EngineOptions`). */
  readonly timing?: Partial<EngineTiming>;
  /** Hosts that feed a node several inputs before they poll it; left out, each input is polled. */
  readonly latePolls?: LatePolls;
}

/**
 * A host that polls an engine after a batch of inputs rather than after each, as chatserver does
 * once per event-loop turn: after an arrival, the node is left unpolled with `probability`; it is
 * polled when it ticks or posts, before the group is judged settled, and at the latest `spanMsMax`
 * after its first input left unpolled (later if the node is paused then). It has a random source
 * of its own (from the seed), so that a seed replays the same faults with or without it.
 */
export interface LatePolls {
  /** How likely a node is left unpolled after an arrival (0 to 1). */
  readonly probability: number;
  /** How long after its first input left unpolled a node is polled at the latest. */
  readonly spanMsMax: number;
}

/** A post as the simulator recorded it: who posted what, when. Payloads are unique per run. */
export interface SimulatedPost {
  /** The node it was posted at. */
  readonly origin: NodeId;
  /** The origin's run (it changes when the node restarts). */
  readonly incarnation: number;
  /** The seq its engine gave it. */
  readonly originSeq: number;
  /** The room it was posted to. */
  readonly room: RoomId;
  /** The bytes posted. */
  readonly payload: Uint8Array;
  /** When, in virtual ms. */
  readonly timeMs: number;
  /** The view its origin was in when it posted it. */
  readonly view: View;
}

/** A delivery as the simulator recorded it: the engine's `Delivery` and when it happened. */
export interface SimulatedDelivery extends Delivery {
  /** When, in virtual ms. */
  readonly timeMs: number;
  /** The delivering node's run. */
  readonly incarnation: number;
}

/** A view a node installed. */
export interface SimulatedView extends View {
  /** When, in virtual ms. */
  readonly timeMs: number;
  /** The installing node's run. */
  readonly incarnation: number;
}

/**
 * Something that happens at a virtual time: a message arrives at `node` from `from`, a timer of
 * `node` fires, a client of `node` posts, or the host of `node` polls it late (`LatePolls`). One
 * shape for all kinds (unused fields hold placeholders), since a run schedules hundreds of
 * thousands of them.
 */
class ScheduledEvent {
  constructor(
    readonly timeMs: number,
    /** Ties at the same time run in the order they were scheduled. */
    readonly order: number,
    readonly kind: 'arrive' | 'timer' | 'post' | 'poll',
    readonly node: NodeId,
    readonly from: NodeId,
    readonly message: PeerMessage | undefined,
    readonly room: RoomId,
    readonly payload: Uint8Array | undefined,
  ) {}

  /** The same event at another time (a paused node takes it later). */
  at(timeMs: number, order: number): ScheduledEvent {
    return new ScheduledEvent(
      timeMs,
      order,
      this.kind,
      this.node,
      this.from,
      this.message,
      this.room,
      this.payload,
    );
  }
}

/** Makes the late polls' random source differ from the run's, from the same seed. */
const LATE_POLLS_SEED_MASK = 0x5bd1e995;

const isEarlier = (a: ScheduledEvent, b: ScheduledEvent): boolean =>
  a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.order < b.order);

/**
 * A deterministic simulation of a group of engines: one seed decides every delay, loss, duplication
 * and timer, so any run replays exactly. Time is virtual (milliseconds); nothing here reads a clock.
 */
export class Simulator {
  /** The run's random source, seeded from `SimulatorOptions.seed`. */
  readonly random: SeededRandom;
  /** Nodes 1..nodeCount. */
  readonly nodeCount: number;
  /** The ordering mode of every engine. */
  readonly mode: OrderingMode;
  /** Every post the engines took, in the order they took them. */
  readonly posts: SimulatedPost[] = [];
  /** Engine of node id N at index N - 1; undefined while the node is down. */
  readonly #engines: (OrderingEngine | undefined)[];
  readonly #incarnations: number[];
  readonly #deliveries: SimulatedDelivery[][];
  readonly #views: SimulatedView[][];
  readonly #events = new MinHeap<ScheduledEvent>(isEarlier);
  readonly #timerAt: (number | undefined)[];
  /** By node id: until when the node is paused (handles nothing), if it is. */
  readonly #pausedUntil: number[];
  readonly #linkFaults = new Map<string, LinkFaults>();
  readonly #inBurst = new Set<string>();
  readonly #engineOptions: Omit<EngineOptions, 'self' | 'incarnation'>;
  #faults: LinkFaults;
  /** Partition group per node id; undefined = fully connected. */
  #partitionGroup: number[] | undefined;
  #order = 0;
  #nowMs = 0;
  #messagesSent = 0;
  #messagesLost = 0;
  readonly #latePolls: { readonly random: SeededRandom; readonly options: LatePolls } | undefined;
  /** The nodes with inputs not yet polled. */
  readonly #unpolled = new Set<NodeId>();

  constructor(options: SimulatorOptions) {
    this.random = new SeededRandom(options.seed);
    this.#latePolls = options.latePolls && {
      random: new SeededRandom((options.seed ^ LATE_POLLS_SEED_MASK) >>> 0),
      options: options.latePolls,
    };
    this.nodeCount = options.nodeCount;
    this.mode = options.mode;
    this.#faults = { ...NO_FAULTS, ...options.network };
    this.#engineOptions = {
      mode: options.mode,
      nodeCount: options.nodeCount,
      ...(options.limits && { limits: options.limits }),
      ...(options.timing && { timing: options.timing }),
    };
    this.#engines = new Array<OrderingEngine | undefined>(options.nodeCount).fill(undefined);
    this.#incarnations = new Array<number>(options.nodeCount + 1).fill(0);
    this.#deliveries = Array.from({ length: options.nodeCount + 1 }, () => []);
    this.#views = Array.from({ length: options.nodeCount + 1 }, () => []);
    this.#timerAt = new Array<number | undefined>(options.nodeCount + 1).fill(undefined);
    this.#pausedUntil = new Array<number>(options.nodeCount + 1).fill(0);
    // Every node starts at time 0, as a server does when it starts.
    for (let node = 1; node <= this.nodeCount; node++) this.#boot(node);
  }

  /** The virtual time, in ms since the start. */
  get nowMs(): number {
    return this.#nowMs;
  }

  /** Messages handed to the network, and how many of them it lost. */
  get networkCounts(): { readonly sent: number; readonly lost: number } {
    return { sent: this.#messagesSent, lost: this.#messagesLost };
  }

  /** The node's engine; throws while the node is down. */
  engine(node: NodeId): OrderingEngine {
    const engine = this.#engines[node - 1];
    if (engine === undefined) throw new Error(`node ${node} is down`);
    return engine;
  }

  /** Whether `node` is running (not crashed). */
  isUp(node: NodeId): boolean {
    return this.#engines[node - 1] !== undefined;
  }

  /** Every delivery of the node, across its runs. */
  deliveries(node: NodeId): readonly SimulatedDelivery[] {
    return this.#deliveries[node]!;
  }

  /** Every view the node installed, across its runs. */
  views(node: NodeId): readonly SimulatedView[] {
    return this.#views[node]!;
  }

  /** Every view every node installed, by node id: the form `checkViews` takes. */
  viewsByNode(): ReadonlyMap<NodeId, readonly SimulatedView[]> {
    return new Map(Array.from({ length: this.nodeCount }, (_, i) => [i + 1, this.views(i + 1)]));
  }

  /** What every node delivered, by node id: the form `checkDeliveries` takes. */
  deliveriesByNode(): ReadonlyMap<NodeId, readonly SimulatedDelivery[]> {
    return new Map(
      Array.from({ length: this.nodeCount }, (_, i) => [i + 1, this.deliveries(i + 1)]),
    );
  }

  /** Post now. A refused post (window full, view change...) is returned as such and not recorded. */
  post(node: NodeId, room: RoomId, payload: Uint8Array): PostResult {
    const engine = this.#engines[node - 1];
    if (engine === undefined) return { ok: false, reason: 'view-change' };
    const view = engine.view();
    const result = engine.post(this.#nowMs, room, payload);
    if (result.ok) {
      this.posts.push({
        origin: node,
        incarnation: this.#incarnations[node]!,
        originSeq: result.seq,
        room,
        payload,
        timeMs: this.#nowMs,
        view,
      });
    }
    this.#flush(node);
    return result;
  }

  /** The node stops for good (its state is lost), until `restart`. */
  crash(node: NodeId): void {
    this.#unpolled.delete(node);
    this.#engines[node - 1] = undefined;
    this.#timerAt[node] = undefined;
  }

  /** The node starts again with a fresh state, in a new run. */
  restart(node: NodeId): void {
    this.#incarnations[node]! += 1;
    this.#boot(node);
  }

  #boot(node: NodeId): void {
    const engine = new OrderingEngine({
      ...this.#engineOptions,
      self: node,
      incarnation: this.#incarnations[node]!,
    });
    this.#engines[node - 1] = engine;
    this.#timerAt[node] = undefined;
    engine.tick(this.#nowMs);
    this.#flush(node);
  }

  /** Post at a later virtual time (a paused node takes it when it resumes). */
  schedulePost(timeMs: number, node: NodeId, room: RoomId, payload: Uint8Array): void {
    this.#events.push(
      new ScheduledEvent(timeMs, this.#order++, 'post', node, 0, undefined, room, payload),
    );
  }

  /** Faults for every link without its own. */
  setNetwork(faults: Partial<LinkFaults>): void {
    this.#faults = { ...this.#faults, ...faults };
  }

  /** Faults for the one-way link `from` to `to`, over those it has now. */
  setLink(from: NodeId, to: NodeId, faults: Partial<LinkFaults>): void {
    this.#linkFaults.set(`${from}>${to}`, { ...this.#faultsFor(from, to), ...faults });
  }

  /** The link `from` to `to` has the network's faults again. */
  clearLink(from: NodeId, to: NodeId): void {
    this.#linkFaults.delete(`${from}>${to}`);
  }

  /** Every link has the network's faults again. */
  clearLinks(): void {
    this.#linkFaults.clear();
  }

  /** Only nodes in the same group reach each other until `heal()`; a node in no group, none. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    // Each node starts in a group of its own (numbered after the given groups).
    const group = Array.from({ length: this.nodeCount + 1 }, (_, node) => groups.length + node);
    groups.forEach((members, index) => members.forEach((node) => (group[node] = index)));
    this.#partitionGroup = group;
  }

  /** Ends a partition: every node reaches every other again. */
  heal(): void {
    this.#partitionGroup = undefined;
  }

  /**
   * The node handles nothing (no message, timer or post) until `untilMs`, as a stopped process:
   * what arrives meanwhile waits, in order, and is handled when it resumes.
   */
  pause(node: NodeId, untilMs: number): void {
    this.#pausedUntil[node] = Math.max(this.#pausedUntil[node]!, untilMs);
  }

  /** When a paused node resumes; undefined if it is not paused now. */
  resumesAt(node: NodeId): number | undefined {
    const resumeMs = this.#pausedUntil[node]!;
    return resumeMs > this.#nowMs ? resumeMs : undefined;
  }

  /** Runs the next event; false when nothing is left to happen. */
  step(): boolean {
    const event = this.#events.pop();
    if (event === undefined) return false;
    this.#nowMs = event.timeMs;
    const node = event.node;
    const resumeMs = this.#pausedUntil[node]!;
    if (resumeMs > event.timeMs) {
      // Kept for when the node resumes, behind what is already waiting.
      if (event.kind !== 'timer') this.#events.push(event.at(resumeMs, this.#order++));
      else if (this.#timerAt[node] === event.timeMs) this.#scheduleTimer(node, resumeMs);
      return true;
    }
    const engine = this.#engines[node - 1];
    switch (event.kind) {
      case 'arrive':
        if (engine === undefined) break; // the node is down: lost
        engine.receive(this.#nowMs, event.from, event.message!);
        if (this.#latePolls?.random.chance(this.#latePolls.options.probability)) {
          if (!this.#unpolled.has(node)) {
            this.#unpolled.add(node);
            const pollMs = this.#nowMs + this.#latePolls.options.spanMsMax;
            this.#events.push(
              new ScheduledEvent(pollMs, this.#order++, 'poll', node, 0, undefined, 0, undefined),
            );
          }
        } else {
          this.#flush(node);
        }
        break;
      case 'poll':
        // Already polled (a tick, a post, or a poll for an earlier batch) if no longer unpolled.
        if (engine !== undefined && this.#unpolled.has(node)) this.#flush(node);
        break;
      case 'timer':
        if (engine === undefined || this.#timerAt[node] !== event.timeMs) break; // superseded
        this.#timerAt[node] = undefined;
        engine.tick(this.#nowMs);
        this.#flush(node);
        break;
      case 'post':
        this.post(node, event.room, event.payload!);
        break;
    }
    return true;
  }

  /** Runs every event up to and including `timeMs`, then sets the clock there. */
  runUntil(timeMs: number): void {
    for (
      let next = this.#events.peek();
      next !== undefined && next.timeMs <= timeMs;
      next = this.#events.peek()
    ) {
      this.step();
    }
    this.#nowMs = Math.max(this.#nowMs, timeMs);
  }

  /**
   * Whether the group has settled: every node that is up is in one view with every other node that
   * is up and reachable both ways (but for one that does not hear a node that others hear: see
   * `settledViewOf`), and nothing is left in any buffer (logs, post windows, hold-back,
   * total-order queues). Engines keep sending heartbeats, so a settled group still has timers.
   */
  isSettled(): boolean {
    for (const node of [...this.#unpolled]) this.#flush(node);
    for (let node = 1; node <= this.nodeCount; node++) {
      const engine = this.#engines[node - 1];
      if (engine === undefined) continue;
      if (bufferedEntries(engine) > 0) return false;
      const expected = this.#settledViewOf(node);
      const view = engine.view();
      if (engine.isChangingView() || view.members.join() !== expected.join()) return false;
      for (const member of expected) {
        if (this.engine(member).view().id !== view.id) return false;
      }
    }
    return true;
  }

  /**
   * The view `node` settles in with the network as it is now: with every node it reaches both ways,
   * but for a node that does not hear one that others hear (see `settledViewOf`).
   */
  #settledViewOf(node: NodeId): NodeId[] {
    return settledViewOf(
      node,
      this.nodeCount,
      (listener, speaker) =>
        this.isUp(listener) &&
        this.isUp(speaker) &&
        (listener === speaker || this.#connected(speaker, listener)),
    );
  }

  #connected(from: NodeId, to: NodeId): boolean {
    const partitioned =
      this.#partitionGroup !== undefined && this.#partitionGroup[from] !== this.#partitionGroup[to];
    return !partitioned && this.#faultsFor(from, to).loss < 1;
  }

  /**
   * Runs until the group has settled (returns the time it did), checking every `checkEveryMs` of
   * virtual time, or until `timeMsMax` (returns undefined): a group that never settles is a failure
   * of liveness, as much as a wrong order is one of safety.
   */
  runUntilSettled(timeMsMax: number, checkEveryMs = 10): number | undefined {
    for (let timeMs = this.#nowMs; timeMs <= timeMsMax; timeMs += checkEveryMs) {
      this.runUntil(timeMs);
      if (this.isSettled()) return this.#nowMs;
    }
    return undefined;
  }

  #flush(node: NodeId): void {
    this.#unpolled.delete(node);
    const engine = this.#engines[node - 1]!;
    const incarnation = this.#incarnations[node]!;
    for (
      let transmit = engine.pollTransmit();
      transmit !== undefined;
      transmit = engine.pollTransmit()
    ) {
      if (transmit.to === 'all') {
        for (let peer = 1; peer <= this.nodeCount; peer++) {
          if (peer !== node) this.#send(node, peer, transmit.message);
        }
      } else {
        this.#send(node, transmit.to, transmit.message);
      }
    }
    for (
      let delivery = engine.pollDelivery();
      delivery !== undefined;
      delivery = engine.pollDelivery()
    ) {
      this.#deliveries[node]!.push({ ...delivery, timeMs: this.#nowMs, incarnation });
    }
    for (let view = engine.pollViewChange(); view !== undefined; view = engine.pollViewChange()) {
      this.#views[node]!.push({ ...view, timeMs: this.#nowMs, incarnation });
    }
    const deadline = engine.pollTimeout();
    const scheduled = this.#timerAt[node];
    if (deadline !== undefined && (scheduled === undefined || deadline < scheduled)) {
      this.#scheduleTimer(node, Math.max(deadline, this.#nowMs));
    }
  }

  #send(from: NodeId, to: NodeId, message: PeerMessage): void {
    this.#messagesSent += 1;
    const faults = this.#faultsFor(from, to);
    const link = `${from}>${to}`;
    const partitioned =
      this.#partitionGroup !== undefined && this.#partitionGroup[from] !== this.#partitionGroup[to];
    if (this.#inBurst.has(link)) {
      if (this.random.chance(faults.burstExit)) this.#inBurst.delete(link);
    } else if (this.random.chance(faults.burstEnter)) {
      this.#inBurst.add(link);
    }
    if (partitioned || this.#inBurst.has(link) || this.random.chance(faults.loss)) {
      this.#messagesLost += 1;
      return;
    }
    const copies = this.random.chance(faults.duplicate) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      let delayMs =
        faults.delayMsMin + this.random.next() * (faults.delayMsMax - faults.delayMsMin);
      if (this.random.chance(faults.tailDelay))
        delayMs += this.random.next() * faults.tailDelayMsMax;
      this.#scheduleArrival(this.#nowMs + delayMs, from, to, message);
    }
    if (this.random.chance(faults.replay)) {
      const delayMs = this.random.next() * faults.replayDelayMsMax;
      this.#scheduleArrival(this.#nowMs + delayMs, from, to, message);
    }
  }

  #faultsFor(from: NodeId, to: NodeId): LinkFaults {
    return this.#linkFaults.get(`${from}>${to}`) ?? this.#faults;
  }

  #scheduleArrival(timeMs: number, from: NodeId, to: NodeId, message: PeerMessage): void {
    this.#events.push(
      new ScheduledEvent(timeMs, this.#order++, 'arrive', to, from, message, 0, undefined),
    );
  }

  #scheduleTimer(node: NodeId, timeMs: number): void {
    this.#timerAt[node] = timeMs;
    this.#events.push(
      new ScheduledEvent(timeMs, this.#order++, 'timer', node, 0, undefined, 0, undefined),
    );
  }
}

/** Entries an engine still buffers: own entries or posts in flight, held or queued peer entries. */
export function bufferedEntries(engine: OrderingEngine): number {
  const stats = engine.stats();
  return stats.logDepth + stats.postWindowDepth + stats.holdBackDepth + stats.totalOrderPending;
}
