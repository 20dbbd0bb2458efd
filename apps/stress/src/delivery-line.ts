/** Where `parseDeliveryLine` puts what it read: one object reused for every datagram. */
export interface ParsedDelivery {
  sender: number;
  seq: number;
}

const DIGIT_0 = 0x30;
const DOT = 0x2e;
const SPACE = 0x20;
const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
/** Keeps parsed numbers exact and far from overflow. */
const DIGITS_MAX = 9;

/**
 * Reads a chatstress delivery, `<NICK> S.Q` (client S's message number Q), from the end of the
 * datagram's bytes, without decoding it to a string: this runs for every datagram the clients get.
 * Returns false for anything else.
 */
export function parseDeliveryLine(data: Uint8Array, into: ParsedDelivery): boolean {
  let at = data.length - 1;
  const seqEnd = at;
  let seq = 0;
  for (let scale = 1; at >= 0 && isDigit(data[at]!); at--, scale *= 10) {
    seq += (data[at]! - DIGIT_0) * scale;
  }
  if (at === seqEnd || seqEnd - at > DIGITS_MAX || data[at] !== DOT) return false;
  const senderEnd = --at;
  let sender = 0;
  for (let scale = 1; at >= 0 && isDigit(data[at]!); at--, scale *= 10) {
    sender += (data[at]! - DIGIT_0) * scale;
  }
  if (at === senderEnd || senderEnd - at > DIGITS_MAX) return false;
  if (at < 2 || data[at] !== SPACE || data[at - 1] !== GREATER_THAN || data[0] !== LESS_THAN) {
    return false;
  }
  into.sender = sender;
  into.seq = seq;
  return true;
}

function isDigit(byte: number): boolean {
  return byte >= DIGIT_0 && byte <= DIGIT_0 + 9;
}
