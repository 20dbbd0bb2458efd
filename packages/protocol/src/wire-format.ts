/**
 * The server-to-server datagram: a frame of messages from one sender.
 *
 *   0xC5 0x53   magic; 0xC5 0x53 is never the start of valid UTF-8, so no client line looks like it
 *   0x01        version
 *   COBS(body)  body = from (varint), then the messages (see peer-message-codec.ts)
 *
 * COBS removes every 0x00 from the body, and the header has none, so a datagram never contains a
 * NUL byte: the course's delay proxy stops copying at the first one.
 */

import type { NodeId, PeerMessage } from '@chat/ordering';
import { ByteReader } from './byte-reader.js';
import { cobsDecode, cobsEncode, cobsEncodedLengthMax } from './cobs.js';
import { peerMessageByteLength, readPeerMessage, writePeerMessage } from './peer-message-codec.js';
import { FRAME_MESSAGES_MAX, nodeIdProblem, peerMessageProblem } from './peer-message-rules.js';
import { varintByteLength, writeVarint } from './varint.js';

const FRAME_MAGIC_BYTES: readonly [number, number] = [0xc5, 0x53];
const FRAME_VERSION = 1;
const HEADER_BYTES = 3;

export interface PeerFrame {
  readonly from: NodeId;
  readonly messages: readonly PeerMessage[];
}

export type FrameDecodeError =
  /** Not our magic: some other protocol. */
  | { readonly kind: 'foreign' }
  | { readonly kind: 'unsupported-version'; readonly version: number }
  | { readonly kind: 'malformed'; readonly reason: string };

export type FrameDecodeResult =
  | { readonly ok: true; readonly frame: PeerFrame }
  | { readonly ok: false; readonly error: FrameDecodeError };

/**
 * Encodes `frame` as one datagram (an exact-length view). Throws a RangeError if the frame breaks
 * the rules `decodeFrame` enforces (bad ids, too many messages, oversized payload, ...): that is a
 * bug in the caller, and peers would drop the datagram anyway.
 */
export function encodeFrame(frame: PeerFrame): Uint8Array {
  const problem = frameProblem(frame);
  if (problem !== undefined) throw new RangeError(`encodeFrame: ${problem}`);
  let bodyLength = varintByteLength(frame.from);
  for (const message of frame.messages) bodyLength += peerMessageByteLength(message);
  return encodeValidFrame(frame.from, frame.messages, 0, frame.messages.length, bodyLength);
}

/** Bytes a frame whose body is `bodyLength` bytes takes at most. */
export function frameByteLengthMax(bodyLength: number): number {
  return HEADER_BYTES + cobsEncodedLengthMax(bodyLength);
}

/**
 * Encodes `messages[start..end)`, already checked, whose body (with `from`) is `bodyLength` bytes.
 * Lets a packer that has measured the messages encode a run of them without measuring again.
 */
export function encodeValidFrame(
  from: NodeId,
  messages: readonly PeerMessage[],
  start: number,
  end: number,
  bodyLength: number,
): Uint8Array {
  const body = new Uint8Array(bodyLength);
  let at = writeVarint(body, 0, from);
  for (let index = start; index < end; index++) at = writePeerMessage(body, at, messages[index]!);
  const datagram = new Uint8Array(frameByteLengthMax(bodyLength));
  datagram[0] = FRAME_MAGIC_BYTES[0];
  datagram[1] = FRAME_MAGIC_BYTES[1];
  datagram[2] = FRAME_VERSION;
  return datagram.subarray(0, cobsEncode(body, datagram, HEADER_BYTES));
}

/**
 * Decodes one datagram. Never throws: anything but a valid frame comes back as an error. Payloads
 * are views into one buffer allocated for this frame, never into `datagram`, so the caller may reuse
 * `datagram` at once; keeping any payload keeps that buffer (at most the datagram's size) alive.
 */
export function decodeFrame(datagram: Uint8Array): FrameDecodeResult {
  if (
    datagram.length < FRAME_MAGIC_BYTES.length ||
    datagram[0] !== FRAME_MAGIC_BYTES[0] ||
    datagram[1] !== FRAME_MAGIC_BYTES[1]
  ) {
    return { ok: false, error: { kind: 'foreign' } };
  }
  const version = datagram[2];
  if (version === undefined) return malformed('missing version byte');
  if (version !== FRAME_VERSION)
    return { ok: false, error: { kind: 'unsupported-version', version } };

  const body = cobsDecode(datagram, HEADER_BYTES);
  if (!body.ok) return malformed(body.reason);
  const reader = new ByteReader(body.bytes);
  const from = reader.varint('from');
  const fromProblem = reader.problem ?? nodeIdProblem(from, 'from');
  if (fromProblem !== undefined) return malformed(fromProblem);

  const messages: PeerMessage[] = [];
  while (!reader.atEnd) {
    if (messages.length === FRAME_MESSAGES_MAX) {
      return malformed(`more than ${FRAME_MESSAGES_MAX} messages`);
    }
    const message = readPeerMessage(reader);
    if (message === undefined)
      return malformed(`message ${messages.length + 1}: ${reader.problem}`);
    messages.push(message);
  }
  return { ok: true, frame: { from, messages } };
}

function frameProblem(frame: PeerFrame): string | undefined {
  const fromProblem = nodeIdProblem(frame.from, 'from');
  if (fromProblem !== undefined) return fromProblem;
  if (frame.messages.length > FRAME_MESSAGES_MAX) {
    return `${frame.messages.length} messages, more than ${FRAME_MESSAGES_MAX}`;
  }
  for (const [index, message] of frame.messages.entries()) {
    const problem = peerMessageProblem(message);
    if (problem !== undefined) return `message ${index + 1}: ${problem}`;
  }
  return undefined;
}

function malformed(reason: string): FrameDecodeResult {
  return { ok: false, error: { kind: 'malformed', reason } };
}
