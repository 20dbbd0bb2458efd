import { MinHeap } from './min-heap.js';
import type { NodeId } from './messages.js';

/** A post waiting in a room's ISIS hold-back queue. */
export interface PendingPost {
  readonly origin: NodeId;
  readonly originSeq: number;
  payload: Uint8Array | undefined;
  /** Indexed by proposer id; 0 = not proposed yet. */
  readonly proposals: number[];
  proposalCount: number;
  /** The priority this post sorts by: this node's proposal until agreed, then the agreed one. */
  priority: number;
  priorityNode: NodeId;
  agreed: boolean;
  delivered: boolean;
}

/** A heap item; stale once its post's priority changed or the post was delivered. */
interface QueueItem {
  readonly post: PendingPost;
  readonly priority: number;
  readonly priorityNode: NodeId;
}

/**
 * The largest priority a proposal may carry. A node proposes one more than any priority it has seen
 * in the room, so honest proposals stay far below this; a larger one comes from a faulty or hostile
 * peer and would soon overflow the integers that are exact in a double.
 */
export const PROPOSAL_PRIORITY_MAX = 2 ** 48;

const isBefore = (a: QueueItem, b: QueueItem): boolean =>
  a.priority < b.priority || (a.priority === b.priority && a.priorityNode < b.priorityNode);

/**
 * ISIS total order for one room, without a sequencer. Every node proposes a priority for every post
 * (one more than any it has proposed or seen agreed in the room) and sends the proposal to all nodes;
 * a post's agreed priority is the largest proposal, ties broken by proposer id, so every node computes
 * the same value once it holds all proposals, with no separate agreement round. A node delivers the
 * head of its queue once that head's priority is agreed: any post it has not yet proposed for will
 * get a larger proposal from it, hence a larger agreed priority.
 *
 * Posts from one origin keep their order (FIFO) because every node handles an origin's posts in that
 * origin's log order, so each node's proposals for them increase, and so do their maxima.
 */
export class TotalOrderRoom {
  /** Pending posts by origin id, then origin seq. */
  readonly #pending: Map<number, PendingPost>[] = [];
  readonly #queue = new MinHeap<QueueItem>(isBefore);
  /** By origin id: the highest origin seq delivered in this room (an origin's posts go in order). */
  readonly #deliveredThrough: number[] = [];
  #proposedMax = 0;
  #agreedMax = 0;
  #pendingCount = 0;

  constructor(
    private readonly self: NodeId,
    private readonly nodeCount: number,
  ) {}

  get pendingCount(): number {
    return this.#pendingCount;
  }

  /** A post arrived (in its origin's log order): returns this node's proposal for it. */
  propose(origin: NodeId, originSeq: number, payload: Uint8Array): number {
    const post = this.#pendingPost(origin, originSeq);
    post.payload = payload;
    this.#proposedMax = Math.max(this.#proposedMax, this.#agreedMax) + 1;
    post.priority = this.#proposedMax;
    post.priorityNode = this.self;
    this.#queue.push({ post, priority: post.priority, priorityNode: post.priorityNode });
    this.recordProposal(this.self, origin, originSeq, this.#proposedMax);
    return this.#proposedMax;
  }

  recordProposal(proposer: NodeId, origin: NodeId, originSeq: number, priority: number): void {
    // Every proposal of a delivered post has arrived (delivery waits for them all): a later one is
    // a faulty peer's, and must not leave a pending post behind.
    if (originSeq <= (this.#deliveredThrough[origin] ?? 0)) return;
    const post = this.#pendingPost(origin, originSeq);
    if (post.proposals[proposer] !== 0) return;
    post.proposals[proposer] = priority;
    post.proposalCount += 1;
    if (post.proposalCount < this.nodeCount) return;
    let agreed = 0;
    let agreedNode = 0;
    for (let node = 1; node <= this.nodeCount; node++) {
      const proposal = post.proposals[node]!;
      if (proposal >= agreed) {
        agreed = proposal;
        agreedNode = node;
      }
    }
    post.priority = agreed;
    post.priorityNode = agreedNode;
    post.agreed = true;
    this.#agreedMax = Math.max(this.#agreedMax, agreed);
    this.#queue.push({ post, priority: agreed, priorityNode: agreedNode });
  }

  /** The next post to deliver, if the head of the queue is agreed. */
  takeDeliverable(): PendingPost | undefined {
    for (let head = this.#queue.peek(); head !== undefined; head = this.#queue.peek()) {
      const { post } = head;
      const stale =
        post.delivered ||
        head.priority !== post.priority ||
        head.priorityNode !== post.priorityNode;
      if (stale) {
        this.#queue.pop();
        continue;
      }
      if (!post.agreed) return undefined;
      this.#queue.pop();
      post.delivered = true;
      this.#deliveredThrough[post.origin] = post.originSeq;
      this.#pending[post.origin]!.delete(post.originSeq);
      this.#pendingCount -= 1;
      return post;
    }
    return undefined;
  }

  #pendingPost(origin: NodeId, originSeq: number): PendingPost {
    const byOrigin = (this.#pending[origin] ??= new Map());
    let post = byOrigin.get(originSeq);
    if (post === undefined) {
      post = {
        origin,
        originSeq,
        payload: undefined,
        proposals: new Array<number>(this.nodeCount + 1).fill(0),
        proposalCount: 0,
        priority: 0,
        priorityNode: 0,
        agreed: false,
        delivered: false,
      };
      byOrigin.set(originSeq, post);
      this.#pendingCount += 1;
    }
    return post;
  }
}
