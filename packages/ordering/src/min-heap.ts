/** A binary min-heap ordered by `isBefore`. */
export class MinHeap<T> {
  readonly #items: T[] = [];

  constructor(private readonly isBefore: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let child = items.length - 1;
    // Sift up by moving parents down, writing `item` once at its place.
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const above = items[parent] as T;
      if (!this.isBefore(item, above)) break;
      items[child] = above;
      child = parent;
    }
    items[child] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let parent = 0;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < items.length && this.isBefore(items[left] as T, items[smallest] as T))
        smallest = left;
      if (right < items.length && this.isBefore(items[right] as T, items[smallest] as T))
        smallest = right;
      if (smallest === parent) break;
      const below = items[smallest] as T;
      items[smallest] = items[parent] as T;
      items[parent] = below;
      parent = smallest;
    }
    return top;
  }
}
