import { expect, test } from 'vitest';
import { DeliveryLedger, percentile } from './delivery-ledger.js';

// Clients 0 and 1 in room 1, client 2 alone in room 2; two messages each.
const newLedger = (): DeliveryLedger => {
  const ledger = new DeliveryLedger([1, 1, 2], 2);
  for (const sender of [0, 1, 2]) for (const seq of [0, 1]) ledger.recordPosted(sender, seq, 0);
  return ledger;
};

test('a clean run: nothing lost, duplicated or out of order', () => {
  const ledger = newLedger();
  for (const receiver of [0, 1]) {
    for (const [sender, seq] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      ledger.recordDelivered(receiver, sender, seq, 2);
    }
  }
  ledger.recordDelivered(2, 2, 0, 3);
  ledger.recordDelivered(2, 2, 1, 4);
  const summary = ledger.summary();
  expect(summary).toMatchObject({
    posted: 6,
    expectedDeliveries: 10,
    deliveries: 10,
    lost: 0,
    duplicates: 0,
  });
  expect(summary.fifoViolations + summary.totalOrderViolations).toBe(0);
  expect(Array.from(summary.latenciesMs)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 3, 4]);
});

test('loss, duplicates, FIFO and total-order violations are each counted', () => {
  const ledger = newLedger();
  ledger.recordDelivered(0, 0, 1, 1);
  ledger.recordDelivered(0, 0, 0, 1); // FIFO violation
  ledger.recordDelivered(0, 1, 0, 1);
  ledger.recordDelivered(0, 1, 0, 1); // duplicate
  ledger.recordDelivered(1, 1, 0, 1);
  ledger.recordDelivered(1, 0, 1, 1); // order differs from receiver 0's
  const summary = ledger.summary();
  expect(summary).toMatchObject({
    deliveries: 5,
    lost: 5,
    duplicates: 1,
    fifoViolations: 1,
    totalOrderViolations: 1,
  });
});

test('deliveries from another room or of unknown messages are rejected', () => {
  const ledger = newLedger();
  expect(ledger.recordDelivered(0, 2, 0, 1)).toBe(false);
  expect(ledger.recordDelivered(0, 7, 0, 1)).toBe(false);
  expect(ledger.recordDelivered(0, 0, 9, 1)).toBe(false);
});

test('messages posted during the warm-up are checked but leave no latency', () => {
  const ledger = new DeliveryLedger([1, 1], 2);
  ledger.measureLatencyFrom(10);
  ledger.recordPosted(0, 0, 5);
  ledger.recordPosted(0, 1, 10);
  for (const receiver of [0, 1]) {
    ledger.recordDelivered(receiver, 0, 0, 12);
    ledger.recordDelivered(receiver, 0, 1, 13);
  }
  const summary = ledger.summary();
  expect(summary.deliveries).toBe(4);
  expect(Array.from(summary.latenciesMs)).toEqual([3, 3]);
});

test('percentile uses the nearest rank', () => {
  const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(percentile(sorted, 0.5)).toBe(5);
  expect(percentile(sorted, 0.99)).toBe(10);
  expect(percentile(sorted, 1)).toBe(10);
  expect(percentile(new Float64Array(), 0.5)).toBeNaN();
});
