import fc from 'fast-check';
import { test } from 'vitest';
import type { NodeId } from '../messages.js';
import type { OrderingMode } from '../options.js';
import { ManualNet, payloadOf } from '../schedules/manual-network.js';
import { SeededRandom } from '../testing/random.js';

// A node that hears nobody for a while (a link that fails one way, or a stalled process) while its
// peers still hear it leaves its view alone, and its peers hear it leave. Whatever the order and
// the moments in which its links come back, the members it left behind must leave that view
// together: then a post of the view reaches all of them or none, and a post its origin delivered
// reaches every node that held it. Merged back one at a time, each would leave the view alone with
// its own posts only (in total order), and a post the deaf node delivered would reach nobody else.
// "Held" is what a node had when it stopped the view for a view change (its report): a post of the
// deaf node's that reaches the others after they stopped is the deaf node's alone, which its own
// clients see (total order's rule for a minority of one) and nobody else does.

const RUNS_PER_MODE = Number(process.env['SIM_RUNS'] ?? 300);
const replaySeed =
  process.env['SIM_SEED'] === undefined ? undefined : Number(process.env['SIM_SEED']);
const MODES: OrderingMode[] = ['unordered', 'fifo', 'total'];

test.each(MODES)(
  '%s: the members a deaf node leaves behind leave the view together, whenever its links heal',
  (mode) => {
    if (replaySeed !== undefined) {
      const problem = deafNodeRun(mode, replaySeed);
      if (problem !== undefined) throw new Error(`seed=${replaySeed} (${mode}): ${problem}`);
      return;
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const problem = deafNodeRun(mode, seed);
        if (problem !== undefined) throw new Error(`seed=${seed} (${mode}): ${problem}`);
      }),
      { numRuns: RUNS_PER_MODE },
    );
  },
  // Hundreds of whole runs: on a busy machine (or with SIM_RUNS raised) more than the default 5 s.
  900_000,
);

/** One run; returns what went wrong, or undefined. */
function deafNodeRun(mode: OrderingMode, seed: number): string | undefined {
  const random = new SeededRandom(seed);
  const nodeCount = random.int(3, 5);
  const nodes = Array.from({ length: nodeCount }, (_, index) => index + 1);
  const deaf = random.int(1, nodeCount);
  const net = new ManualNet(mode, nodeCount);
  if (process.env['SIM_TRACE'] !== undefined) net.trace = (line) => console.log(line);
  if (!net.runUntilTrue(() => net.inOneView(nodes), 10_000)) return 'never formed a first view';
  const firstView = net.engine(1).view().id;
  const deafFromMs = net.nowMs + random.int(0, 300);
  // Long enough that it leaves the view alone (it suspects its peers after `suspectMs`, 1 s); a
  // shorter deafness followed by a long wait for one peer would leave that peer out instead.
  const deafUntilMs = deafFromMs + random.int(1_100, 3_000);
  // When the deaf node hears each peer again: mostly close together, sometimes seconds apart.
  const hearsAgainMs = nodes.map(() =>
    random.chance(0.3) ? deafUntilMs + random.int(0, 5_000) : deafUntilMs + random.int(0, 100),
  );
  const lossAmongOthers = random.chance(0.5) ? 0.05 : 0;
  const delayMsMax = random.int(1, 5);
  net.rule = ({ from, to, atMs }) => {
    if (to === deaf && atMs >= deafFromMs && atMs < hearsAgainMs[from - 1]!) return 'drop';
    // The deaf node's own messages always arrive: it hears no NAK, so it could repair none.
    if (from !== deaf && to !== deaf && random.chance(lossAmongOthers)) return 'drop';
    return random.int(1, delayMsMax);
  };
  // Per node, the seqs of the deaf node's log entries of the first view (its posts and, if it is
  // the sequencer, its order entries) the node received before it stopped that view: a node stops
  // it as it reports to a coordinator, or as it proposes a view itself.
  const stopped = new Set<NodeId>();
  const receivedBeforeStop = nodes.map(() => new Set<number>());
  net.onSend = ({ from, message }) => {
    if (message.kind === 'prepare' || message.kind === 'report') stopped.add(from);
  };
  net.onReceive = ({ from, to, message }) => {
    const entry = message.kind === 'post' || message.kind === 'order';
    if (from === deaf && entry && message.view === firstView && !stopped.has(to))
      receivedBeforeStop[to - 1]!.add(message.seq);
  };
  // Without a gap, as a report names them.
  const held = (node: NodeId, seq: number): boolean => {
    for (let each = 1; each <= seq; each++) {
      if (!receivedBeforeStop[node - 1]!.has(each)) return false;
    }
    return true;
  };
  const posts: { atMs: number; node: NodeId; index: number }[] = [];
  for (const node of nodes) {
    for (let index = random.int(0, 4); index > 0; index--) {
      posts.push({ atMs: random.int(net.nowMs, deafUntilMs), node, index });
    }
  }
  posts.sort((a, b) => a.atMs - b.atMs);
  for (const { atMs, node, index } of posts) {
    net.runUntil(atMs);
    net.post(node, 1 + (index % 2), payloadOf(index, node));
  }
  net.runUntil(Math.max(...hearsAgainMs));
  if (!net.runUntilTrue(() => net.inOneView(nodes), net.nowMs + 20_000)) {
    return `never settled in one view\n${net.summary(nodes)}`;
  }
  net.runUntil(net.nowMs + 3_000);
  const violations = net.violations();
  if (violations.length > 0) return `${JSON.stringify(violations)}\n${net.summary(nodes)}`;
  const others = nodes.filter((node) => node !== deaf);
  for (const post of net.posts.filter((post) => post.view.id === firstView)) {
    const deliveredBy = nodes.filter((node) =>
      net.deliveries(node).some((delivery) => delivery.payload.join() === post.payload.join()),
    );
    const byOthers = deliveredBy.filter((node) => node !== deaf);
    const ownDeliveredAndHeld =
      post.origin === deaf &&
      deliveredBy.includes(deaf) &&
      others.some((node) => held(node, post.originSeq));
    // All or none of the nodes left behind; all of them when the deaf node delivered its own post
    // and one of them held it.
    if ((byOthers.length > 0 || ownDeliveredAndHeld) && byOthers.length < others.length) {
      return (
        `node ${post.origin}'s post [${post.payload.join()}] of view ${firstView} was delivered ` +
        `by ${deliveredBy.join(',') || 'none'} only (node ${deaf} heard nobody from ` +
        `${deafFromMs} to ${deafUntilMs} ms, then each node at ${hearsAgainMs.join(', ')} ms)\n` +
        net.summary(nodes)
      );
    }
  }
  return undefined;
}
