import { PEER_DATAGRAM_BYTES_TARGET } from '@chat/protocol';
import { expect, test } from 'vitest';
import { forEachRelayedPost, RelayPeerFramePacker } from './relay-peer-frame.js';

function unpack(frames: readonly Buffer[]): [number, string][] {
  const posts: [number, string][] = [];
  for (const frame of frames) {
    forEachRelayedPost(frame, (room, line) => posts.push([room, line.toString()]));
  }
  return posts;
}

test('the posts of one read go out in as few datagrams as fit, in order', () => {
  const packer = new RelayPeerFramePacker();
  const posts = Array.from({ length: 40 }, (_, i): [number, string] => [
    (i % 3) + 1,
    `<c${String(i).padStart(2, '0')}> ${'x'.repeat(60)}`,
  ]);
  for (const [room, line] of posts) packer.push(room, Buffer.from(line));
  const frames = packer.take();
  // 40 posts of 3 + 66 bytes each: 14 fit in a datagram of at most 999 bytes.
  expect(frames.map((frame) => frame.length)).toEqual([966, 966, 828]);
  expect(frames.every((frame) => frame.length <= PEER_DATAGRAM_BYTES_TARGET)).toBe(true);
  expect(unpack(frames)).toEqual(posts);
  expect(packer.take()).toEqual([]);
});

test('a truncated datagram yields the whole posts before the cut', () => {
  const packer = new RelayPeerFramePacker();
  packer.push(1, Buffer.from('<a> one'));
  packer.push(2, Buffer.from('<b> two'));
  const [frame] = packer.take();
  expect(unpack([frame!.subarray(0, frame!.length - 1)])).toEqual([[1, '<a> one']]);
});
