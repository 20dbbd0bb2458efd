import { OrderingEngine } from '../engine.js';
import { MinHeap } from '../min-heap.js';
import type { NodeId, PeerMessage, RoomId } from '../messages.js';
import type { Delivery, EngineLimits, EngineTiming, OrderingMode, PostResult } from '../options.js';
import { SeededRandom } from './random.js';

/** Faults of one directed link. Delays are uniform in [delayMsMin, delayMsMax], so messages reorder. */
export interface LinkFaults {
  readonly delayMsMin: number;
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
  readonly burstExit: number;
}

export const NO_FAULTS: LinkFaults = {
  delayMsMin: 0,
  delayMsMax: 0,
  loss: 0,
  duplicate: 0,
  burstEnter: 0,
  burstExit: 1,
};

export interface SimulatorOptions {
  readonly seed: number;
  readonly nodeCount: number;
  readonly mode: OrderingMode;
  readonly network?: Partial<LinkFaults>;
  readonly limits?: Partial<EngineLimits>;
  readonly timing?: Partial<EngineTiming>;
}

/** A post as the simulator recorded it: who posted what, when, and under which seq. */
export interface SimulatedPost {
  readonly origin: NodeId;
  readonly originSeq: number;
  readonly room: RoomId;
  readonly payload: Uint8Array;
  readonly timeMs: number;
}

export interface SimulatedDelivery extends Delivery {
  readonly timeMs: number;
}

type SimulatorEvent =
  | {
      readonly kind: 'arrive';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly message: PeerMessage;
    }
  | { readonly kind: 'timer'; readonly node: NodeId }
  | {
      readonly kind: 'post';
      readonly node: NodeId;
      readonly room: RoomId;
      readonly payload: Uint8Array;
    };

type ScheduledEvent = SimulatorEvent & { readonly timeMs: number; readonly order: number };

const isEarlier = (a: ScheduledEvent, b: ScheduledEvent): boolean =>
  a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.order < b.order);

/**
 * A deterministic simulation of a group of engines: one seed decides every delay, loss, duplication
 * and timer, so any run replays exactly. Time is virtual (milliseconds); nothing here reads a clock.
 */
export class Simulator {
  readonly random: SeededRandom;
  readonly nodeCount: number;
  readonly posts: SimulatedPost[] = [];
  /** Engine of node id N at index N - 1. */
  readonly #engines: OrderingEngine[];
  readonly #deliveries: SimulatedDelivery[][];
  readonly #events = new MinHeap<ScheduledEvent>(isEarlier);
  readonly #timerAt: (number | undefined)[];
  readonly #linkFaults = new Map<string, LinkFaults>();
  readonly #inBurst = new Set<string>();
  #faults: LinkFaults;
  /** Partition group per node id; undefined = fully connected. */
  #partitionGroup: number[] | undefined;
  #order = 0;
  #nowMs = 0;
  #messagesSent = 0;
  #messagesLost = 0;

  constructor(options: SimulatorOptions) {
    this.random = new SeededRandom(options.seed);
    this.nodeCount = options.nodeCount;
    this.#faults = { ...NO_FAULTS, ...options.network };
    this.#engines = Array.from(
      { length: options.nodeCount },
      (_, index) =>
        new OrderingEngine({
          mode: options.mode,
          self: index + 1,
          nodeCount: options.nodeCount,
          ...(options.limits && { limits: options.limits }),
          ...(options.timing && { timing: options.timing }),
        }),
    );
    this.#deliveries = Array.from({ length: options.nodeCount + 1 }, () => []);
    this.#timerAt = new Array<number | undefined>(options.nodeCount + 1).fill(undefined);
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  /** Messages handed to the network, and how many of them it lost. */
  get networkCounts(): { readonly sent: number; readonly lost: number } {
    return { sent: this.#messagesSent, lost: this.#messagesLost };
  }

  engine(node: NodeId): OrderingEngine {
    return this.#engines[node - 1]!;
  }

  deliveries(node: NodeId): readonly SimulatedDelivery[] {
    return this.#deliveries[node]!;
  }

  /** Post now. A refused post (window full) is returned as such and not recorded. */
  post(node: NodeId, room: RoomId, payload: Uint8Array): PostResult {
    const result = this.#engines[node - 1]!.post(this.#nowMs, room, payload);
    if (result.ok) {
      this.posts.push({ origin: node, originSeq: result.seq, room, payload, timeMs: this.#nowMs });
    }
    this.#flush(node);
    return result;
  }

  /** Post at a later virtual time. */
  schedulePost(timeMs: number, node: NodeId, room: RoomId, payload: Uint8Array): void {
    this.#schedule(timeMs, { kind: 'post', node, room, payload });
  }

  /** Faults for every link without its own. */
  setNetwork(faults: Partial<LinkFaults>): void {
    this.#faults = { ...this.#faults, ...faults };
  }

  setLink(from: NodeId, to: NodeId, faults: Partial<LinkFaults>): void {
    this.#linkFaults.set(`${from}>${to}`, { ...this.#faultsFor(from, to), ...faults });
  }

  /** Only nodes in the same group reach each other until `heal()`; a node in no group, none. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    // Each node starts in a group of its own (numbered after the given groups).
    const group = Array.from({ length: this.nodeCount + 1 }, (_, node) => groups.length + node);
    groups.forEach((members, index) => members.forEach((node) => (group[node] = index)));
    this.#partitionGroup = group;
  }

  heal(): void {
    this.#partitionGroup = undefined;
  }

  /** Runs the next event; false when nothing is left to happen. */
  step(): boolean {
    const event = this.#events.pop();
    if (event === undefined) return false;
    this.#nowMs = event.timeMs;
    switch (event.kind) {
      case 'arrive':
        this.#engines[event.to - 1]!.receive(this.#nowMs, event.from, event.message);
        this.#flush(event.to);
        break;
      case 'timer':
        if (this.#timerAt[event.node] !== event.timeMs) break; // superseded
        this.#timerAt[event.node] = undefined;
        this.#engines[event.node - 1]!.tick(this.#nowMs);
        this.#flush(event.node);
        break;
      case 'post':
        this.post(event.node, event.room, event.payload);
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
   * Runs until nothing is in flight and no engine has a timer (true), or until a bound is hit
   * (false): engines facing an unreachable peer retry forever, so a bound is always needed.
   */
  runUntilIdle(bounds: { readonly stepsMax?: number; readonly timeMsMax?: number } = {}): boolean {
    const stepsMax = bounds.stepsMax ?? 1_000_000;
    const timeMsMax = bounds.timeMsMax ?? Number.POSITIVE_INFINITY;
    for (let steps = 0; steps < stepsMax; steps++) {
      const next = this.#events.peek();
      if (next === undefined) return true;
      if (next.timeMs > timeMsMax) return false;
      this.step();
    }
    return false;
  }

  #flush(node: NodeId): void {
    const engine = this.#engines[node - 1]!;
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
      this.#deliveries[node]!.push({ ...delivery, timeMs: this.#nowMs });
    }
    const deadline = engine.pollTimeout();
    const scheduled = this.#timerAt[node];
    if (deadline !== undefined && (scheduled === undefined || deadline < scheduled)) {
      const timeMs = Math.max(deadline, this.#nowMs);
      this.#timerAt[node] = timeMs;
      this.#schedule(timeMs, { kind: 'timer', node });
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
      const delayMs =
        faults.delayMsMin + this.random.next() * (faults.delayMsMax - faults.delayMsMin);
      this.#schedule(this.#nowMs + delayMs, { kind: 'arrive', from, to, message });
    }
  }

  #faultsFor(from: NodeId, to: NodeId): LinkFaults {
    return this.#linkFaults.get(`${from}>${to}`) ?? this.#faults;
  }

  #schedule(timeMs: number, event: SimulatorEvent): void {
    this.#events.push({ ...event, timeMs, order: this.#order++ });
  }
}
