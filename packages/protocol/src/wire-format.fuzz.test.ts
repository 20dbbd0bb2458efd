/**
 * Fuzzing decodeFrame with 130,000 datagrams in CI (times FUZZ_RUNS_MULTIPLIER): random bytes (with
 * and without our header), random bodies behind a valid header and COBS layer, and valid datagrams,
 * plain and authenticated, with bytes flipped, inserted, deleted or cut off. Whatever comes in,
 * decodeFrame must return (never throw) either a frame or a typed error; and it must accept only
 * canonical datagrams, the exact bytes encodeFrame would produce for the frame it returns.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsEncode, cobsEncodedLengthMax } from './cobs.js';
import { formatCount, fuzzRuns, mutate, mutationArbitrary } from '@chat/test-support/fuzz';
import { peerFrameArbitrary } from './testing/peer-message-arbitraries.js';
import { testAuthenticator } from './testing/test-authenticator.js';
import { decodeFrame, encodeFrame, type FrameAuthenticator } from './wire-format.js';

const HEADER = [0xc5, 0x53, 0x01];

type Outcome = 'ok' | 'foreign' | 'unsupported-version' | 'malformed' | 'unauthenticated';

/**
 * Throws (failing the property) unless `datagram` decodes to a canonical frame or a well-formed
 * error; counts the outcome in `tally`.
 */
function checkDecodes(
  datagram: Uint8Array,
  tally: Map<Outcome, number>,
  authenticator?: FrameAuthenticator,
): void {
  const result = decodeFrame(datagram, authenticator);
  const outcome = result.ok ? 'ok' : result.error.kind;
  tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  if (result.ok) {
    const again = encodeFrame(result.frame, authenticator);
    if (again.length !== datagram.length || again.some((byte, index) => byte !== datagram[index])) {
      throw new Error('accepted a datagram that is not what encodeFrame makes of its frame');
    }
    return;
  }
  const { error } = result;
  switch (error.kind) {
    case 'foreign':
      if (datagram[0] === 0xc5 && datagram[1] === 0x53) throw new Error('our magic called foreign');
      return;
    case 'unsupported-version':
      if (error.version === 1 || error.version === 2 || error.version !== datagram[2])
        throw new Error('wrong version');
      return;
    case 'unauthenticated':
      if (typeof error.reason !== 'string' || error.reason === '') throw new Error('no reason');
      return;
    case 'malformed':
      if (typeof error.reason !== 'string' || error.reason === '') throw new Error('no reason');
      return;
    default:
      throw new Error(`untyped error ${JSON.stringify(error)}`);
  }
}

/** Runs `cases` datagrams through checkDecodes; returns the share of each outcome. */
function fuzz(
  datagrams: fc.Arbitrary<Uint8Array>,
  cases: number,
  authenticator?: FrameAuthenticator,
): Record<Outcome, number> {
  const tally = new Map<Outcome, number>();
  fc.assert(
    fc.property(datagrams, (datagram) => checkDecodes(datagram, tally, authenticator)),
    { numRuns: cases },
  );
  const total = [...tally.values()].reduce((sum, count) => sum + count, 0);
  expect(total).toBe(cases);
  const share = (outcome: Outcome) => (tally.get(outcome) ?? 0) / total;
  return {
    ok: share('ok'),
    foreign: share('foreign'),
    'unsupported-version': share('unsupported-version'),
    malformed: share('malformed'),
    unauthenticated: share('unauthenticated'),
  };
}

function withHeader(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([...HEADER, ...bytes]);
}

function cobsWithHeader(body: readonly number[]): Uint8Array {
  const datagram = new Uint8Array(HEADER.length + cobsEncodedLengthMax(body.length));
  datagram.set(HEADER);
  return datagram.subarray(0, cobsEncode(Uint8Array.from(body), datagram, HEADER.length));
}

/**
 * Bytes that look like the start of fields: kinds (7-15 and 18-21 now, 1-6, 16 and 17 retired), node ids, the
 * remainder byte, varint continuations, COBS codes.
 */
const likelyByte = fc.oneof(
  fc.integer({ min: 0, max: 22 }),
  fc.integer({ min: 0, max: 70 }),
  fc.constantFrom(0x7f, 0x80, 0x81, 0xfe, 0xff),
  fc.integer({ min: 0, max: 255 }),
);

const smallPayloads = fc.uint8Array({ maxLength: 40 });

const runs = {
  randomBytes: fuzzRuns(20_000),
  randomAfterHeader: fuzzRuns(20_000),
  randomBodies: fuzzRuns(30_000),
  mutated: fuzzRuns(40_000),
  mutatedAuthenticated: fuzzRuns(20_000),
};
const totalRuns = Object.values(runs).reduce((sum, count) => sum + count, 0);

// Each group also checks that its cases reach the decoder stage it is meant to exercise.
describe(`decodeFrame fuzzing (${formatCount(totalRuns)} cases)`, () => {
  it(`survives ${formatCount(runs.randomBytes)} datagrams of random bytes`, () => {
    const shares = fuzz(fc.uint8Array({ maxLength: 64 }), runs.randomBytes);
    expect(shares.foreign).toBeGreaterThan(0.9);
  });

  it(`survives ${formatCount(runs.randomAfterHeader)} random datagrams behind our header`, () => {
    const rest = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.array(likelyByte, { maxLength: 64 }),
    );
    const shares = fuzz(
      rest.map((bytes) => withHeader(Uint8Array.from(bytes))),
      runs.randomAfterHeader,
    );
    expect(shares.malformed).toBeGreaterThan(0.9);
  });

  it(`survives ${formatCount(runs.randomBodies)} random bodies behind a valid header and COBS layer`, () => {
    const body = fc.tuple(fc.integer({ min: 0, max: 70 }), fc.array(likelyByte, { maxLength: 80 }));
    const shares = fuzz(
      body.map(([from, rest]) => cobsWithHeader([from, ...rest])),
      runs.randomBodies,
    );
    expect(shares.ok).toBeGreaterThan(0.01);
    expect(shares.malformed).toBeGreaterThan(0.5);
  });

  it('mutates frames of every message kind', () => {
    const kinds = new Set<string>();
    for (const frame of fc.sample(peerFrameArbitrary(6, smallPayloads), {
      numRuns: 500,
      seed: 1,
    })) {
      for (const message of frame.messages) {
        kinds.add(message.kind === 'relay' ? `relay ${message.entry.kind}` : message.kind);
      }
    }
    expect([...kinds].sort()).toEqual(
      [
        ...['post', 'order', 'status', 'nak', 'relay post', 'relay order'],
        ...['heartbeat', 'prepare', 'report', 'cut', 'adopted', 'flushed', 'install'],
      ].sort(),
    );
  });

  it(`survives ${formatCount(runs.mutated)} valid datagrams with bytes flipped, set, inserted, deleted or cut off`, () => {
    const mutated = fc
      .tuple(
        peerFrameArbitrary(6, smallPayloads),
        fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
      )
      .map(([frame, mutations]) => mutate(encodeFrame(frame), mutations));
    const shares = fuzz(mutated, runs.mutated);
    expect(shares.ok).toBeGreaterThan(0.01);
    expect(shares.malformed).toBeGreaterThan(0.5);
  });

  it(`survives ${formatCount(runs.mutatedAuthenticated)} authenticated datagrams mutated, decoded with the key`, () => {
    const key = testAuthenticator(7);
    const mutated = fc
      .tuple(
        peerFrameArbitrary(6, smallPayloads),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.array(mutationArbitrary, { minLength: 0, maxLength: 3 }),
      )
      .map(([frame, epoch, mutations]) => mutate(encodeFrame({ ...frame, epoch }, key), mutations));
    const shares = fuzz(mutated, runs.mutatedAuthenticated, key);
    // Unmutated datagrams pass; a mutation that survives COBS and the header fails the tag.
    expect(shares.ok).toBeGreaterThan(0.01);
    expect(shares.unauthenticated).toBeGreaterThan(0.1);
  });
});
