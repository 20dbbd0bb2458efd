import { Queue } from './queue.js';

/** One own post in flight; in total order also the seq of the order entry that named it. */
interface PostInFlight {
  readonly postSeq: number;
  orderSeq: number | undefined;
}

/**
 * Flow control for a node's own posts: those posted here and not yet done. `post()` is refused
 * while `entriesMax` of them are in flight, so that a lagging or unreachable node bounds what every
 * buffer holds: receive windows, total-order queues, and (since every other entry a node writes
 * concerns some post in flight) every log.
 *
 * A post is done once every node has delivered it and, in total order, once the sequencer knows
 * that every node holds the order entry that named it: so the sequencer's log, which holds order
 * entries until every node has acknowledged them, holds at most one per post in flight.
 */
export class PostWindow {
  /** Ascending, as posts are written. */
  readonly #inFlight = new Queue<PostInFlight>();
  /** Total order: the posts in flight whose order entry has not arrived yet, in the same order. */
  readonly #awaitingOrder = new Queue<PostInFlight>();

  constructor(readonly entriesMax: number) {}

  get size(): number {
    return this.#inFlight.length;
  }

  get isFull(): boolean {
    return this.#inFlight.length >= this.entriesMax;
  }

  add(postSeq: number, needsOrder: boolean): void {
    const post: PostInFlight = { postSeq, orderSeq: needsOrder ? undefined : 0 };
    this.#inFlight.push(post);
    if (needsOrder) this.#awaitingOrder.push(post);
  }

  /**
   * The sequencer named own posts `firstSeq..lastSeq` in its entry `orderSeq` (own posts are named
   * in order).
   */
  ordered(firstSeq: number, lastSeq: number, orderSeq: number): void {
    for (
      let next = this.#awaitingOrder.peek();
      next !== undefined;
      next = this.#awaitingOrder.peek()
    ) {
      if (next.postSeq > lastSeq) return;
      this.#awaitingOrder.shift();
      if (next.postSeq >= firstSeq) next.orderSeq = orderSeq;
    }
  }

  /**
   * Every node has delivered every own post up to `deliveredSeq`, and every node holds the
   * sequencer's entries up to `orderStableSeq` (ignored outside total order).
   */
  release(deliveredSeq: number, orderStableSeq: number): void {
    for (let next = this.#inFlight.peek(); next !== undefined; next = this.#inFlight.peek()) {
      if (next.postSeq > deliveredSeq) return;
      if (next.orderSeq === undefined || next.orderSeq > orderStableSeq) return;
      this.#inFlight.shift();
    }
  }
}
