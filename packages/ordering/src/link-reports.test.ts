import { describe, expect, test } from 'vitest';
import { LinkReports } from './link-reports.js';
import type { NodeId } from './messages.js';

const LEAVE_OUT_AFTER_MS = 1_000;

/** Node `self` of `nodeCount`, hearing every node but those in `deafTo`. */
function reportsAt(self: NodeId, nodeCount: number) {
  const reports = new LinkReports(self, nodeCount, LEAVE_OUT_AFTER_MS, 0);
  let deafTo: readonly NodeId[] = [];
  return {
    reports,
    hearAllBut(nodes: readonly NodeId[]): void {
      deafTo = nodes;
    },
    /** The nodes left out at `now`, ascending. */
    leftOut(now: number): NodeId[] {
      const leftOut = reports.update(now, (node) => !deafTo.includes(node));
      return leftOut.flatMap((out, node) => (out ? [node] : []));
    },
  };
}

describe('LinkReports', () => {
  test('a node that does not hear one the others hear is left out once that held for leaveOutAfterMs', () => {
    const node1 = reportsAt(1, 3);
    node1.reports.record(3, [1], []);
    node1.reports.record(2, [], []);
    expect(node1.leftOut(0)).toEqual([]);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS - 1)).toEqual([]);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([3]);
  });

  test('a node that hears every node present decides for itself', () => {
    // Node 2 hears node 1, which does not hear node 2; no other node is present.
    const node2 = reportsAt(2, 3);
    node2.hearAllBut([3]);
    node2.reports.record(1, [2, 3], []);
    node2.leftOut(0);
    expect(node2.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([2]);
  });

  test('a node that does not hear every node present goes by the others', () => {
    // Node 3 does not hear node 1; node 2 does not name node 1, so it hears it: 1 is up.
    const node3 = reportsAt(3, 3);
    node3.hearAllBut([1]);
    node3.reports.record(2, [], []);
    node3.leftOut(0);
    expect(node3.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([]);
    node3.reports.record(2, [], [3]);
    expect(node3.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([3]);
  });

  test('of two nodes that do not hear each other, only the higher-numbered is left out', () => {
    const node1 = reportsAt(1, 3);
    node1.reports.record(2, [3], []);
    node1.reports.record(3, [2], []);
    node1.leftOut(0);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([3]);
    expect(node1.reports.leftOutToName()).toEqual([3]);
    // Node 2 does not hear node 3, so it does not know whom 3 hears: it goes by node 1.
    const node2 = reportsAt(2, 3);
    node2.hearAllBut([3]);
    node2.reports.record(1, [], []);
    expect(node2.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([]);
    expect(node2.reports.leftOutToName()).toEqual([]);
    node2.reports.record(1, [], [3]);
    expect(node2.leftOut(LEAVE_OUT_AFTER_MS + 1)).toEqual([3]);
  });

  test('when the lowest node does not hear a higher one, the higher one is left out', () => {
    // Node 1 does not hear node 2, which hears everyone: still 2 is left out (a tie of one conflict
    // each). Node 3 hears both, and names 2; node 1 goes by node 3.
    const node3 = reportsAt(3, 3);
    node3.reports.record(1, [2], []);
    node3.reports.record(2, [], []);
    node3.leftOut(0);
    expect(node3.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([2]);
    const node1 = reportsAt(1, 3);
    node1.hearAllBut([2]);
    node1.reports.record(3, [], node3.reports.leftOutToName());
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([2]);
  });

  test('a node nobody hears is down: naming it leaves nobody out', () => {
    const node1 = reportsAt(1, 4);
    node1.hearAllBut([4]);
    node1.reports.record(2, [4], []);
    node1.reports.record(3, [4], []);
    node1.leftOut(0);
    expect(node1.leftOut(10 * LEAVE_OUT_AFTER_MS)).toEqual([]);
  });

  test('a cycle of one-way failures among three of five nodes leaves out two, and three nodes go on', () => {
    // Among five nodes, 2 does not hear 3, 3 does not hear 4, and 4 does not hear 2.
    const node1 = reportsAt(1, 5);
    node1.reports.record(2, [3], []);
    node1.reports.record(3, [4], []);
    node1.reports.record(4, [2], []);
    node1.reports.record(5, [], []);
    node1.leftOut(0);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([3, 4]);
  });

  test('a list that holds for less than leaveOutAfterMs moves nobody, however often it comes back', () => {
    const node1 = reportsAt(1, 3);
    node1.reports.record(2, [], []);
    for (let flap = 0; flap < 10; flap++) {
      const atMs = flap * LEAVE_OUT_AFTER_MS;
      node1.reports.record(3, [1], []);
      expect(node1.leftOut(atMs)).toEqual([]);
      expect(node1.leftOut(atMs + LEAVE_OUT_AFTER_MS / 2)).toEqual([]);
      node1.reports.record(3, [], []);
      expect(node1.leftOut(atMs + LEAVE_OUT_AFTER_MS / 2 + 1)).toEqual([]);
    }
  });

  test('a node left out is kept again as soon as it hears everyone, and left out anew later', () => {
    const node1 = reportsAt(1, 3);
    node1.reports.record(2, [], []);
    node1.reports.record(3, [1], []);
    node1.leftOut(0);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([3]);
    node1.reports.record(3, [], []);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS + 1)).toEqual([]);
    // Deaf again: the wait starts over.
    node1.reports.record(3, [1], []);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS + 2)).toEqual([]);
    expect(node1.leftOut(2 * LEAVE_OUT_AFTER_MS + 1)).toEqual([]);
    expect(node1.leftOut(2 * LEAVE_OUT_AFTER_MS + 2)).toEqual([3]);
  });

  test('a node that does not hear every node present does not trust its own answer', () => {
    // Node 5 does not hear node 4, and knows nothing of 4's own deafness to node 1: its own rule
    // would leave out itself (a tie of one conflict each). Node 1, which hears both, leaves out 4.
    const node5 = reportsAt(5, 5);
    node5.hearAllBut([4]);
    for (const peer of [1, 2, 3]) node5.reports.record(peer, [], []);
    expect(node5.reports.update(0, (node) => node !== 4)[5]).toBe(false);
    node5.reports.record(1, [], [4]);
    expect(node5.reports.update(1, (node) => node !== 4)[5]).toBe(false);
    // Named by a node it hears: left out at once (the naming node waited already).
    node5.reports.record(2, [], [5]);
    expect(node5.reports.update(2, (node) => node !== 4)[5]).toBe(true);
    // Not by a node it does not hear any more.
    expect(node5.reports.update(3, (node) => node !== 4 && node !== 2)[5]).toBe(false);
  });

  test('works the answer out again when a list changes, else at most every updateEveryMs', () => {
    const reports = new LinkReports(1, 3, 50, 100);
    const leftOut = (now: number): boolean => reports.update(now, () => true)[3]!;
    reports.record(2, [], []);
    reports.record(3, [1], []);
    expect(leftOut(0)).toBe(false);
    // The wait ends at 50 ms, but nothing changed since: the answer of 0 ms stands until 100 ms.
    expect(leftOut(60)).toBe(false);
    expect(leftOut(100)).toBe(true);
    // A changed list is seen at once.
    reports.record(3, [], []);
    expect(leftOut(101)).toBe(false);
  });

  test("a restarted node's earlier list no longer counts once it is forgotten", () => {
    const node1 = reportsAt(1, 3);
    node1.reports.record(2, [], []);
    node1.reports.record(3, [1], []);
    node1.reports.forget(3);
    node1.leftOut(0);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([]);
  });

  test('a node that hears none of the others is left out, not all of them', () => {
    const node2 = reportsAt(2, 4);
    node2.reports.record(1, [2, 3, 4], []);
    node2.reports.record(3, [], []);
    node2.reports.record(4, [], []);
    node2.leftOut(0);
    expect(node2.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([1]);
    // Node 1, hearing nobody, takes the others for down: it works alone either way.
    const node1 = reportsAt(1, 4);
    node1.hearAllBut([2, 3, 4]);
    node1.leftOut(0);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([]);
  });

  test('a list that names several nodes leaves out its sender, not the nodes it names', () => {
    // Node 2 names everyone: 2 is left out, and node 3, whose only conflict is with 2, is kept.
    const node1 = reportsAt(1, 3);
    node1.reports.record(2, [1, 3], []);
    node1.reports.record(3, [], []);
    node1.leftOut(0);
    expect(node1.leftOut(LEAVE_OUT_AFTER_MS)).toEqual([2]);
  });
});
