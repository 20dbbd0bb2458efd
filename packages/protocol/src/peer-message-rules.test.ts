import {
  ORDER_RUN_POSTS_MAX,
  type CutMessage,
  type PeerMessage,
  type PostEntry,
  type ReportMessage,
} from '@chat/ordering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nodeIdProblem,
  PEER_FLUSH_EXTRAS_MAX,
  PEER_PAYLOAD_BYTES_MAX,
  PEER_ROOM_ID_MAX,
  PEER_VIEW_ID_MAX,
  peerMessageProblem,
} from './peer-message-rules.js';
import { peerMessageArbitrary } from './testing/peer-message-arbitraries.js';

const post = (seq: number, room: number, payloadLength = 0): PeerMessage => ({
  kind: 'post',
  view: 1,
  seq,
  room,
  payload: new Uint8Array(payloadLength),
});

describe('peerMessageProblem', () => {
  it('accepts every message the arbitraries make', () => {
    fc.assert(
      fc.property(peerMessageArbitrary(), (message) => {
        expect(peerMessageProblem(message)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('wants seqs of 1 or more, as safe integers, and rooms of 1 to 2^14-1', () => {
    expect(peerMessageProblem(post(0, 1))).toBe('seq 0 is not an integer 1 to 2^53-1');
    expect(peerMessageProblem(post(1, 0))).toBe('room 0 is not a room 1-16383');
    expect(peerMessageProblem(post(1, PEER_ROOM_ID_MAX))).toBeUndefined();
    expect(peerMessageProblem(post(1, PEER_ROOM_ID_MAX + 1))).toBe(
      'room 16384 is not a room 1-16383',
    );
    expect(peerMessageProblem(post(1.5, 1))).toMatch(/^seq 1.5 /);
    expect(peerMessageProblem(post(2 ** 53, 1))).toMatch(/^seq 9007199254740992 /);
    expect(peerMessageProblem(post(Number.NaN, 1))).toMatch(/^seq NaN /);
  });

  it('limits payloads to 4096 bytes', () => {
    expect(peerMessageProblem(post(1, 1, PEER_PAYLOAD_BYTES_MAX))).toBeUndefined();
    expect(peerMessageProblem(post(1, 1, PEER_PAYLOAD_BYTES_MAX + 1))).toBe(
      'payload of 4097 bytes exceeds 4096',
    );
  });

  it('wants an order entry origin to be a node id', () => {
    const order = { kind: 'order', view: 0, seq: 1, originSeq: 1, rooms: [1] } as const;
    expect(peerMessageProblem({ ...order, origin: 64 })).toBeUndefined();
    expect(peerMessageProblem({ ...order, origin: 65 })).toBe('origin 65 is not a node id 1-64');
    expect(peerMessageProblem({ ...order, origin: 1, originSeq: 0 })).toBe(
      'originSeq 0 is not an integer 1 to 2^53-1',
    );
  });

  it('wants an order entry to name 1 to ORDER_RUN_POSTS_MAX posts, each in a room', () => {
    const order = (rooms: number[]) =>
      ({ kind: 'order', view: 0, seq: 1, origin: 2, originSeq: 1, rooms }) as const;
    expect(peerMessageProblem(order(new Array(ORDER_RUN_POSTS_MAX).fill(7)))).toBeUndefined();
    expect(peerMessageProblem(order([]))).toBe('order names 0 posts, not 1 to 64');
    expect(peerMessageProblem(order(new Array(ORDER_RUN_POSTS_MAX + 1).fill(7)))).toBe(
      'order names 65 posts, not 1 to 64',
    );
    expect(peerMessageProblem(order([1, 0]))).toBe('room 0 is not a room 1-16383');
  });

  it('allows zero status entries but at most 64 of them, in vectors of one length', () => {
    const status = (received: number[], delivered = received, stable = 0) =>
      ({ kind: 'status', view: 2, received, delivered, stable, safe: 0 }) as const;
    expect(peerMessageProblem(status([0, 0, 5]))).toBeUndefined();
    expect(peerMessageProblem(status(new Array(65).fill(0)))).toBe(
      'status has 65 entries, more than 64',
    );
    expect(peerMessageProblem(status([1, 2], [1]))).toBe(
      'status has 2 received but 1 delivered entries',
    );
    expect(peerMessageProblem(status([1, -1]))).toBe(
      'status entry -1 is not an integer 0 to 2^53-1',
    );
    expect(peerMessageProblem(status([1], [1], 0.5))).toBe(
      'status entry 0.5 is not an integer 0 to 2^53-1',
    );
  });

  it('wants a nak range with first <= last', () => {
    const nak = { kind: 'nak', view: 1, writer: 2 } as const;
    expect(peerMessageProblem({ ...nak, first: 3, last: 3 })).toBeUndefined();
    expect(peerMessageProblem({ ...nak, first: 4, last: 3 })).toBe('nak first 4 is after last 3');
    expect(peerMessageProblem({ ...nak, first: 0, last: 3 })).toBe(
      'first 0 is not an integer 1 to 2^53-1',
    );
    expect(peerMessageProblem({ ...nak, writer: 65, first: 1, last: 3 })).toBe(
      'writer 65 is not a node id 1-64',
    );
  });

  it('wants view ids of 0 to 2^35-1 on every message, and proposals of 1 or more', () => {
    const heartbeat = {
      kind: 'heartbeat',
      incarnation: 0,
      view: 0,
      promised: 0,
      coordinator: 1,
      unheard: [],
      leftOut: [],
    } as const;
    expect(peerMessageProblem(heartbeat)).toBeUndefined();
    expect(
      peerMessageProblem({ ...heartbeat, incarnation: 9, view: PEER_VIEW_ID_MAX }),
    ).toBeUndefined();
    expect(peerMessageProblem({ ...heartbeat, view: PEER_VIEW_ID_MAX + 1 })).toBe(
      'view 34359738368 is not a view id 0-34359738367',
    );
    expect(peerMessageProblem({ ...heartbeat, promised: -1 })).toBe(
      'promised -1 is not a view id 0-34359738367',
    );
    expect(peerMessageProblem({ ...heartbeat, incarnation: -1 })).toBe(
      'incarnation -1 is not an integer 0 to 2^53-1',
    );
    expect(peerMessageProblem({ ...post(1, 1), view: -1 } as PeerMessage)).toBe(
      'view -1 is not a view id 0-34359738367',
    );
    expect(peerMessageProblem({ kind: 'flushed', proposal: 0 })).toBe(
      'proposal 0 is not a view id 1-34359738367',
    );
  });

  it.each([
    { list: 'unheard', what: 'unheard node' },
    { list: 'leftOut', what: 'left-out node' },
  ] as const)(
    "wants a heartbeat's $list nodes ascending, distinct, node ids, none to 64 of them",
    ({ list, what }) => {
      const heartbeat = (ids: number[]): PeerMessage => ({
        kind: 'heartbeat',
        incarnation: 3,
        view: 2,
        promised: 2,
        coordinator: 1,
        unheard: [],
        leftOut: [],
        [list]: ids,
      });
      expect(peerMessageProblem(heartbeat([]))).toBeUndefined();
      expect(peerMessageProblem(heartbeat([2, 5, 64]))).toBeUndefined();
      const all = Array.from({ length: 64 }, (_, index) => index + 1);
      expect(peerMessageProblem(heartbeat(all))).toBeUndefined();
      expect(peerMessageProblem(heartbeat([5, 2]))).toBe(
        `${what}s are not in ascending order at 2`,
      );
      expect(peerMessageProblem(heartbeat([2, 2]))).toBe(
        `${what}s are not in ascending order at 2`,
      );
      expect(peerMessageProblem(heartbeat([0, 2]))).toBe(`${what} 0 is not a node id 1-64`);
      expect(peerMessageProblem(heartbeat([2, 65]))).toBe(`${what} 65 is not a node id 1-64`);
      expect(peerMessageProblem(heartbeat([1.5]))).toBe(`${what} 1.5 is not a node id 1-64`);
      expect(peerMessageProblem(heartbeat([...all, 65]))).toBe(`65 ${what}s, not 0-64`);
    },
  );

  it("checks a heartbeat's unheard list before its left-out list", () => {
    const heartbeat: PeerMessage = {
      kind: 'heartbeat',
      incarnation: 3,
      view: 2,
      promised: 2,
      coordinator: 1,
      unheard: [5, 2],
      leftOut: [0],
    };
    expect(peerMessageProblem(heartbeat)).toBe('unheard nodes are not in ascending order at 2');
  });

  it('wants a relay to carry a post or an order entry of a node', () => {
    const entry = post(1, 1) as PostEntry;
    expect(peerMessageProblem({ kind: 'relay', writer: 3, entry })).toBeUndefined();
    expect(peerMessageProblem({ kind: 'relay', writer: 0, entry })).toBe(
      'writer 0 is not a node id 1-64',
    );
    expect(peerMessageProblem({ kind: 'relay', writer: 3, entry: { ...entry, seq: 0 } })).toBe(
      'seq 0 is not an integer 1 to 2^53-1',
    );
    const nested = { kind: 'relay', writer: 3, entry: { kind: 'nak' } } as unknown as PeerMessage;
    expect(peerMessageProblem(nested)).toBe('relay of a nak, not a log entry');
  });

  it('wants proposed members ascending, distinct, at most 64, with incarnations', () => {
    const prepare = (ids: number[], incarnation = 0): PeerMessage => ({
      kind: 'prepare',
      proposal: 2,
      members: ids.map((id) => ({ id, incarnation })),
    });
    expect(peerMessageProblem(prepare([1, 2, 64]))).toBeUndefined();
    expect(peerMessageProblem(prepare([]))).toBe('0 members, not 1-64');
    expect(peerMessageProblem(prepare([2, 1]))).toBe('members are not in ascending order at 1');
    expect(peerMessageProblem(prepare([2, 2]))).toBe('members are not in ascending order at 2');
    expect(peerMessageProblem(prepare([1, 65]))).toBe('member 65 is not a node id 1-64');
    expect(peerMessageProblem(prepare([1], 1.5))).toBe(
      'incarnation 1.5 is not an integer 0 to 2^53-1',
    );
    const many = Array.from({ length: 65 }, (_, index) => index + 1);
    expect(peerMessageProblem(prepare(many))).toBe('65 members, not 1-64');
  });

  it('wants a report with one through per member and extras in (writer, seq) pairs', () => {
    const report: ReportMessage = {
      kind: 'report',
      proposal: 3,
      view: 2,
      members: [1, 2],
      through: [4, 5],
      extras: [2, 7],
      safeThrough: 0,
      adopted: 0,
    };
    expect(peerMessageProblem(report)).toBeUndefined();
    expect(peerMessageProblem({ ...report, through: [4] })).toBe('1 through entries for 2 members');
    expect(peerMessageProblem({ ...report, extras: [2] })).toBe(
      'extras of 1 numbers, not a multiple of 2',
    );
    expect(peerMessageProblem({ ...report, extras: [2, 0] })).toBe(
      'extra seq 0 is not an integer 1 to 2^53-1',
    );
    const tooMany = new Array<number>(2 * (PEER_FLUSH_EXTRAS_MAX + 1)).fill(1);
    expect(peerMessageProblem({ ...report, extras: tooMany })).toBe(
      '65537 extras, more than 65536',
    );
  });

  it('wants a cut with a through and a holder per member and extras in triples', () => {
    const cut: CutMessage = {
      kind: 'cut',
      proposal: 3,
      view: 2,
      members: [1, 2],
      through: [4, 5],
      holders: [1, 2],
      extras: [2, 7, 1],
      remainder: 'none',
      safeThrough: 0,
      orderedThrough: 0,
      orderFixed: false,
    };
    expect(peerMessageProblem(cut)).toBeUndefined();
    expect(peerMessageProblem({ ...cut, kind: 'adopted' })).toBeUndefined();
    expect(peerMessageProblem({ ...cut, holders: [1] })).toBe('1 holders entries for 2 members');
    expect(peerMessageProblem({ ...cut, holders: [1, 0] })).toBe('holder 0 is not a node id 1-64');
    expect(peerMessageProblem({ ...cut, extras: [2, 7] })).toBe(
      'extras of 2 numbers, not a multiple of 3',
    );
    expect(peerMessageProblem({ ...cut, extras: [2, 7, 99] })).toBe(
      'extra holder 99 is not a node id 1-64',
    );
    expect(peerMessageProblem({ ...cut, safeThrough: -1 })).toBe(
      'safeThrough -1 is not an integer 0 to 2^53-1',
    );
    expect(peerMessageProblem({ ...cut, orderedThrough: 0.5 })).toBe(
      'orderedThrough 0.5 is not an integer 0 to 2^53-1',
    );
    expect(peerMessageProblem({ ...cut, orderFixed: 1 as unknown as boolean })).toBe(
      'orderFixed is not a boolean',
    );
    expect(peerMessageProblem({ ...cut, remainder: 'some' as 'all' })).toBe(
      'remainder is not one of CUT_REMAINDERS',
    );
  });

  it('names an unknown kind', () => {
    const bogus = { kind: 'bogus' } as unknown as PeerMessage;
    expect(peerMessageProblem(bogus)).toBe('unknown message kind bogus');
  });
});

describe('nodeIdProblem', () => {
  it('accepts 1..64 only', () => {
    expect(nodeIdProblem(1, 'from')).toBeUndefined();
    expect(nodeIdProblem(64, 'from')).toBeUndefined();
    expect(nodeIdProblem(0, 'from')).toBe('from 0 is not a node id 1-64');
    expect(nodeIdProblem(65, 'from')).toBe('from 65 is not a node id 1-64');
    expect(nodeIdProblem(1.5, 'from')).toBe('from 1.5 is not a node id 1-64');
  });
});
