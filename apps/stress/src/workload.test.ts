import { expect, test } from 'vitest';
import { postsDue, roomOfClient } from './workload.js';

test('rooms are equal in size and each spans every server', () => {
  const rooms = Array.from({ length: 12 }, (_, client) => roomOfClient(client, 12, 3));
  expect(rooms).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  for (const room of [1, 2, 3]) {
    const servers = rooms.flatMap((r, client) => (r === room ? [client % 3] : []));
    expect(new Set(servers)).toEqual(new Set([0, 1, 2]));
  }
});

test('a fixed rate ramps up from 0 over the warm-up, then holds', () => {
  expect(postsDue(0, 1000, 1000)).toBe(0);
  expect(postsDue(500, 1000, 1000)).toBe(125);
  expect(postsDue(1000, 1000, 1000)).toBe(500);
  expect(postsDue(2000, 1000, 1000)).toBe(1500);
  expect(postsDue(2000, 1000, 0)).toBe(2000);
});
