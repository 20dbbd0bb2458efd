import type { NodeId, OrderEntry, PostEntry, RoomId } from './messages.js';
import { Queue } from './queue.js';

/** A post named by an order entry, waiting until the post has been taken here and is safe. */
interface OrderedPost {
  readonly origin: NodeId;
  readonly originSeq: number;
  /** The order entry's seq in the sequencer's log. */
  readonly orderSeq: number;
}

/** What a node keeps of one origin's log: posts taken but not yet delivered. */
class OriginProgress {
  /** The highest seq of the origin's log taken here (posts and order entries alike). */
  takenSeq = 0;
  /** The highest post seq an order entry has named: order entries name an origin's posts in order. */
  orderedSeq = 0;
  /** Taken, not yet delivered, by seq. */
  readonly #waiting = new Map<number, PostEntry>();
  /** The same seqs, ascending; a seq no longer in `#waiting` has been delivered. */
  readonly waitingSeqs = new Queue<number>();

  get waitingCount(): number {
    return this.#waiting.size;
  }

  get(seq: number): PostEntry | undefined {
    return this.#waiting.get(seq);
  }

  add(post: PostEntry): void {
    this.#waiting.set(post.seq, post);
    this.waitingSeqs.push(post.seq);
  }

  delete(seq: number): void {
    this.#waiting.delete(seq);
  }

  /** Drops the delivered seqs before the oldest waiting one; returns that one (if any). */
  dropDeliveredHead(): number | undefined {
    for (let seq = this.waitingSeqs.peek(); seq !== undefined; seq = this.waitingSeqs.peek()) {
      if (this.#waiting.has(seq)) return seq;
      this.waitingSeqs.shift();
    }
    return undefined;
  }

  /** Every waiting post, by seq; none waits after. */
  takeAll(): PostEntry[] {
    const posts = [...this.#waiting.values()].sort((a, b) => a.seq - b.seq);
    this.#waiting.clear();
    return posts;
  }
}

/** A room's posts named by order entries, not yet delivered, in the sequencer's order. */
class RoomOrder {
  readonly posts = new Queue<OrderedPost>();
  /** Whether the room is in `TotalOrder`'s list of rooms with posts named. */
  listed = false;
}

/**
 * Total order with a sequencer: the view's sequencer names every post in an order entry, in the
 * order it takes posts (each origin's in that origin's log order); every member delivers each
 * room's posts in the order the sequencer's log names them, once the order entry is safe
 * (`deliverOrdered`: held by a majority of all nodes) and the post has been taken here. Every
 * member takes the sequencer's log in seq order, so they all deliver the same sequence per room;
 * an order entry may arrive before its post (they come from different logs), in which case its
 * room waits for the post.
 *
 * Nothing here ever refuses to take an entry: back-pressure lives in the origins' post windows,
 * which the delivered watermark (`deliveredSeq`) frees.
 */
export class TotalOrder {
  /** By origin id. */
  readonly #origins: OriginProgress[];
  /** By room id: an array, since room ids are small (at most `EngineLimits.roomIdMax`). */
  readonly #rooms: (RoomOrder | undefined)[] = [];
  /** The rooms with posts named and not yet delivered (and some whose posts went since). */
  #roomsNamed: RoomId[] = [];
  /** Order entries up to this seq may be delivered. */
  #safeSeq = 0;
  /** Rooms are 1..roomIdMax here: a post named in another room was taken as something else. */
  readonly #roomIdMax: number;
  /** Each origin's posts in flight at most (`EngineLimits.postWindowEntriesMax`). */
  readonly #postWindowEntriesMax: number;
  /** At the end of a view: a named post that is not here will not come, so it is skipped. */
  #final = false;

  constructor(
    nodeCount: number,
    roomIdMax: number,
    postWindowEntriesMax: number,
    private readonly onDeliver: (origin: NodeId, post: PostEntry) => void,
  ) {
    this.#origins = Array.from({ length: nodeCount + 1 }, () => new OriginProgress());
    this.#roomIdMax = roomIdMax;
    this.#postWindowEntriesMax = postWindowEntriesMax;
  }

  /** Posts taken and not yet delivered, and order entries waiting for their post. */
  get pendingCount(): number {
    let count = 0;
    for (const origin of this.#origins) count += origin.waitingCount;
    for (const room of this.#rooms) count += room?.posts.length ?? 0;
    return count;
  }

  /**
   * The highest seq of `origin`'s log such that every post of it up to that seq has been delivered
   * here: what a node reports as `delivered`, and what frees the origin's post window.
   */
  deliveredSeq(origin: NodeId): number {
    const progress = this.#origins[origin]!;
    const oldestWaiting = progress.dropDeliveredHead();
    return oldestWaiting === undefined ? progress.takenSeq : oldestWaiting - 1;
  }

  /**
   * `origin`'s posts kept here: from its oldest taken and not yet delivered to its newest taken,
   * those delivered in between included. An honest origin has no more than its post window of
   * posts in flight, and a post stays in flight until every member has delivered it, so it never
   * has more kept here; a hostile sequencer that never orders one of them would make them grow
   * without bound.
   */
  keptCount(origin: NodeId): number {
    const progress = this.#origins[origin]!;
    progress.dropDeliveredHead();
    return progress.waitingSeqs.length;
  }

  /** `origin`'s entry `seq`, in its log order, is not a post: only its place in the log counts. */
  takeOther(origin: NodeId, seq: number): void {
    this.#origins[origin]!.takenSeq = seq;
  }

  /** `origin`'s next post in its log order. Delivers whatever it unblocks. */
  takePost(origin: NodeId, post: PostEntry): void {
    const progress = this.#origins[origin]!;
    progress.takenSeq = post.seq;
    progress.add(post);
    this.#deliverRoom(post.room);
  }

  /**
   * The sequencer's next order entry, in its log order. Returns false (and ignores it) when it
   * cannot be right: an origin out of range, posts not after the origin's last ordered one, or
   * further ahead than an honest sequencer names them. A post it names in a room out of range here
   * was taken as something else: it is passed over, and the entry's other posts are delivered.
   */
  takeOrder(order: OrderEntry): boolean {
    const progress = this.#origins[order.origin];
    const { rooms } = order;
    const lastSeq = order.originSeq + rooms.length - 1;
    if (
      progress === undefined ||
      order.origin < 1 ||
      order.originSeq <= progress.orderedSeq ||
      lastSeq > this.#namedSeqMax(order.origin)
    ) {
      return false;
    }
    progress.orderedSeq = lastSeq;
    for (let index = 0; index < rooms.length; index++) {
      const roomId = rooms[index]!;
      if (!this.#isRoom(roomId)) continue;
      let room = this.#rooms[roomId];
      if (room === undefined) {
        room = new RoomOrder();
        this.#rooms[roomId] = room;
      }
      if (!room.listed) {
        room.listed = true;
        this.#roomsNamed.push(roomId);
      }
      room.posts.push({
        origin: order.origin,
        originSeq: order.originSeq + index,
        orderSeq: order.seq,
      });
    }
    for (const roomId of rooms) if (this.#isRoom(roomId)) this.#deliverRoom(roomId);
    return true;
  }

  /**
   * The furthest seq of `origin`'s log an honest sequencer names now, as far as this member can
   * tell: its own posts precede their order entry in its log, which this member takes in order,
   * so they have been taken here; any other origin's log holds only posts, and one stays in the
   * origin's post window until every member has delivered it, so the origin has written at most a
   * window of them past what this member has delivered. A hostile sequencer can make a member keep
   * no more named posts than that.
   */
  #namedSeqMax(origin: NodeId): number {
    return Math.max(
      this.#origins[origin]!.takenSeq,
      this.deliveredSeq(origin) + this.#postWindowEntriesMax,
    );
  }

  #isRoom(room: RoomId): boolean {
    return Number.isInteger(room) && room >= 1 && room <= this.#roomIdMax;
  }

  /** Order entries up to `safeSeq` may be delivered now. */
  deliverOrdered(safeSeq: number): void {
    if (safeSeq <= this.#safeSeq) return;
    this.#safeSeq = safeSeq;
    this.#deliverNamedRooms();
  }

  /**
   * The view is over and every entry it will ever have here has been taken: delivers the ordered
   * posts up to `safeSeq`, skipping any that never arrived, and forgets later order entries.
   */
  deliverFinal(safeSeq: number): void {
    this.#final = true;
    // Every room, even when `safeSeq` is no news: a room may wait on a post that will not come.
    this.#safeSeq = Math.max(this.#safeSeq, safeSeq);
    this.#deliverNamedRooms();
    this.#rooms.length = 0;
    this.#roomsNamed = [];
  }

  /**
   * The view is over and its group may order what the sequencer did not (all of it, or a lone node
   * its own posts): delivers every post taken and not delivered up to `throughOf(origin)`, by
   * origin and then seq (each origin's posts in the order it wrote them). Posts beyond are not
   * delivered: they are not in the view's cut.
   */
  deliverUnordered(throughOf: (origin: NodeId) => number): void {
    for (const [origin, progress] of this.#origins.entries()) {
      const through = progress.waitingCount > 0 ? throughOf(origin) : 0;
      for (const post of progress.takeAll()) {
        if (post.seq <= through) this.onDeliver(origin, post);
      }
    }
  }

  /** Delivers what each room with posts named may deliver now; lists only those still waiting. */
  #deliverNamedRooms(): void {
    const named = this.#roomsNamed;
    let kept = 0;
    for (const roomId of named) {
      this.#deliverRoom(roomId);
      const room = this.#rooms[roomId]!;
      if (room.posts.length > 0) named[kept++] = roomId;
      else room.listed = false;
    }
    named.length = kept;
  }

  /**
   * Delivers the room's ordered posts from the head while each is safe and has been taken here. A
   * named post the origin's log holds as something else (only a faulty sequencer names one) is
   * skipped, so the room never stalls on it.
   */
  #deliverRoom(roomId: RoomId): void {
    const posts = this.#rooms[roomId]?.posts;
    if (posts === undefined) return;
    for (let head = posts.peek(); head !== undefined; head = posts.peek()) {
      if (head.orderSeq > this.#safeSeq) return;
      const progress = this.#origins[head.origin]!;
      // Not here yet (the order entry came first). Tested on every delivery, not only when the post
      // is missing: a load that never ran before a server's first real load (a warm-up never sees
      // an order entry overtake its post) makes V8 throw away this loop's optimized code then.
      if (!this.#final && head.originSeq > progress.takenSeq) return;
      posts.shift();
      const post = progress.get(head.originSeq);
      // Taken already as something else, or will never come.
      if (post === undefined || post.room !== roomId) continue;
      progress.delete(head.originSeq);
      this.onDeliver(head.origin, post);
    }
  }
}
