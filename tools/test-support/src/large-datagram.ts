import fc from 'fast-check';

/** The largest payload of a UDP datagram over IPv4. */
const UDP_PAYLOAD_BYTES_MAX = 65_507;

/**
 * Datagrams of 1,000 bytes up to the UDP maximum, filled from a seed (fast-check would draw each of
 * 64 K bytes on its own); half of them start with `/`, so they are parsed as commands.
 */
export const largeDatagramArbitrary: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.integer({ min: 1000, max: UDP_PAYLOAD_BYTES_MAX }), fc.integer(), fc.boolean())
  .map(([length, seed, asCommand]) => {
    const bytes = new Uint8Array(length);
    let state = seed | 1;
    for (let index = 0; index < length; index++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[index] = state & 0xff;
    }
    if (asCommand) bytes[0] = 0x2f; // '/'
    return bytes;
  });
