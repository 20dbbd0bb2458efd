import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';
import { peerMessageByteLength, readPeerMessage, writePeerMessage } from './peer-message-codec.js';
import { peerMessageArbitrary } from './testing/peer-message-arbitraries.js';

function read(bytes: number[]) {
  const reader = new ByteReader(Uint8Array.from(bytes));
  return { message: readPeerMessage(reader), problem: reader.problem, atEnd: reader.atEnd };
}

describe('peer message codec', () => {
  it('writes exactly peerMessageByteLength bytes and reads the message back', () => {
    fc.assert(
      fc.property(peerMessageArbitrary(), (message) => {
        const length = peerMessageByteLength(message);
        const bytes = new Uint8Array(length + 1);
        expect(writePeerMessage(bytes, 1, message)).toBe(length + 1);
        const reader = new ByteReader(bytes.subarray(1));
        expect(readPeerMessage(reader)).toEqual(message);
        expect(reader.atEnd).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reads back heartbeats that hear every node or not, and leave nodes out or not', () => {
    const heartbeat = {
      kind: 'heartbeat',
      incarnation: 7,
      view: 3,
      promised: 4,
      coordinator: 1,
    } as const;
    for (const unheard of [[], [2], [1, 5, 64]]) {
      for (const leftOut of [[], [3], [2, 64]]) {
        const message = { ...heartbeat, unheard, leftOut };
        const bytes = new Uint8Array(peerMessageByteLength(message));
        expect(writePeerMessage(bytes, 0, message)).toBe(bytes.length);
        const reader = new ByteReader(bytes);
        expect(readPeerMessage(reader)).toEqual(message);
        expect(reader.atEnd).toBe(true);
      }
    }
  });

  it('lays out each kind as documented', () => {
    const write = (message: Parameters<typeof writePeerMessage>[2]) => {
      const bytes = new Uint8Array(peerMessageByteLength(message));
      writePeerMessage(bytes, 0, message);
      return [...bytes];
    };
    const payload = Uint8Array.from([0x68, 0x69]);
    const post = { kind: 'post', view: 4, seq: 300, room: 2, payload } as const;
    const order = {
      kind: 'order',
      view: 4,
      seq: 1,
      origin: 3,
      originSeq: 4,
      rooms: [2, 1],
    } as const;
    expect(write(post)).toEqual([7, 4, 0xac, 0x02, 2, 2, 0x68, 0x69]);
    expect(write(order)).toEqual([23, 4, 1, 3, 4, 2, 2, 1]);
    expect(
      write({ kind: 'status', view: 4, received: [0, 7], delivered: [0, 6], stable: 3, safe: 2 }),
    ).toEqual([22, 4, 2, 0, 7, 0, 6, 3, 2]);
    expect(write({ kind: 'nak', view: 4, writer: 2, first: 5, last: 9 })).toEqual([8, 4, 2, 5, 9]);
    expect(write({ kind: 'relay', writer: 3, entry: post })).toEqual([
      11, 3, 4, 0xac, 0x02, 2, 2, 0x68, 0x69,
    ]);
    expect(write({ kind: 'relay', writer: 1, entry: order })).toEqual([24, 1, 4, 1, 3, 4, 2, 2, 1]);
    const heartbeat = {
      kind: 'heartbeat',
      incarnation: 200,
      view: 4,
      promised: 6,
      coordinator: 2,
      unheard: [],
      leftOut: [],
    } as const;
    expect(write(heartbeat)).toEqual([25, 0xc8, 0x01, 4, 6, 2, 0, 0]);
    expect(write({ ...heartbeat, unheard: [1, 3] })).toEqual([25, 0xc8, 0x01, 4, 6, 2, 2, 1, 3, 0]);
    expect(write({ ...heartbeat, leftOut: [3] })).toEqual([25, 0xc8, 0x01, 4, 6, 2, 0, 1, 3]);
    expect(write({ ...heartbeat, unheard: [3], leftOut: [1, 3] })).toEqual([
      25, 0xc8, 0x01, 4, 6, 2, 1, 3, 2, 1, 3,
    ]);
    const members = [
      { id: 1, incarnation: 5 },
      { id: 3, incarnation: 0 },
    ];
    expect(write({ kind: 'prepare', proposal: 6, members })).toEqual([14, 6, 2, 1, 5, 3, 0]);
    expect(write({ kind: 'install', proposal: 6, members })).toEqual([19, 6, 2, 1, 5, 3, 0]);
    expect(
      write({
        kind: 'report',
        proposal: 6,
        view: 4,
        members: [1, 3],
        through: [7, 8],
        extras: [3, 10, 3, 12],
        safeThrough: 2,
        adopted: 5,
      }),
    ).toEqual([15, 6, 4, 2, 1, 3, 7, 8, 2, 3, 10, 3, 12, 2, 5]);
    const cut = {
      kind: 'cut',
      proposal: 6,
      view: 4,
      members: [1, 3],
      through: [7, 8],
      holders: [1, 1],
      extras: [3, 10, 3],
      remainder: 'all',
      safeThrough: 2,
      orderedThrough: 5,
      orderFixed: true,
    } as const;
    expect(write(cut)).toEqual([20, 6, 4, 2, 1, 3, 7, 8, 1, 1, 1, 3, 10, 3, 1, 1, 2, 5]);
    expect(write({ ...cut, kind: 'adopted', remainder: 'none' })).toEqual([
      21, 6, 4, 2, 1, 3, 7, 8, 1, 1, 1, 3, 10, 3, 0, 1, 2, 5,
    ]);
    expect(write({ ...cut, remainder: 'own', orderFixed: false })).toEqual([
      20, 6, 4, 2, 1, 3, 7, 8, 1, 1, 1, 3, 10, 3, 2, 0, 2, 5,
    ]);
    expect(write({ kind: 'flushed', proposal: 6 })).toEqual([18, 6]);
  });

  it('rejects the kinds of releases without views (1-6) as unknown', () => {
    // The old post, proposal, statuses, nak and order layouts: never misread as the new ones.
    expect(read([1, 1, 1, 0]).problem).toBe('unknown message kind 1');
    expect(read([2, 1, 2, 3, 4, 0]).problem).toBe('unknown message kind 2');
    expect(read([3, 2, 0, 7]).problem).toBe('unknown message kind 3');
    expect(read([4, 5, 9]).problem).toBe('unknown message kind 4');
    expect(read([5, 1, 2, 3, 4]).problem).toBe('unknown message kind 5');
    expect(read([6, 0, 0]).problem).toBe('unknown message kind 6');
  });

  it('rejects the cut kinds of releases with a remainder flag (16, 17) as unknown', () => {
    // Their cut ended at safeThrough: read as the new layout, the next message would start inside it.
    expect(read([16, 1, 0, 1, 1, 0, 1, 0, 1, 0]).problem).toBe('unknown message kind 16');
    expect(read([17, 1, 0, 1, 1, 0, 1, 0, 1, 0]).problem).toBe('unknown message kind 17');
  });

  it('rejects the order kinds of releases whose order entry named one post (9, 12) as unknown', () => {
    expect(read([9, 0, 1, 1, 2, 1]).problem).toBe('unknown message kind 9');
    expect(read([12, 1, 0, 1, 1, 2, 1]).problem).toBe('unknown message kind 12');
  });

  it('rejects the heartbeat kind of releases whose heartbeat named no unheard nodes (13) as unknown', () => {
    // Read as the new layout, its coordinator would be taken for a count of unheard nodes.
    expect(read([13, 5, 1, 0, 2])).toMatchObject({
      message: undefined,
      problem: 'unknown message kind 13',
    });
  });

  it('rejects an unknown kind byte', () => {
    expect(read([26, 1, 1])).toMatchObject({
      message: undefined,
      problem: 'unknown message kind 26',
    });
    // The status of releases before `safe`.
    expect(read([10, 0, 0, 0])).toMatchObject({ problem: 'unknown message kind 10' });
    expect(read([0x00])).toMatchObject({ problem: 'unknown message kind 0' });
  });

  it('rejects field values the rules forbid', () => {
    expect(read([7, 0, 0, 1, 0]).problem).toBe('seq 0 is not an integer 1 to 2^53-1');
    expect(read([23, 0, 1, 65, 1, 1, 1]).problem).toBe('origin 65 is not a node id 1-64');
    expect(read([23, 0, 1, 2, 1, 65, 1]).problem).toBe('65 rooms, more than 64');
    expect(read([8, 0, 1, 5, 4]).problem).toBe('nak first 5 is after last 4');
    expect(read([8, 0, 0, 5, 5]).problem).toBe('writer 0 is not a node id 1-64');
    expect(read([18, 0]).problem).toBe('proposal 0 is not a view id 1-34359738367');
    expect(read([14, 1, 2, 3, 0, 2, 0]).problem).toBe('members are not in ascending order at 2');
    expect(read([14, 1, 0]).problem).toBe('0 members, not 1-64');
    // A heartbeat's unheard and left-out nodes: none, or distinct node ids, ascending.
    expect(read([25, 5, 1, 0, 2, 0, 0]).problem).toBeUndefined();
    expect(read([25, 5, 1, 0, 2, 2, 3, 1, 0]).problem).toBe(
      'unheard nodes are not in ascending order at 1',
    );
    expect(read([25, 5, 1, 0, 2, 2, 3, 3, 0]).problem).toBe(
      'unheard nodes are not in ascending order at 3',
    );
    expect(read([25, 5, 1, 0, 2, 1, 0, 0]).problem).toBe('unheard node 0 is not a node id 1-64');
    expect(read([25, 5, 1, 0, 2, 1, 3, 2, 2, 3]).problem).toBeUndefined();
    expect(read([25, 5, 1, 0, 2, 0, 2, 3, 1]).problem).toBe(
      'left-out nodes are not in ascending order at 1',
    );
    expect(read([25, 5, 1, 0, 2, 0, 2, 3, 3]).problem).toBe(
      'left-out nodes are not in ascending order at 3',
    );
    expect(read([25, 5, 1, 0, 2, 0, 1, 0]).problem).toBe('left-out node 0 is not a node id 1-64');
    expect(read([25, 5, 1, 0, 2, 0, 1, 65]).problem).toBe('left-out node 65 is not a node id 1-64');
    // A relay carries a post or an order of a real writer.
    expect(read([11, 0, 0, 1, 1, 0]).problem).toBe('writer 0 is not a node id 1-64');
    // remainder is one byte, 0 to 2: anything else would not be canonical.
    expect(read([20, 1, 0, 1, 1, 0, 1, 0, 2, 0, 0, 0]).problem).toBeUndefined();
    expect(read([20, 1, 0, 1, 1, 0, 1, 0, 3, 0]).problem).toBe('remainder 3 is not 0, 1 or 2');
    expect(read([20, 1, 0, 1, 1, 0, 1, 0, 0, 2, 0, 0]).problem).toBe('orderFixed 2 is not 0 or 1');
    expect(read([20, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0]).problem).toBe(
      'extra writer 0 is not a node id 1-64',
    );
  });

  it('rejects an oversized payload length before looking for the bytes', () => {
    expect(read([7, 0, 1, 1, 0x81, 0x20]).problem).toBe('payload of 4097 bytes exceeds 4096');
    expect(read([11, 1, 0, 1, 1, 0x81, 0x20]).problem).toBe('payload of 4097 bytes exceeds 4096');
  });

  it('rejects a count over its bound before reading what it counts', () => {
    expect(read([22, 0, 65]).problem).toBe('65 status entries, more than 64');
    expect(read([22, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]).problem).toMatch(/more than 64/);
    expect(read([14, 1, 65]).problem).toBe('65 members, more than 64');
    expect(read([15, 1, 0, 65]).problem).toBe('65 members, more than 64');
    expect(read([25, 5, 1, 0, 2, 65]).problem).toBe('65 unheard, more than 64');
    expect(read([25, 5, 1, 0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]).problem).toMatch(/more than 64/);
    expect(read([25, 5, 1, 0, 2, 0, 65]).problem).toBe('65 leftOut, more than 64');
    expect(read([25, 5, 1, 0, 2, 1, 3, 0xff, 0xff, 0xff, 0xff, 0x0f]).problem).toMatch(
      /more than 64/,
    );
    // 65,537 extras: refused at the count, with no extra read.
    expect(read([15, 1, 0, 1, 1, 0, 0x81, 0x80, 0x04]).problem).toBe(
      '65537 extras, more than 65536',
    );
    expect(read([20, 1, 0, 1, 1, 0, 1, 0x81, 0x80, 0x04]).problem).toBe(
      '65537 extras, more than 65536',
    );
  });

  it('stops reading a vector at its first missing entry', () => {
    // 65,536 extras announced, none present: the first missing one ends the message.
    expect(read([15, 1, 0, 1, 1, 0, 0x80, 0x80, 0x04]).problem).toBe('truncated extra');
  });

  it('names the field where a message is cut short', () => {
    expect(read([7, 0, 1, 1, 3, 0x61]).problem).toBe('truncated payload');
    expect(read([22, 0, 2, 0]).problem).toBe('truncated status entry');
    expect(read([22, 0, 1, 0, 0]).problem).toBe('truncated stable');
    expect(read([22, 0, 1, 0, 0, 0]).problem).toBe('truncated safe');
    expect(read([8, 0, 1, 5]).problem).toBe('truncated last');
    expect(read([25, 5]).problem).toBe('truncated view');
    expect(read([25, 5, 1]).problem).toBe('truncated promised');
    expect(read([25, 5, 1, 0]).problem).toBe('truncated coordinator');
    expect(read([25, 5, 1, 0, 2]).problem).toBe('truncated unheard count');
    expect(read([25, 5, 1, 0, 2, 2, 1]).problem).toBe('truncated unheard');
    expect(read([25, 5, 1, 0, 2, 0]).problem).toBe('truncated leftOut count');
    expect(read([25, 5, 1, 0, 2, 1, 3]).problem).toBe('truncated leftOut count');
    expect(read([25, 5, 1, 0, 2, 0, 1]).problem).toBe('truncated leftOut');
    expect(read([25, 5, 1, 0, 2, 0, 2, 1]).problem).toBe('truncated leftOut');
    expect(read([14, 1, 1, 1]).problem).toBe('truncated incarnation');
    expect(read([20, 1, 0, 1, 1, 0, 1, 0]).problem).toBe('truncated remainder');
    expect(read([20, 1, 0, 1, 1, 0, 1, 0, 2]).problem).toBe('truncated orderFixed');
    expect(read([20, 1, 0, 1, 1, 0, 1, 0, 2, 0, 0]).problem).toBe('truncated orderedThrough');
    expect(read([15, 1, 0, 1, 1, 0, 0, 0]).problem).toBe('truncated adopted');
    expect(read([]).problem).toBe('truncated message kind');
  });
});
