import type { NodeId } from '../messages.js';
import type { OrderingMode, View } from '../options.js';
import type { SimulatedPost } from './simulator.js';

/** One broken guarantee that `checkDeliveries` found. */
export interface Violation {
  /**
   * Which guarantee: a post lost, delivered twice, never posted (or changed), out of FIFO or total
   * order; delivered otherwise than a node that moved to the same next view
   * (`virtual-synchrony`), in total order in a minority view, or in another view than it was
   * posted in (`sending-view`); a node's own post it did not deliver before it moved on
   * (`self-delivery`).
   */
  readonly kind:
    | 'lost'
    | 'duplicate'
    | 'unknown'
    | 'fifo'
    | 'total-order'
    | 'virtual-synchrony'
    | 'minority-delivery'
    | 'sending-view'
    | 'self-delivery';
  /** The node whose deliveries break it. */
  readonly node: NodeId;
  /** What happened, for a person to read. */
  readonly detail: string;
}

/** What a node delivered, in delivery order: enough to check every mode's guarantee. */
export interface DeliveredPost {
  /** The room it was delivered to. */
  readonly room: number;
  /** The bytes delivered: posts are told apart by them. */
  readonly payload: Uint8Array;
  /** The view it was delivered in (checked by `checkViews`). */
  readonly view?: number;
  /** The delivering node's run, when it restarted (each run is checked on its own). */
  readonly incarnation?: number;
}

/** A view a node installed, in the order it did. */
export interface InstalledView extends View {
  /** The installing node's run, when it restarted (each run is checked on its own). */
  readonly incarnation?: number;
}

/** Posts are told apart by their payload: the simulator's scenarios make every payload unique. */
const keyOf = (payload: Uint8Array): string => Array.from(payload).join('.');

/**
 * Checks what each node delivered against what was posted:
 * - nothing delivered twice by one run of a node (`duplicate`), nothing that was not posted to that
 *   room with those bytes (`unknown`);
 * - `fifo`: each origin's posts in the order it posted them, across rooms; `total`: within each room;
 * - `total`: every room's posts in one order at every node (compared over the posts both delivered);
 * - with `everyPostEverywhere`, every post at every node (`lost`): for runs where no node fails or
 *   is left out of a view.
 * Returns every violation found (empty = all guarantees held).
 */
export function checkDeliveries(
  mode: OrderingMode,
  posts: readonly SimulatedPost[],
  deliveriesByNode: ReadonlyMap<NodeId, readonly DeliveredPost[]>,
  options: { readonly everyPostEverywhere?: boolean } = {},
): Violation[] {
  const violations: Violation[] = [];
  const posted = new Map<string, { post: SimulatedPost; index: number }>();
  posts.forEach((post, index) => posted.set(keyOf(post.payload), { post, index }));
  const roomOrders = new Map<number, { node: NodeId; order: string[] }[]>();

  for (const [node, deliveries] of deliveriesByNode) {
    const seen = new Set<string>();
    /** By sender: the origin's run in fifo, and within a room in total (rooms order alone). */
    const lastIndexBySender = new Map<string, number>();
    const orderByRoom = new Map<string, string[]>();
    for (const delivery of deliveries) {
      const key = keyOf(delivery.payload);
      const found = posted.get(key);
      if (found === undefined || found.post.room !== delivery.room) {
        violations.push({
          kind: 'unknown',
          node,
          detail: `delivered [${key}] in room ${delivery.room}, never posted there`,
        });
        continue;
      }
      const run = `${delivery.incarnation ?? 0}`;
      if (seen.has(`${run}/${key}`)) {
        violations.push({ kind: 'duplicate', node, detail: `delivered [${key}] twice` });
        continue;
      }
      seen.add(`${run}/${key}`);
      const { post, index } = found;
      const origin = `${post.origin}.${post.incarnation}`;
      const sender = `${run}/${mode === 'total' ? `${post.room}:${origin}` : origin}`;
      const last = lastIndexBySender.get(sender) ?? -1;
      if (mode !== 'unordered' && index < last) {
        violations.push({
          kind: 'fifo',
          node,
          detail: `delivered [${key}] of ${origin} after one posted later`,
        });
      }
      lastIndexBySender.set(sender, Math.max(last, index));
      const roomOrder = orderByRoom.get(`${run}/${delivery.room}`) ?? [];
      roomOrder.push(key);
      orderByRoom.set(`${run}/${delivery.room}`, roomOrder);
    }
    if (options.everyPostEverywhere) {
      for (const key of posted.keys()) {
        if (!seen.has(`0/${key}`))
          violations.push({ kind: 'lost', node, detail: `never delivered [${key}]` });
      }
    }
    for (const [runRoom, order] of orderByRoom) {
      const room = Number(runRoom.split('/')[1]);
      const orders = roomOrders.get(room) ?? [];
      orders.push({ node, order });
      roomOrders.set(room, orders);
    }
  }
  if (mode === 'total') {
    for (const [room, orders] of roomOrders) violations.push(...roomOrderViolations(room, orders));
  }
  return violations;
}

/** Every pair of nodes' orders of a room, over the posts both delivered. */
function roomOrderViolations(
  room: number,
  orders: readonly { node: NodeId; order: readonly string[] }[],
): Violation[] {
  const violations: Violation[] = [];
  for (const [index, reference] of orders.entries()) {
    const there = new Set(reference.order);
    for (const { node, order } of orders.slice(index + 1)) {
      const here = new Set(order);
      const referenceCommon = reference.order.filter((key) => here.has(key));
      const common = order.filter((key) => there.has(key));
      const at = common.findIndex((key, position) => referenceCommon[position] !== key);
      if (at >= 0) {
        violations.push({
          kind: 'total-order',
          node,
          detail: `room ${room}: [${common[at]}] comes where node ${reference.node} has [${referenceCommon[at]}]`,
        });
      }
    }
  }
  return violations;
}

/**
 * Checks the views and what was delivered in them:
 * - virtual synchrony: two nodes that install the same view right after the same view delivered
 *   exactly the same posts in the earlier one (so a failed node's post reaches all or none of them);
 * - a post is delivered only in the view it was posted in, the same id with the same members
 *   (`sending-view`): a post made on one side of a partition never reaches the other side, even
 *   after the sides merge (as in extended virtual synchrony);
 * - in total order, nothing is delivered in a view without a majority of the `nodeCount` nodes;
 * - with `nodeCount` given, self-delivery: a node that moves on from a view with a majority of all
 *   nodes, or to a view with no other member of it (so it left alone), has delivered in it every
 *   post it made in it. (A minority of two or more may not deliver its members' last posts in
 *   total order: the majority may have ordered posts of two of them otherwise than the minority
 *   could know. A node whose companions missed the install leaves as such a minority too.)
 */
export function checkViews(
  mode: OrderingMode,
  posts: readonly SimulatedPost[],
  viewsByNode: ReadonlyMap<NodeId, readonly InstalledView[]>,
  deliveriesByNode: ReadonlyMap<NodeId, readonly DeliveredPost[]>,
  options: { readonly nodeCount?: number } = {},
): Violation[] {
  const violations: Violation[] = [];
  const name = (view: View): string => `${view.id}[${view.members.join(',')}]`;
  const postedIn = new Map(posts.map((post) => [keyOf(post.payload), name(post.view)]));
  /** By `view>nextView`: the posts delivered in `view` by the first node seen to make that move. */
  const moves = new Map<string, { node: NodeId; delivered: Set<string> }>();
  /** By `view>nextView`: how many runs made that move. */
  const movers = new Map<string, number>();
  /**
   * By `node/run/view`: the move that run made from that view, whether the next view has no other
   * member of it, and what the run delivered in it.
   */
  const movesFrom = new Map<
    string,
    { move: string; alone: boolean; delivered: ReadonlySet<string> }
  >();
  for (const [node, views] of viewsByNode) {
    const deliveries = deliveriesByNode.get(node) ?? [];
    const runs = new Set(views.map((view) => view.incarnation ?? 0));
    for (const run of runs) {
      const runViews = views.filter((view) => (view.incarnation ?? 0) === run);
      const runDeliveries = deliveries.filter((delivery) => (delivery.incarnation ?? 0) === run);
      const primaryById = new Map(runViews.map((view) => [view.id, view.primary]));
      const nameById = new Map(runViews.map((view) => [view.id, name(view)]));
      const deliveredIn = new Map<number, Set<string>>();
      for (const delivery of runDeliveries) {
        const view = delivery.view ?? 0;
        if (mode === 'total' && primaryById.get(view) !== true) {
          violations.push({
            kind: 'minority-delivery',
            node,
            detail: `delivered [${keyOf(delivery.payload)}] in view ${view}, which is not primary`,
          });
        }
        const sentIn = postedIn.get(keyOf(delivery.payload));
        if (sentIn !== undefined && sentIn !== nameById.get(view)) {
          violations.push({
            kind: 'sending-view',
            node,
            detail: `delivered [${keyOf(delivery.payload)}] in view ${nameById.get(view)}, posted in ${sentIn}`,
          });
        }
        const set = deliveredIn.get(view) ?? new Set<string>();
        set.add(keyOf(delivery.payload));
        deliveredIn.set(view, set);
      }
      for (let index = 0; index + 1 < runViews.length; index++) {
        // Views on two sides of a partition may share an id: a view is its id and its members.
        const move = `${name(runViews[index]!)}>${name(runViews[index + 1]!)}`;
        const delivered = deliveredIn.get(runViews[index]!.id) ?? new Set<string>();
        const [left, next] = [runViews[index]!, runViews[index + 1]!];
        const alone = next.members.filter((member) => left.members.includes(member)).length === 1;
        movers.set(move, (movers.get(move) ?? 0) + 1);
        movesFrom.set(`${node}/${run}/${name(left)}`, { move, alone, delivered });
        const first = moves.get(move);
        if (first === undefined) {
          moves.set(move, { node, delivered });
          continue;
        }
        const missing = [...first.delivered].filter((key) => !delivered.has(key));
        const extra = [...delivered].filter((key) => !first.delivered.has(key));
        if (missing.length > 0 || extra.length > 0) {
          violations.push({
            kind: 'virtual-synchrony',
            node,
            detail:
              `moving ${move} with node ${first.node}: delivered in view ${runViews[index]!.id} ` +
              `${extra.length} posts it did not, and not ${missing.length} it did ` +
              `(e.g. [${extra[0] ?? missing[0]}])`,
          });
        }
      }
    }
  }
  const { nodeCount } = options;
  if (nodeCount !== undefined) {
    for (const post of posts) {
      const from = movesFrom.get(`${post.origin}/${post.incarnation}/${name(post.view)}`);
      if (from === undefined) continue; // its origin never moved on from that view
      const group = movers.get(from.move)!;
      const bound = from.alone || group * 2 > nodeCount;
      if (bound && !from.delivered.has(keyOf(post.payload))) {
        violations.push({
          kind: 'self-delivery',
          node: post.origin,
          detail: `moved ${from.move} (${group} of ${nodeCount} nodes) without delivering its own [${keyOf(post.payload)}]`,
        });
      }
    }
  }
  return violations;
}
