import type { NodeId, OrderEntry, PostEntry, RoomId } from './messages.js';
import { Queue } from './queue.js';

/** A post named by an order entry, waiting until the post itself has been taken here. */
interface OrderedPost {
  readonly origin: NodeId;
  readonly originSeq: number;
}

/** A post to hand to the clients of `room`. */
export interface TotalOrderDelivery {
  readonly room: RoomId;
  readonly origin: NodeId;
  readonly post: PostEntry;
}

/** What a node keeps of one origin's log: posts taken but not yet delivered. */
class OriginProgress {
  /** The highest seq of the origin's log taken here (posts and order entries alike). */
  takenSeq = 0;
  /** The highest post seq an order entry has named: order entries name an origin's posts in order. */
  orderedSeq = 0;
  /** Taken, not yet delivered, by seq. */
  readonly waiting = new Map<number, PostEntry>();
  /** The same seqs, ascending; a seq no longer in `waiting` has been delivered. */
  readonly waitingSeqs = new Queue<number>();
}

/**
 * Total order with a sequencer: the node given as `sequencer` (the lowest id) writes one order entry
 * per post, in the order it takes posts (each origin's in that origin's log order); every node
 * delivers each room's posts in the order the sequencer's log names them. Every node takes the
 * sequencer's log in seq order, so they all deliver the same sequence per room; an order entry may
 * arrive before its post (they come from different logs), in which case its room waits for the post.
 *
 * Nothing here ever refuses to take an entry: back-pressure lives in the origins' post windows,
 * which the delivered watermark (`deliveredSeq`) frees.
 */
export class TotalOrder {
  /** By origin id. */
  readonly #origins: OriginProgress[];
  readonly #rooms = new Map<RoomId, Queue<OrderedPost>>();
  #waitingCount = 0;

  constructor(
    nodeCount: number,
    private readonly onDeliver: (delivery: TotalOrderDelivery) => void,
  ) {
    this.#origins = Array.from({ length: nodeCount + 1 }, () => new OriginProgress());
  }

  /** Posts taken and not yet delivered, and order entries waiting for their post. */
  get pendingCount(): number {
    let orders = 0;
    for (const room of this.#rooms.values()) orders += room.length;
    return this.#waitingCount + orders;
  }

  /**
   * The highest seq of `origin`'s log such that every post of it up to that seq has been delivered
   * here: what a node reports as `delivered`, and what frees the origin's post window.
   */
  deliveredSeq(origin: NodeId): number {
    const progress = this.#origins[origin]!;
    const { waiting, waitingSeqs } = progress;
    for (let seq = waitingSeqs.peek(); seq !== undefined; seq = waitingSeqs.peek()) {
      if (waiting.has(seq)) return seq - 1;
      waitingSeqs.shift();
    }
    return progress.takenSeq;
  }

  /** Posts of `origin` taken and not yet delivered. */
  waitingCount(origin: NodeId): number {
    return this.#origins[origin]!.waiting.size;
  }

  /** `origin`'s entry `seq`, in its log order, is not a post: only its place in the log counts. */
  takeOther(origin: NodeId, seq: number): void {
    this.#origins[origin]!.takenSeq = seq;
  }

  /** `origin`'s next post in its log order. Delivers whatever it unblocks. */
  takePost(origin: NodeId, post: PostEntry): void {
    const progress = this.#origins[origin]!;
    progress.takenSeq = post.seq;
    progress.waiting.set(post.seq, post);
    progress.waitingSeqs.push(post.seq);
    this.#waitingCount += 1;
    this.#deliverRoom(post.room);
  }

  /**
   * The sequencer's next order entry, in its log order. Returns false (and ignores it) when it
   * cannot be right: an origin out of range, or a post not after the origin's last ordered one.
   */
  takeOrder(order: OrderEntry): boolean {
    const progress = this.#origins[order.origin];
    if (progress === undefined || order.origin < 1 || order.originSeq <= progress.orderedSeq) {
      return false;
    }
    progress.orderedSeq = order.originSeq;
    let room = this.#rooms.get(order.room);
    if (room === undefined) {
      room = new Queue<OrderedPost>();
      this.#rooms.set(order.room, room);
    }
    room.push({ origin: order.origin, originSeq: order.originSeq });
    this.#deliverRoom(order.room);
    return true;
  }

  /**
   * Delivers the room's ordered posts from the head while each has been taken here. A named post
   * the origin's log holds as something else (only a faulty sequencer names one) is skipped, so
   * the room never stalls on it.
   */
  #deliverRoom(roomId: RoomId): void {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return;
    for (let head = room.peek(); head !== undefined; head = room.peek()) {
      const progress = this.#origins[head.origin]!;
      const post = progress.waiting.get(head.originSeq);
      if (post === undefined || post.room !== roomId) {
        if (head.originSeq > progress.takenSeq) return; // not here yet
        room.shift(); // taken already, and not a post of this room: a faulty order entry
        continue;
      }
      room.shift();
      progress.waiting.delete(head.originSeq);
      this.#waitingCount -= 1;
      this.onDeliver({ room: roomId, origin: head.origin, post });
    }
    if (room.length === 0) this.#rooms.delete(roomId);
  }
}
