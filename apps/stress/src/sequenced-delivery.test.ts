import { expect, test } from 'vitest';
import { SEQUENCER_INDEX, SequencedDelivery } from './sequenced-delivery.js';

function server(self: number): { order: SequencedDelivery; delivered: string[] } {
  const delivered: string[] = [];
  const order = new SequencedDelivery(3, self, (room, line) =>
    delivered.push(`${room}:${line.toString()}`),
  );
  return { order, delivered };
}

test('the sequencer delivers each post as it takes it and names its server in that order', () => {
  const { order, delivered } = server(SEQUENCER_INDEX);
  expect(order.isSequencer).toBe(true);
  order.takePost(2, 1, Buffer.from('b1'));
  order.takePost(1, 1, Buffer.from('a1'));
  order.takePost(2, 2, Buffer.from('b2'));
  expect(delivered).toEqual(['1:b1', '1:a1', '2:b2']);
  expect([...order.takeOrderRecord()!]).toEqual([2, 1, 2]);
  expect(order.takeOrderRecord()).toBeUndefined();
});

test('another server delivers in the order named, each post once it is both named and here', () => {
  const { order, delivered } = server(3);
  expect(order.isSequencer).toBe(false);
  order.takePost(3, 1, Buffer.from('c1'));
  order.takePost(2, 1, Buffer.from('b1'));
  expect(delivered).toEqual([]);
  // Named before it arrives: 1's post, then 3's, then 2's.
  order.takeOrder(Buffer.from([1, 3, 2, 2]));
  expect(delivered).toEqual([]);
  order.takePost(1, 2, Buffer.from('a1'));
  expect(delivered).toEqual(['2:a1', '1:c1', '1:b1']);
  order.takePost(2, 1, Buffer.from('b2'));
  expect(delivered).toEqual(['2:a1', '1:c1', '1:b1', '1:b2']);
  expect(order.takeOrderRecord()).toBeUndefined();
});

test('a record naming no server of the cluster is passed over', () => {
  const { order, delivered } = server(2);
  order.takePost(3, 1, Buffer.from('c1'));
  order.takeOrder(Buffer.from([9, 0, 3]));
  expect(delivered).toEqual(['1:c1']);
});

test('more servers than an order record can name are refused', () => {
  expect(() => new SequencedDelivery(256, 1, () => {})).toThrow(RangeError);
});

test('a server whose posts never all wait named keeps delivering them in order', () => {
  const { order, delivered } = server(2);
  // Server 3's posts always run one ahead of their naming, so its list never empties.
  order.takePost(3, 1, Buffer.from('0'));
  for (let index = 1; index <= 5_000; index++) {
    order.takePost(3, 1, Buffer.from(String(index)));
    order.takeOrder(Buffer.from([3]));
  }
  expect(delivered).toHaveLength(5_000);
  expect(delivered.at(-1)).toBe('1:4999');
  expect(delivered.every((line, index) => line === `1:${index}`)).toBe(true);
});
