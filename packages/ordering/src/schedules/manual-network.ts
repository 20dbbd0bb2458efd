// Engines on a network where the test decides the fate of every message (drop, delay) and can act
// when a given message is sent (crash the coordinator right after its first cut, ...). Records
// posts, deliveries and views in the Simulator's shapes, so the package's own checkers
// (checkDeliveries, checkViews) judge the outcome. From an adversarial review of the membership.
import { OrderingEngine } from '../engine.js';
import type { NodeId, PeerMessage, RoomId } from '../messages.js';
import type { EngineLimits, EngineTiming, OrderingMode, PostResult } from '../options.js';
import { checkDeliveries, checkViews, type Violation } from '../testing/invariants.js';
import type { SimulatedDelivery, SimulatedPost, SimulatedView } from '../testing/simulator.js';

/** What happens to one message: dropped, or delivered after this many ms. */
export type Fate = 'drop' | number;

export interface Sent {
  readonly atMs: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: PeerMessage;
}

interface InFlight extends Sent {
  readonly arriveMs: number;
  readonly order: number;
}

export class ManualNet {
  nowMs = 0;
  readonly posts: SimulatedPost[] = [];
  readonly sent: Sent[] = [];
  /** Decides each message's fate; default: 1 ms delay. */
  rule: (sent: Sent) => Fate = () => 1;
  /** Called after each message is handed to the network (the test may crash nodes here). */
  onSend: (sent: Sent) => void = () => undefined;
  /** Called as each message reaches a node that is up, before the node handles it. */
  onReceive: (sent: Sent) => void = () => undefined;
  /** Told every arrival and timer, for debugging a schedule. */
  trace: ((line: string) => void) | undefined;
  readonly #engines: (OrderingEngine | undefined)[];
  readonly #incarnations: number[];
  readonly #deliveries: SimulatedDelivery[][];
  readonly #views: SimulatedView[][];
  readonly #inFlight: InFlight[] = [];
  readonly #pausedUntil: number[];
  #order = 0;
  #spinKey = '';
  #stormWindowStartMs = 0;
  #stormWindowCount = 0;
  #spinCount = 0;

  constructor(
    readonly mode: OrderingMode,
    readonly nodeCount: number,
    readonly options: { timing?: Partial<EngineTiming>; limits?: Partial<EngineLimits> } = {},
    startNodes: readonly NodeId[] = Array.from({ length: nodeCount }, (_, i) => i + 1),
  ) {
    this.#engines = new Array<OrderingEngine | undefined>(nodeCount + 1).fill(undefined);
    this.#incarnations = new Array<number>(nodeCount + 1).fill(0);
    this.#deliveries = Array.from({ length: nodeCount + 1 }, () => []);
    this.#views = Array.from({ length: nodeCount + 1 }, () => []);
    this.#pausedUntil = new Array<number>(nodeCount + 1).fill(0);
    for (const node of startNodes) this.#boot(node);
  }

  engine(node: NodeId): OrderingEngine {
    const engine = this.#engines[node];
    if (engine === undefined) throw new Error(`node ${node} is down`);
    return engine;
  }

  isUp(node: NodeId): boolean {
    return this.#engines[node] !== undefined;
  }

  deliveries(node: NodeId): readonly SimulatedDelivery[] {
    return this.#deliveries[node]!;
  }

  views(node: NodeId): readonly SimulatedView[] {
    return this.#views[node]!;
  }

  crash(node: NodeId): void {
    this.#engines[node] = undefined;
  }

  restart(node: NodeId): void {
    this.#incarnations[node]! += 1;
    this.#boot(node);
  }

  /** The node handles nothing until `untilMs` (messages wait for it, in order). */
  pause(node: NodeId, untilMs: number): void {
    this.#pausedUntil[node] = untilMs;
  }

  post(node: NodeId, room: RoomId, payload: Uint8Array): PostResult {
    const engine = this.engine(node);
    const view = engine.view();
    const result = engine.post(this.nowMs, room, payload);
    if (result.ok) {
      this.posts.push({
        origin: node,
        incarnation: this.#incarnations[node]!,
        originSeq: result.seq,
        room,
        payload,
        timeMs: this.nowMs,
        view,
      });
    }
    this.#flush(node);
    return result;
  }

  /** Hands `message` to `to` as if `from` sent it, now (a hostile or replayed datagram). */
  inject(to: NodeId, from: NodeId, message: PeerMessage): void {
    const engine = this.engine(to);
    engine.receive(this.nowMs, from, message);
    this.#flush(to);
  }

  /** Runs every arrival and timer up to `untilMs`. */
  runUntil(untilMs: number): void {
    for (let events = 0; ; events++) {
      if (events > 2_000_000)
        throw new Error(`runaway: over 2e6 events before ${untilMs} ms (now ${this.nowMs})`);
      let nextMs = Number.POSITIVE_INFINITY;
      let kind: 'arrive' | 'timer' | undefined;
      let index = -1;
      let timerNode = 0;
      for (const [i, flight] of this.#inFlight.entries()) {
        const at = Math.max(flight.arriveMs, this.#pausedUntil[flight.to]!);
        if (
          at < nextMs ||
          (at === nextMs && kind === 'arrive' && flight.order < this.#inFlight[index]!.order)
        ) {
          nextMs = at;
          kind = 'arrive';
          index = i;
        }
      }
      for (let node = 1; node <= this.nodeCount; node++) {
        const deadline = this.#engines[node]?.pollTimeout();
        if (deadline === undefined) continue;
        const at = Math.max(deadline, this.nowMs, this.#pausedUntil[node]!);
        if (at < nextMs) {
          nextMs = at;
          kind = 'timer';
          timerNode = node;
        }
      }
      if (kind === undefined || nextMs > untilMs) break;
      this.nowMs = Math.max(this.nowMs, nextMs);
      if (kind === 'arrive') {
        const [flight] = this.#inFlight.splice(index, 1);
        const engine = this.#engines[flight!.to];
        if (engine === undefined) continue;
        this.trace?.(
          `${this.nowMs} recv ${flight!.from}->${flight!.to} ${JSON.stringify(flight!.message).slice(0, 200)}`,
        );
        this.onReceive(flight!);
        engine.receive(this.nowMs, flight!.from, flight!.message);
        this.#flush(flight!.to);
      } else {
        // An engine whose timer stays due after `tick` would spin its host at 100% CPU.
        const spin = `${timerNode}@${this.nowMs}`;
        this.#spinCount = this.#spinKey === spin ? this.#spinCount + 1 : 0;
        this.#spinKey = spin;
        if (this.#spinCount > 10_000) {
          throw new Error(
            `busy loop: node ${timerNode}'s pollTimeout() stays ${String(this.#engines[timerNode]!.pollTimeout())} <= now ${this.nowMs} after tick()`,
          );
        }
        this.trace?.(`${this.nowMs} tick ${timerNode}`);
        this.#engines[timerNode]!.tick(this.nowMs);
        this.#flush(timerNode);
      }
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  /** Runs until `predicate` holds (checked after every event batch of 1 ms), or `untilMs`. */
  runUntilTrue(predicate: () => boolean, untilMs: number): boolean {
    while (this.nowMs < untilMs) {
      if (predicate()) return true;
      this.runUntil(this.nowMs + 1);
    }
    return predicate();
  }

  /** Every node up in one view with the given members, nothing under way. */
  inOneView(members: readonly NodeId[]): boolean {
    const ids = new Set<number>();
    for (const node of members) {
      const engine = this.#engines[node];
      if (engine === undefined || engine.isChangingView()) return false;
      if (engine.view().members.join() !== members.join()) return false;
      ids.add(engine.view().id);
    }
    return ids.size === 1;
  }

  /**
   * For a failure message: per node, what it delivered (`origin:index@view`, from `payloadOf`'s
   * bytes) and the views it installed.
   */
  summary(nodes: readonly NodeId[]): string {
    return nodes
      .map((node) => {
        const delivered = this.#deliveries[node]!.map(
          (delivery) => `${delivery.payload[2]}:${delivery.payload[0]}@v${delivery.view}`,
        );
        const views = this.#views[node]!.map((view) => `${view.id}[${view.members.join(',')}]`);
        return `node ${node} delivered ${delivered.join(' ')}; views ${views.join(' ')}`;
      })
      .join('\n');
  }

  violations(options: { everyPostEverywhere?: boolean } = {}): Violation[] {
    const deliveries = new Map(
      Array.from({ length: this.nodeCount }, (_, i) => [i + 1, this.#deliveries[i + 1]!]),
    );
    const views = new Map(
      Array.from({ length: this.nodeCount }, (_, i) => [i + 1, this.#views[i + 1]!]),
    );
    return [
      ...checkDeliveries(this.mode, this.posts, deliveries, options),
      ...checkViews(this.mode, this.posts, views, deliveries, { nodeCount: this.nodeCount }),
    ];
  }

  #boot(node: NodeId): void {
    const engine = new OrderingEngine({
      mode: this.mode,
      self: node,
      nodeCount: this.nodeCount,
      incarnation: this.#incarnations[node]!,
      ...(this.options.timing && { timing: this.options.timing }),
      ...(this.options.limits && { limits: this.options.limits }),
    });
    this.#engines[node] = engine;
    engine.tick(this.nowMs);
    this.#flush(node);
  }

  #flush(node: NodeId): void {
    const engine = this.#engines[node];
    if (engine === undefined) return;
    const incarnation = this.#incarnations[node]!;
    for (let t = engine.pollTransmit(); t !== undefined; t = engine.pollTransmit()) {
      const targets =
        t.to === 'all'
          ? Array.from({ length: this.nodeCount }, (_, i) => i + 1).filter((p) => p !== node)
          : [t.to];
      for (const to of targets)
        this.#send({ atMs: this.nowMs, from: node, to, message: t.message });
      // The test may have crashed this node while it was sending.
      if (this.#engines[node] !== engine) return;
    }
    for (let d = engine.pollDelivery(); d !== undefined; d = engine.pollDelivery()) {
      this.#deliveries[node]!.push({ ...d, timeMs: this.nowMs, incarnation });
    }
    for (let v = engine.pollViewChange(); v !== undefined; v = engine.pollViewChange()) {
      this.#views[node]!.push({ ...v, timeMs: this.nowMs, incarnation });
    }
  }

  #send(sent: Sent): void {
    this.sent.push(sent);
    const fate = this.rule(sent);
    // A healthy group of a few nodes sends tens of messages per ms at most.
    if (this.nowMs >= this.#stormWindowStartMs + 10) {
      this.#stormWindowStartMs = this.nowMs;
      this.#stormWindowCount = 0;
    }
    if (++this.#stormWindowCount > 5_000) {
      const kinds = new Map<string, number>();
      for (const s of this.sent.slice(-5_000))
        kinds.set(s.message.kind, (kinds.get(s.message.kind) ?? 0) + 1);
      throw new Error(
        `message storm: over 5000 messages within 10 ms at ${this.nowMs} ms: ${JSON.stringify([...kinds])}`,
      );
    }
    if (fate !== 'drop') {
      this.#inFlight.push({ ...sent, arriveMs: this.nowMs + fate, order: this.#order++ });
    }
    this.onSend(sent);
  }
}

export const payloadOf = (index: number, node: number): Uint8Array =>
  Uint8Array.of(index & 0xff, index >> 8, node);
