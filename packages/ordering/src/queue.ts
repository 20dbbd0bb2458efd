/** Slots of a new queue: a power of two, as every capacity is. */
const CAPACITY_INITIAL = 16;

/**
 * A first-in first-out queue: a ring of slots that doubles when full, so push and shift are O(1)
 * (Array#shift is O(n) on large arrays). It never shrinks: every queue of the engine is bounded by
 * one of its limits, and so is its ring.
 *
 * Its only uncommon path, growing, is first taken at a small size: a server's warm-up has run it
 * before a real load's queues grow further (an earlier queue reclaimed its consumed prefix past
 * 1,024 items, first in a real burst, where V8 threw away the optimized code around it).
 */
export class Queue<T> {
  #slots: (T | undefined)[] = new Array<T | undefined>(CAPACITY_INITIAL).fill(undefined);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The first item, without taking it. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#slots[this.#head];
  }

  push(item: T): void {
    if (this.#length === this.#slots.length) this.#grow();
    this.#slots[(this.#head + this.#length) & (this.#slots.length - 1)] = item;
    this.#length += 1;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#slots[this.#head];
    // Dropped, so that the ring keeps no taken item alive.
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#slots.length - 1);
    this.#length -= 1;
    return item;
  }

  /** Twice the slots, the items moved to the front in order. */
  #grow(): void {
    const slots = new Array<T | undefined>(this.#slots.length * 2).fill(undefined);
    for (let i = 0; i < this.#length; i++) {
      slots[i] = this.#slots[(this.#head + i) & (this.#slots.length - 1)];
    }
    this.#slots = slots;
    this.#head = 0;
  }
}
