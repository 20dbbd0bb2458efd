interface Entry<T> {
  readonly dueMs: number;
  /** Breaks ties in due time by arrival, so equal delays never reorder. */
  readonly sequence: number;
  readonly item: T;
}

/** Items held until a due time: a binary min-heap on (due time, arrival order). */
export class DelayQueue<T> {
  readonly #heap: Entry<T>[] = [];
  #sequence = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest due time, or undefined when empty. */
  get nextDueMs(): number | undefined {
    return this.#heap[0]?.dueMs;
  }

  push(dueMs: number, item: T): void {
    const heap = this.#heap;
    heap.push({ dueMs, sequence: this.#sequence++, item });
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!isBefore(heap[child] as Entry<T>, heap[parent] as Entry<T>)) break;
      swap(heap, child, parent);
      child = parent;
    }
  }

  /** Removes and returns the earliest item if it is due at `nowMs`. */
  popDue(nowMs: number): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.dueMs > nowMs) return undefined;
    const last = heap.pop() as Entry<T>;
    if (heap.length > 0) {
      heap[0] = last;
      let parent = 0;
      for (;;) {
        const left = parent * 2 + 1;
        const right = left + 1;
        let first = parent;
        if (left < heap.length && isBefore(heap[left] as Entry<T>, heap[first] as Entry<T>)) {
          first = left;
        }
        if (right < heap.length && isBefore(heap[right] as Entry<T>, heap[first] as Entry<T>)) {
          first = right;
        }
        if (first === parent) break;
        swap(heap, first, parent);
        parent = first;
      }
    }
    return top.item;
  }
}

function isBefore<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.sequence < b.sequence);
}

function swap<T>(heap: Entry<T>[], i: number, j: number): void {
  const held = heap[i] as Entry<T>;
  heap[i] = heap[j] as Entry<T>;
  heap[j] = held;
}
