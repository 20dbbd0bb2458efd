/**
 * Batching: many small messages (acks, proposals, short posts) share a datagram, and the datagrams
 * stay small enough for the course's delay proxy.
 */

import type { NodeId, PeerMessage } from '@chat/ordering';
import { SERVER_COUNT_MAX } from './cluster-config.js';
import { peerMessageByteLength } from './peer-message-codec.js';
import { varintByteLength } from './varint.js';
import {
  FRAME_MESSAGES_MAX,
  PEER_ROOM_ID_MAX,
  PEER_VIEW_ID_MAX,
  nodeIdProblem,
  peerMessageProblem,
} from './peer-message-rules.js';
import {
  encodeValidFrame,
  frameBodyOverhead,
  frameByteLengthMax,
  sealingProblem,
  type FrameSealing,
} from './wire-format.js';

/** The course's delay proxy copies at most 999 bytes of a datagram. */
export const PEER_DATAGRAM_BYTES_TARGET = 999;

/**
 * The largest post payload that fits, alone, in a datagram of `maxDatagramBytes` whatever its view,
 * seq, room and sender, with `tagBytes` of MAC (0: a plain frame), also when another server relays
 * it in a view change. A server that refuses larger posts never sends a datagram the course's proxy
 * would cut.
 */
export function postPayloadBytesMax(
  maxDatagramBytes: number = PEER_DATAGRAM_BYTES_TARGET,
  tagBytes = 0,
): number {
  const largest = Number.MAX_SAFE_INTEGER;
  const sealingBytes = tagBytes === 0 ? 0 : varintByteLength(largest) + tagBytes;
  // from, then a relay of the post (kind, writer, view, seq, room): at their widest.
  const fixedBytes =
    varintByteLength(SERVER_COUNT_MAX) +
    sealingBytes +
    1 +
    varintByteLength(SERVER_COUNT_MAX) +
    varintByteLength(PEER_VIEW_ID_MAX) +
    varintByteLength(largest) +
    varintByteLength(PEER_ROOM_ID_MAX);
  for (let payload = maxDatagramBytes; payload > 0; payload--) {
    const body = fixedBytes + varintByteLength(payload) + payload;
    if (frameByteLengthMax(body) <= maxDatagramBytes) return payload;
  }
  return 0;
}

/**
 * Packs messages into as few datagrams as possible, each at most `maxDatagramBytes`; a message too big to
 * share goes alone. Keeps message order. With `sealing` (a keyed cluster) every datagram carries the
 * epoch and a tag. Throws a RangeError, like `encodeFrame`, for a message peers would reject.
 *
 * Each message is measured once and the datagram size is bounded by the worst-case COBS overhead
 * (one byte per 254), so a datagram may end a byte or two before it would really be full.
 */
export function packFrames(
  from: NodeId,
  messages: readonly PeerMessage[],
  maxDatagramBytes: number = PEER_DATAGRAM_BYTES_TARGET,
  sealing?: FrameSealing,
): Uint8Array[] {
  const fromProblem =
    nodeIdProblem(from, 'from') ?? (sealing === undefined ? undefined : sealingProblem(sealing));
  if (fromProblem !== undefined) throw new RangeError(`packFrames: ${fromProblem}`);
  const fromLength = frameBodyOverhead(from, sealing);
  const datagrams: Uint8Array[] = [];
  let start = 0;
  let bodyLength = fromLength;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    const problem = peerMessageProblem(message);
    if (problem !== undefined) throw new RangeError(`packFrames: message ${index + 1}: ${problem}`);
    const messageLength = peerMessageByteLength(message);
    const count = index - start;
    const full =
      count === FRAME_MESSAGES_MAX ||
      frameByteLengthMax(bodyLength + messageLength) > maxDatagramBytes;
    if (count > 0 && full) {
      datagrams.push(encodeValidFrame(from, messages, start, index, bodyLength, sealing));
      start = index;
      bodyLength = fromLength;
    }
    bodyLength += messageLength;
  }
  if (start < messages.length) {
    datagrams.push(encodeValidFrame(from, messages, start, messages.length, bodyLength, sealing));
  }
  return datagrams;
}
