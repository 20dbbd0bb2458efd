import { describe, expect, test } from 'vitest';
import { DEFAULT_TIMING } from './options.js';
import { StatusSchedule, statusUrgency, type StatusUrgency } from './status-schedule.js';

/** Node 2 of 4 (ids 1..4): in total order, node 1 is the sequencer. */
const MEMBER: StatusUrgency = { allAtOnce: false, waitingPeer: 1, announces: false };
const SEQUENCER: StatusUrgency = { allAtOnce: false, waitingPeer: undefined, announces: true };
const OUTSIDE_TOTAL_ORDER: StatusUrgency = {
  allAtOnce: false,
  waitingPeer: undefined,
  announces: false,
};
const SMALL_VIEW: StatusUrgency = { allAtOnce: true, waitingPeer: undefined, announces: false };

/** A schedule whose heartbeat is due at 50 (after a first `take` at -50). */
function schedule(urgency: StatusUrgency): StatusSchedule {
  const statuses = new StatusSchedule(3, 5, urgency, DEFAULT_TIMING);
  expect(statuses.take(-50)).toBeUndefined();
  return statuses;
}

describe('StatusSchedule', () => {
  test('a member in total order tells the sequencer at once, the writer within ackBatchMsMax', () => {
    const statuses = schedule(MEMBER);
    statuses.arrived(0, 3);
    expect(statuses.take(0)).toEqual([1]);
    expect(statuses.nextDeadline()).toBe(DEFAULT_TIMING.ackBatchMsMax);
    expect(statuses.take(DEFAULT_TIMING.ackBatchMsMax)).toEqual([3]);
    expect(statuses.nextDeadline()).toBe(50);
  });

  test('a status to the sequencer not yet due goes with a batch that goes first', () => {
    const statuses = schedule(MEMBER);
    statuses.arrived(0, 3);
    expect(statuses.take(0)).toEqual([1]); // the batch to node 3 is due at 5
    statuses.arrived(4.2, 1);
    expect(statuses.take(4.2)).toEqual([1]);
    statuses.arrived(4.5, 3); // due to the sequencer at 5.2, ackDelayMs after the last status
    expect(statuses.nextDeadline()).toBe(5);
    expect(statuses.take(5)).toEqual([1, 3]);
    expect(statuses.nextDeadline()).toBe(50);
  });

  test('acknowledgements owed when this node writes go to every member with its entry', () => {
    const statuses = schedule(OUTSIDE_TOTAL_ORDER);
    statuses.wrote(0); // nothing owed: no status
    expect(statuses.nextDeadline()).toBe(50);
    statuses.arrived(1, 4);
    statuses.wrote(2);
    expect(statuses.take(2)).toBe('all');
    expect(statuses.nextDeadline()).toBe(102); // the next heartbeat: a status went to every member
  });

  test('a batch owed to every other member goes to all of them as one', () => {
    const statuses = schedule(OUTSIDE_TOTAL_ORDER);
    for (const writer of [1, 3, 4]) statuses.arrived(0, writer);
    expect(statuses.take(DEFAULT_TIMING.ackBatchMsMax)).toBe('all');
  });

  test('the sequencer sends every status to every member, at once when its order is safer', () => {
    const statuses = schedule(SEQUENCER);
    statuses.orderSafe(3);
    expect(statuses.nextDeadline()).toBe(3);
    expect(statuses.take(3)).toBe('all');
  });

  test('a sequencer whose members tell alone what a majority holds sends nothing for that', () => {
    const statuses = schedule(statusUrgency('total', [1, 2, 3], 1, 3));
    statuses.orderSafe(3);
    expect(statuses.nextDeadline()).toBe(50);
    expect(statuses.take(3)).toBeUndefined();
  });

  test('a writer that may wait on this node hears at once, with what else is owed', () => {
    const statuses = schedule(MEMBER);
    statuses.arrived(0, 3);
    expect(statuses.take(0)).toEqual([1]); // the batch to node 3 is due at 5
    statuses.writerWaits(0.4, 4); // ackDelayMs after the last status
    expect(statuses.nextDeadline()).toBe(DEFAULT_TIMING.ackDelayMs);
    expect(statuses.take(DEFAULT_TIMING.ackDelayMs)).toEqual([3, 4]);
    expect(statuses.nextDeadline()).toBe(50);
  });

  test('in a small view every acknowledgement goes to every member at once', () => {
    const statuses = schedule(SMALL_VIEW);
    statuses.arrived(7, 3);
    expect(statuses.nextDeadline()).toBe(7);
    expect(statuses.take(7)).toBe('all');
  });

  test('every heartbeat a status goes to every member, owed or not', () => {
    const statuses = schedule(MEMBER);
    expect(statuses.take(49)).toBeUndefined();
    expect(statuses.take(50)).toBe('all');
    expect(statuses.nextDeadline()).toBe(150);
  });
});

describe('statusUrgency', () => {
  const TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  test('in total order the sequencer announces and its quorum acknowledges every entry at once', () => {
    expect(statusUrgency('total', TEN, 1, 10)).toEqual(SEQUENCER);
    // With 3 nodes or fewer, a member and the sequencer are a majority: no announcement.
    expect(statusUrgency('total', [1, 2, 3], 1, 3).announces).toBe(false);
    expect(statusUrgency('total', [1, 2, 3], 1, 4).announces).toBe(true);
    // A majority of 10 is 6: the sequencer and the 5 members after it.
    for (const self of [2, 3, 4, 5, 6]) {
      expect(statusUrgency('total', TEN, self, 10)).toEqual(MEMBER);
    }
    for (const self of [7, 8, 9, 10]) {
      expect(statusUrgency('total', TEN, self, 10)).toEqual(OUTSIDE_TOTAL_ORDER);
    }
  });

  test('the quorum is a majority of all configured nodes, counted in view order', () => {
    const view = [3, 4, 5, 6, 7, 8, 9]; // 7 of 10 nodes: the sequencer (3) needs 5 more
    expect(statusUrgency('total', view, 8, 10).waitingPeer).toBe(3);
    expect(statusUrgency('total', view, 9, 10).waitingPeer).toBeUndefined();
  });

  test('outside total order no peer waits and nobody announces; small views send to all', () => {
    expect(statusUrgency('fifo', TEN, 2, 10)).toEqual(OUTSIDE_TOTAL_ORDER);
    expect(statusUrgency('fifo', TEN, 1, 10)).toEqual(OUTSIDE_TOTAL_ORDER);
    expect(statusUrgency('total', [1, 2, 3], 2, 3)).toEqual({
      allAtOnce: true,
      waitingPeer: 1,
      announces: false,
    });
  });
});
