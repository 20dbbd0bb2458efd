import type { NodeId } from '../messages.js';
import type { OrderingMode } from '../options.js';
import type { SimulatedPost } from './simulator.js';

export interface Violation {
  readonly kind: 'lost' | 'duplicate' | 'unknown' | 'fifo' | 'total-order';
  readonly node: NodeId;
  readonly detail: string;
}

/** What a node delivered, in delivery order: enough to check every mode's guarantee. */
export interface DeliveredPost {
  readonly room: number;
  readonly origin: NodeId;
  readonly originSeq: number;
}

const postKey = (origin: NodeId, originSeq: number): string => `${origin}:${originSeq}`;

/**
 * Checks what each node delivered against what was posted: every post exactly once at every node;
 * in `fifo` and `total`, each origin's posts to a room in their posting order; in `total`, one order per room at
 * every node. FIFO is checked per origin within a room. Returns every violation found (empty = all guarantees held).
 */
export function checkDeliveries(
  mode: OrderingMode,
  posts: readonly SimulatedPost[],
  deliveriesByNode: ReadonlyMap<NodeId, readonly DeliveredPost[]>,
): Violation[] {
  const violations: Violation[] = [];
  const posted = new Map(posts.map((post) => [postKey(post.origin, post.originSeq), post]));
  const roomOrders = new Map<number, { node: NodeId; order: string[] }>();

  for (const [node, deliveries] of deliveriesByNode) {
    const seen = new Set<string>();
    /** By `room:origin`: FIFO is per sender within a room (a client posts to the room it is in). */
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
      if (seen.has(key)) {
        violations.push({ kind: 'duplicate', node, detail: `delivered ${key} twice` });
        continue;
      }
      seen.add(key);
      const sender = `${delivery.room}:${delivery.origin}`;
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
    if (mode !== 'total') continue;
    for (const [room, order] of orderByRoom) {
      const reference = roomOrders.get(room);
      if (reference === undefined) {
        roomOrders.set(room, { node, order });
        continue;
      }
      const at = order.findIndex((key, index) => reference.order[index] !== key);
      if (at >= 0) {
        violations.push({
          kind: 'total-order',
          node,
          detail: `room ${room}: position ${at} is ${order[at]} here but ${reference.order[at]} at node ${reference.node}`,
        });
      }
    }
  }
  return violations;
}
