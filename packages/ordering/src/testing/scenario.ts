import type { OrderingMode } from '../options.js';
import { checkDeliveries, type DeliveredPost, type Violation } from './invariants.js';
import { SeededRandom } from './random.js';
import { Simulator, type LinkFaults } from './simulator.js';

export interface ScenarioOptions {
  readonly mode: OrderingMode;
  /** Faults while clients post; they stop at `faultsEndMs` so the group can settle. */
  readonly faults: Partial<LinkFaults>;
  readonly nodeCountMax?: number;
  readonly postCountMax?: number;
  /** Cut the group in two for a while, then heal. */
  readonly partitions?: boolean;
}

export interface ScenarioResult {
  readonly seed: number;
  readonly simulator: Simulator;
  readonly violations: readonly Violation[];
  /** Whether every timer went quiet after the faults stopped. */
  readonly settled: boolean;
  /** Entries still buffered anywhere after settling (log, hold-back, total-order queues). */
  readonly bufferedEntries: number;
}

const POSTING_PERIOD_MS = 300;
const SETTLE_TIME_MS_MAX = 120_000;

/**
 * One random run, all of it drawn from `seed`: 2 to `nodeCountMax` nodes, 1 to 3 rooms, posts at
 * random times and nodes, faults while posting (and optionally a partition that heals), then a quiet
 * network until every timer stops. Replays exactly from the same seed and options.
 */
export function runScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const shape = new SeededRandom(seed);
  const nodeCount = shape.int(2, options.nodeCountMax ?? 5);
  const roomCount = shape.int(1, 3);
  const postCount = shape.int(1, options.postCountMax ?? 40);
  const simulator = new Simulator({ seed, nodeCount, mode: options.mode, network: options.faults });
  for (let index = 0; index < postCount; index++) {
    const timeMs = shape.int(0, POSTING_PERIOD_MS);
    const node = shape.int(1, nodeCount);
    const room = shape.int(1, roomCount);
    simulator.schedulePost(timeMs, node, room, Uint8Array.of(index & 0xff, index >> 8, node));
  }
  if (options.partitions && nodeCount > 2 && shape.chance(0.5)) {
    const cut = shape.int(1, nodeCount - 1);
    const start = shape.int(0, POSTING_PERIOD_MS);
    simulator.runUntil(start);
    simulator.partition([
      Array.from({ length: cut }, (_, i) => i + 1),
      Array.from({ length: nodeCount - cut }, (_, i) => cut + i + 1),
    ]);
    simulator.runUntil(start + shape.int(50, 2_000));
    simulator.heal();
  }
  simulator.runUntil(POSTING_PERIOD_MS);
  simulator.setNetwork({ loss: 0, duplicate: 0, burstEnter: 0 });
  const settled = simulator.runUntilIdle({ timeMsMax: simulator.nowMs + SETTLE_TIME_MS_MAX });

  const deliveriesByNode = new Map<number, readonly DeliveredPost[]>();
  let bufferedEntries = 0;
  for (let node = 1; node <= nodeCount; node++) {
    deliveriesByNode.set(node, simulator.deliveries(node));
    const stats = simulator.engine(node).stats();
    bufferedEntries += stats.logDepth + stats.holdBackDepth + stats.totalOrderPending;
  }
  const violations = checkDeliveries(options.mode, simulator.posts, deliveriesByNode);
  return { seed, simulator, violations, settled, bufferedEntries };
}

/** A one-paragraph account of a failed run, ending with how to replay it. */
export function describeFailure(result: ScenarioResult, options: ScenarioOptions): string {
  const shown = result.violations.slice(0, 5).map((v) => `  node ${v.node} ${v.kind}: ${v.detail}`);
  return [
    `mode=${options.mode} faults=${JSON.stringify(options.faults)} nodes=${result.simulator.nodeCount}`,
    `posts=${result.simulator.posts.length} settled=${result.settled} bufferedEntries=${result.bufferedEntries}`,
    `${result.violations.length} violation(s)`,
    ...shown,
    `reproduce with seed=${result.seed}`,
  ].join('\n');
}
