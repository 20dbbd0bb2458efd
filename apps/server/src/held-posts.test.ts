import { describe, expect, it } from 'vitest';
import type { ChatClient } from './client-registry.js';
import { HeldPosts, type HeldPost } from './held-posts.js';

const client = { key: '127.0.0.1:40000' } as ChatClient;
const post = (text: string): HeldPost => ({
  client,
  room: 1,
  payload: new TextEncoder().encode(text),
  escaped: text,
});

describe('HeldPosts', () => {
  it('gives posts back in the order they were held', () => {
    const held = new HeldPosts(10);
    for (const text of ['a', 'b', 'c']) expect(held.hold(post(text))).toBe(true);
    const taken: string[] = [];
    for (let next = held.peek(); next !== undefined; next = held.peek()) {
      taken.push(next.escaped);
      held.shift();
    }
    expect(taken).toEqual(['a', 'b', 'c']);
    expect(held.size).toBe(0);
  });

  it('holds at most postsMax, and takes more once some are gone', () => {
    const held = new HeldPosts(2);
    expect(held.hold(post('a'))).toBe(true);
    expect(held.hold(post('b'))).toBe(true);
    expect(held.hold(post('c'))).toBe(false);
    expect(held.size).toBe(2);
    held.shift();
    expect(held.hold(post('d'))).toBe(true);
    expect(held.peek()?.escaped).toBe('b');
  });

  it('keeps its order across many rounds of holding and taking', () => {
    const held = new HeldPosts(3);
    const accepted: string[] = [];
    const taken: string[] = [];
    for (let round = 0; round < 20; round++) {
      for (const text of [`${round}a`, `${round}b`]) if (held.hold(post(text))) accepted.push(text);
      taken.push(held.peek()!.escaped);
      held.shift();
    }
    for (let next = held.peek(); next !== undefined; next = held.peek()) {
      taken.push(next.escaped);
      held.shift();
    }
    // Once full, some posts are refused; whatever was held comes out once, in order.
    expect(accepted.length).toBeLessThan(40);
    expect(taken).toEqual(accepted);
  });
});
