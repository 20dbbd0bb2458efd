import { SeededRandom } from '@chat/ordering/testing';
import { describe, expect, it } from 'vitest';
import { DelayQueue } from './delay-queue.js';

function drain<T>(queue: DelayQueue<T>, nowMs: number): T[] {
  const items: T[] = [];
  for (let item = queue.popDue(nowMs); item !== undefined; item = queue.popDue(nowMs)) {
    items.push(item);
  }
  return items;
}

describe('DelayQueue', () => {
  it('holds items until they are due', () => {
    const queue = new DelayQueue<string>();
    queue.push(10, 'b');
    queue.push(5, 'a');

    expect(queue.nextDueMs).toBe(5);
    expect(queue.popDue(4)).toBeUndefined();
    expect(drain(queue, 9)).toEqual(['a']);
    expect(queue.nextDueMs).toBe(10);
    expect(drain(queue, 10)).toEqual(['b']);
    expect(queue.size).toBe(0);
    expect(queue.nextDueMs).toBeUndefined();
  });

  it('releases items due at the same time in the order they were pushed', () => {
    const queue = new DelayQueue<number>();
    for (let item = 0; item < 100; item++) queue.push(7, item);

    expect(drain(queue, 7)).toEqual(Array.from({ length: 100 }, (_, item) => item));
  });

  it('releases many items in due order, ties by arrival', () => {
    const random = new SeededRandom(7);
    const queue = new DelayQueue<{ dueMs: number; arrival: number }>();
    const pushed = Array.from({ length: 5_000 }, (_, arrival) => ({
      dueMs: random.int(0, 50),
      arrival,
    }));
    for (const item of pushed) queue.push(item.dueMs, item);

    const released = drain(queue, 50);

    expect(released).toEqual(
      [...pushed].sort((a, b) => a.dueMs - b.dueMs || a.arrival - b.arrival),
    );
  });
});
