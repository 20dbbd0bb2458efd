import type { NodeId } from '../messages.js';
import type { OrderingMode } from '../options.js';
import type { SimulatedPost } from './simulator.js';

/** One broken guarantee that `checkDeliveries` found. */
export interface Violation {
  /** Which guarantee: a post lost, delivered twice, never posted, changed, out of FIFO or total order. */
  readonly kind: 'lost' | 'duplicate' | 'unknown' | 'corrupted' | 'fifo' | 'total-order';
  /** The node whose deliveries break it. */
  readonly node: NodeId;
  /** What happened, for a person to read. */
  readonly detail: string;
}

/** What a node delivered, in delivery order: enough to check every mode's guarantee. */
export interface DeliveredPost {
  /** The room it was delivered to. */
  readonly room: number;
  /** The node whose client posted it. */
  readonly origin: NodeId;
  /** Its seq in the origin's log. */
  readonly originSeq: number;
  /** The bytes delivered. */
  readonly payload: Uint8Array;
}

const postKey = (origin: NodeId, originSeq: number): string => `${origin}:${originSeq}`;

/**
 * Checks what each node delivered against what was posted:
 * - every post exactly once at every node (`lost`, `duplicate`), as posted: same room and payload
 *   (`unknown`, `corrupted`);
 * - `fifo`: each origin's posts in the order it posted them, across rooms;
 * - `total`: each origin's posts to a room in their posting order, and every room's posts in one
 *   order at every node (compared over the posts both nodes delivered, so a lost post is reported
 *   as lost and not again as an order violation).
 * Returns every violation found (empty = all guarantees held).
 */
export function checkDeliveries(
  mode: OrderingMode,
  posts: readonly SimulatedPost[],
  deliveriesByNode: ReadonlyMap<NodeId, readonly DeliveredPost[]>,
): Violation[] {
  const violations: Violation[] = [];
  const posted = new Map(posts.map((post) => [postKey(post.origin, post.originSeq), post]));
  const roomOrders = new Map<number, { node: NodeId; order: string[] }[]>();

  for (const [node, deliveries] of deliveriesByNode) {
    const seen = new Set<string>();
    /** By sender: the origin in fifo, the origin within a room in total (rooms order alone). */
    const lastSeqBySender = new Map<string, number>();
    const orderByRoom = new Map<number, string[]>();
    for (const delivery of deliveries) {
      const key = postKey(delivery.origin, delivery.originSeq);
      const post = posted.get(key);
      if (post === undefined || post.room !== delivery.room) {
        violations.push({
          kind: 'unknown',
          node,
          detail: `delivered ${key} in room ${delivery.room}, never posted there`,
        });
        continue;
      }
      if (!sameBytes(post.payload, delivery.payload)) {
        violations.push({ kind: 'corrupted', node, detail: `delivered ${key} with other bytes` });
      }
      if (seen.has(key)) {
        violations.push({ kind: 'duplicate', node, detail: `delivered ${key} twice` });
        continue;
      }
      seen.add(key);
      const sender =
        mode === 'total' ? `${delivery.room}:${delivery.origin}` : `${delivery.origin}`;
      const last = lastSeqBySender.get(sender) ?? 0;
      if (mode !== 'unordered' && delivery.originSeq < last) {
        violations.push({
          kind: 'fifo',
          node,
          detail: `delivered ${key} after ${postKey(delivery.origin, last)}`,
        });
      }
      lastSeqBySender.set(sender, Math.max(last, delivery.originSeq));
      const roomOrder = orderByRoom.get(delivery.room) ?? [];
      roomOrder.push(key);
      orderByRoom.set(delivery.room, roomOrder);
    }
    for (const key of posted.keys()) {
      if (!seen.has(key)) violations.push({ kind: 'lost', node, detail: `never delivered ${key}` });
    }
    for (const [room, order] of orderByRoom) {
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

/** Every node's order of a room against the first node's, over the posts both delivered. */
function roomOrderViolations(
  room: number,
  orders: readonly { node: NodeId; order: readonly string[] }[],
): Violation[] {
  const [reference, ...others] = orders;
  if (reference === undefined) return [];
  const violations: Violation[] = [];
  for (const { node, order } of others) {
    const here = new Set(order);
    const there = new Set(reference.order);
    const referenceCommon = reference.order.filter((key) => here.has(key));
    const common = order.filter((key) => there.has(key));
    const at = common.findIndex((key, index) => referenceCommon[index] !== key);
    if (at >= 0) {
      violations.push({
        kind: 'total-order',
        node,
        detail: `room ${room}: ${common[at]} comes where node ${reference.node} has ${referenceCommon[at]}`,
      });
    }
  }
  return violations;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let index = 0; index < a.byteLength; index++) if (a[index] !== b[index]) return false;
  return true;
}
