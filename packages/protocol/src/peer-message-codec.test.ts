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

  it('lays out each kind as documented', () => {
    const write = (message: Parameters<typeof writePeerMessage>[2]) => {
      const bytes = new Uint8Array(peerMessageByteLength(message));
      writePeerMessage(bytes, 0, message);
      return [...bytes];
    };
    const payload = Uint8Array.from([0x68, 0x69]);
    expect(write({ kind: 'post', seq: 300, room: 2, payload })).toEqual([
      1, 0xac, 0x02, 2, 2, 0x68, 0x69,
    ]);
    expect(write({ kind: 'order', seq: 1, room: 2, origin: 3, originSeq: 4 })).toEqual([
      5, 1, 2, 3, 4,
    ]);
    expect(write({ kind: 'status', received: [0, 7], delivered: [0, 6], stable: 3 })).toEqual([
      6, 2, 0, 7, 0, 6, 3,
    ]);
    expect(write({ kind: 'nak', first: 5, last: 9 })).toEqual([4, 5, 9]);
  });

  it('rejects an unknown kind byte, and the retired proposal (2) and status (3) kinds', () => {
    expect(read([2, 1, 2, 3, 4, 0]).problem).toBe('unknown message kind 2');
    expect(read([3, 2, 0, 7]).problem).toBe('unknown message kind 3');
    expect(read([0x09, 1, 1])).toMatchObject({
      message: undefined,
      problem: 'unknown message kind 9',
    });
    expect(read([0x00])).toMatchObject({ problem: 'unknown message kind 0' });
  });

  it('rejects field values the rules forbid', () => {
    expect(read([1, 0, 1, 0]).problem).toBe('seq 0 is not an integer 1 to 2^53-1');
    expect(read([5, 1, 1, 65, 1]).problem).toBe('origin 65 is not a node id 1-64');
    expect(read([4, 5, 4]).problem).toBe('nak first 5 is after last 4');
  });

  it('rejects an oversized payload length before looking for the bytes', () => {
    expect(read([1, 1, 1, 0x81, 0x20]).problem).toBe('payload of 4097 bytes exceeds 4096');
  });

  it('rejects a status count over 64 before reading the entries', () => {
    expect(read([6, 65]).problem).toBe('status has 65 entries, more than 64');
    expect(read([6, 0xff, 0xff, 0xff, 0xff, 0x0f]).problem).toMatch(/more than 64/);
  });

  it('names the field where a message is cut short', () => {
    expect(read([1, 1, 1, 3, 0x61]).problem).toBe('truncated payload');
    expect(read([6, 2, 0]).problem).toBe('truncated status entry');
    expect(read([6, 1, 0, 0]).problem).toBe('truncated stable');
    expect(read([4, 5]).problem).toBe('truncated last');
    expect(read([]).problem).toBe('truncated message kind');
  });
});
