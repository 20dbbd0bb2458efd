/**
 * Test support: byte-level mutations of valid datagrams, for fuzzing decoders with inputs close to
 * what they accept.
 */

import fc from 'fast-check';

/** One edit of a datagram; positions wrap around its length. */
export type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly byte: number }
  | { readonly op: 'insert'; readonly at: number; readonly byte: number }
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'truncate'; readonly at: number };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete'), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate'), at: fc.nat() }),
);

export function mutate(datagram: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(datagram);
  for (const mutation of mutations) {
    const at = mutation.at % (bytes.length + 1);
    switch (mutation.op) {
      case 'flip':
        if (at < bytes.length) bytes[at] = bytes[at]! ^ (1 << mutation.bit);
        break;
      case 'set':
        if (at < bytes.length) bytes[at] = mutation.byte;
        break;
      case 'insert':
        bytes = Uint8Array.from([...bytes.subarray(0, at), mutation.byte, ...bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
    }
  }
  return bytes;
}
