import type { PeerMessage } from '@chat/ordering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeIdProblem, PEER_PAYLOAD_BYTES_MAX, peerMessageProblem } from './peer-message-rules.js';
import { peerMessageArbitrary } from './testing/peer-message-arbitraries.js';

const post = (seq: number, room: number, payloadLength = 0): PeerMessage => ({
  kind: 'post',
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

  it('wants seqs and rooms of 1 or more, as safe integers', () => {
    expect(peerMessageProblem(post(0, 1))).toBe('seq 0 is not an integer 1 to 2^53-1');
    expect(peerMessageProblem(post(1, 0))).toBe('room 0 is not an integer 1 to 2^53-1');
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
    const order = { kind: 'order', seq: 1, room: 1, originSeq: 1 } as const;
    expect(peerMessageProblem({ ...order, origin: 64 })).toBeUndefined();
    expect(peerMessageProblem({ ...order, origin: 65 })).toBe('origin 65 is not a node id 1-64');
    expect(peerMessageProblem({ ...order, origin: 1, originSeq: 0 })).toBe(
      'originSeq 0 is not an integer 1 to 2^53-1',
    );
  });

  it('allows zero status entries but at most 64 of them, in vectors of one length', () => {
    const status = (received: number[], delivered = received, stable = 0) =>
      ({ kind: 'status', received, delivered, stable }) as const;
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
    expect(peerMessageProblem({ kind: 'nak', first: 3, last: 3 })).toBeUndefined();
    expect(peerMessageProblem({ kind: 'nak', first: 4, last: 3 })).toBe(
      'nak first 4 is after last 3',
    );
    expect(peerMessageProblem({ kind: 'nak', first: 0, last: 3 })).toBe(
      'first 0 is not an integer 1 to 2^53-1',
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
