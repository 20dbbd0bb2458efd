import { expect, test } from 'vitest';
import { SAMPLE_MESSAGES_MAX, TraceSample } from './trace-sample.js';

test('samples at most SAMPLE_MESSAGES_MAX messages from the middle of the run', () => {
  const clients = 250;
  const rooms = Array.from({ length: clients }, (_, i) => Math.floor(i / 25) + 1);
  const servers = rooms.map((_, i) => i % 10);
  const sample = new TraceSample(servers, rooms, 10, 100);
  const { messages } = sample.data();
  expect(messages.length).toBeGreaterThan(0);
  expect(messages.length).toBeLessThanOrEqual(SAMPLE_MESSAGES_MAX);
  for (const message of messages) {
    expect(message.seq).toBeGreaterThanOrEqual(40);
    expect(message.seq).toBeLessThan(60);
    expect(message.room).toBe(rooms[message.sender]);
  }
  expect(new Set(messages.map((message) => message.room)).size).toBeGreaterThan(1);
});

test('keeps post and receive times relative to the first post, first receipt only', () => {
  const sample = new TraceSample([0, 1], [1, 1], 2, 1);
  sample.start(1000);
  sample.recordPosted(0, 0, 1000.5);
  sample.recordDelivered(1, 0, 0, 1002);
  sample.recordDelivered(1, 0, 0, 1003);
  sample.recordDelivered(0, 1, 5, 1004);
  const message = sample.data().messages.find((m) => m.sender === 0)!;
  expect(message.postedAtMs).toBe(0.5);
  expect(message.receivedAtMs[1]).toBe(2);
  expect(message.receivedAtMs[0]).toBeNaN();
});
