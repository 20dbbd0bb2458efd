import { describe, expect, test } from 'vitest';
import { Queue } from './queue.js';

/** Takes everything, in order. */
const drain = (queue: Queue<number>): number[] => {
  const items: number[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) items.push(item);
  return items;
};

describe('Queue', () => {
  test('an empty queue has nothing to peek or shift', () => {
    const queue = new Queue<number>();
    expect(queue.length).toBe(0);
    expect(queue.peek()).toBeUndefined();
    expect(queue.shift()).toBeUndefined();
  });

  test('items come out in the order they went in, across growth from a wrapped ring', () => {
    const queue = new Queue<number>();
    let next = 0;
    let expected = 0;
    // Interleaved pushes and shifts move the head around the ring before each growth, so the
    // items are copied out of a ring that wraps past its end.
    for (let round = 1; round <= 200; round++) {
      const pushes = round % 7 === 0 ? 40 : 3;
      for (let i = 0; i < pushes; i++) queue.push(next++);
      expect(queue.peek()).toBe(expected);
      expect(queue.shift()).toBe(expected++);
      expect(queue.length).toBe(next - expected);
    }
    expect(drain(queue)).toEqual(Array.from({ length: next - expected }, (_, i) => expected + i));
    expect(queue.length).toBe(0);
  });

  test('a drained queue takes new items', () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 100; i++) queue.push(i);
    drain(queue);
    queue.push(7);
    queue.push(8);
    expect(queue.length).toBe(2);
    expect(drain(queue)).toEqual([7, 8]);
  });
});
