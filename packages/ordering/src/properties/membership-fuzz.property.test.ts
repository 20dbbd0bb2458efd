import fc from 'fast-check';
import { test } from 'vitest';
import type { NodeId } from '../messages.js';
import type { OrderingMode } from '../options.js';
import { ManualNet, payloadOf } from '../schedules/manual-network.js';
import { SeededRandom } from '../testing/random.js';

// Membership under the faults that meet in the field: a node that hears nobody for a while (its
// peers hearing it again at different moments), links that fail one way, loss, a crash followed by
// a restart (a coordinator's new run may reuse its view ids), a stalled process. Every run must
// keep the package's guarantees (checkDeliveries, checkViews) and settle in one view after the
// faults, with a post from every node then reaching every node. From an adversarial review of the
// "left behind" change: this found a restarted node taken into another view of the same id.

const RUNS_PER_MODE = Number(process.env['SIM_RUNS'] ?? 300);
const replaySeed =
  process.env['SIM_SEED'] === undefined ? undefined : Number(process.env['SIM_SEED']);
/** Seeds that once failed, run first every time: each found a bug that is fixed. */
const REGRESSION_SEEDS: readonly number[] = [
  // fifo: a restarted coordinator reused a view id; a frozen member took its posts for its view's.
  134,
];
const MODES: OrderingMode[] = ['unordered', 'fifo', 'total'];

test.each(MODES)(
  '%s: guarantees hold and the group settles, through deafness, one-way links, restarts and stalls',
  (mode) => {
    const check = (seed: number): void => {
      const problem = faultyRun(mode, seed);
      if (problem !== undefined) throw new Error(`seed=${seed} (${mode}): ${problem}`);
    };
    if (replaySeed !== undefined) {
      check(replaySeed);
      return;
    }
    for (const seed of REGRESSION_SEEDS) check(seed);
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), check), {
      numRuns: RUNS_PER_MODE,
    });
  },
  // Hundreds of whole runs: on a busy machine (or with SIM_RUNS raised) more than the default 5 s.
  900_000,
);

interface Outage {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly fromMs: number;
  readonly untilMs: number;
}

interface FaultEvent {
  readonly atMs: number;
  readonly kind: 'post' | 'crash' | 'pause';
  readonly node: NodeId;
}

/** One run; returns what went wrong, or undefined. */
function faultyRun(mode: OrderingMode, seed: number): string | undefined {
  const random = new SeededRandom(seed);
  const nodeCount = random.int(3, 5);
  const nodes = Array.from({ length: nodeCount }, (_, index) => index + 1);
  const net = new ManualNet(mode, nodeCount);
  if (process.env['SIM_TRACE'] !== undefined) net.trace = (line) => console.log(line);
  if (!net.runUntilTrue(() => net.inOneView(nodes), 10_000)) return 'never formed a first view';
  const t0 = net.nowMs;
  const faultsUntilMs = t0 + 6_000;
  // One node hears nobody for a while; its peers come back to it together or seconds apart.
  const outages: Outage[] = [];
  const deaf = random.int(1, nodeCount);
  const deafFromMs = t0 + random.int(0, 500);
  const deafUntilMs = deafFromMs + random.int(900, 3_000);
  for (const from of nodes) {
    if (from === deaf) continue;
    const lagMs = random.chance(0.3) ? random.int(0, 3_000) : random.int(0, 100);
    outages.push({ from, to: deaf, fromMs: deafFromMs, untilMs: deafUntilMs + lagMs });
  }
  // And up to three more links fail one way for a while.
  for (let extra = random.int(0, 3); extra > 0; extra--) {
    const from = random.int(1, nodeCount);
    const to = random.int(1, nodeCount);
    if (from === to) continue;
    const fromMs = t0 + random.int(0, 4_000);
    outages.push({ from, to, fromMs, untilMs: fromMs + random.int(50, 2_500) });
  }
  const loss = random.chance(0.3) ? 0.03 : 0;
  const delayMsMax = random.int(1, 8);
  net.rule = ({ from, to, atMs }) => {
    const down = outages.some(
      (outage) =>
        outage.from === from && outage.to === to && atMs >= outage.fromMs && atMs < outage.untilMs,
    );
    if (down || (atMs < faultsUntilMs && random.chance(loss))) return 'drop';
    return random.int(1, delayMsMax);
  };
  const events: FaultEvent[] = [];
  for (const node of nodes) {
    for (let count = random.int(0, 5); count > 0; count--) {
      events.push({ atMs: t0 + random.int(0, 5_000), kind: 'post', node });
    }
  }
  if (random.chance(0.6)) {
    const atMs = t0 + random.int(0, 4_000);
    events.push({ atMs, kind: 'crash', node: random.chance(0.5) ? 1 : random.int(1, nodeCount) });
  }
  if (random.chance(0.3)) {
    events.push({ atMs: t0 + random.int(0, 4_000), kind: 'pause', node: random.int(1, nodeCount) });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  let index = 0;
  for (const { atMs, kind, node } of events) {
    net.runUntil(atMs);
    if (!net.isUp(node)) continue;
    if (kind === 'post') {
      net.post(node, 1 + (index % 2), payloadOf(index++, node));
    } else if (kind === 'crash') {
      net.crash(node);
      net.runUntil(net.nowMs + random.int(0, 1_500));
      net.restart(node);
    } else {
      net.pause(node, net.nowMs + random.int(200, 2_000));
    }
  }
  net.runUntil(Math.max(faultsUntilMs, ...outages.map((outage) => outage.untilMs)) + 10);
  if (!net.runUntilTrue(() => net.inOneView(nodes), net.nowMs + 30_000)) {
    return `never settled in one view\n${net.summary(nodes)}`;
  }
  for (const node of nodes) net.post(node, 1, payloadOf(1_000 + node, node));
  net.runUntil(net.nowMs + 3_000);
  const violations = net.violations();
  if (violations.length > 0) {
    return `${JSON.stringify(violations.slice(0, 4))}\n${net.summary(nodes)}`;
  }
  const last = nodes.map((node) => payloadOf(1_000 + node, node).join());
  for (const node of nodes) {
    const delivered = new Set(net.deliveries(node).map((delivery) => delivery.payload.join()));
    if (!last.every((post) => delivered.has(post))) {
      return `node ${node} missed a post made after the group settled\n${net.summary(nodes)}`;
    }
  }
  return undefined;
}
