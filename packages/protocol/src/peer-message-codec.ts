/**
 * One peer message inside a frame body: a kind byte, then its fields in the order listed below, each
 * an unsigned varint, except that a payload is a length varint followed by that many bytes and a
 * status vector is a count varint followed by that many varints.
 *
 *   1 post      seq room payload
 *   4 nak       first last
 *   5 order     seq room origin originSeq
 *   6 status    received[] delivered[] stable
 *
 * (Kinds 2 and 3 were the ISIS proposal and the status without `delivered`: gone, and refused as
 * unknown kinds, so a server of an earlier release is never misread.)
 *
 * Writers assume a message that passed `peerMessageProblem`; the reader checks everything.
 */

import type { PeerMessage } from '@chat/ordering';
import type { ByteReader } from './byte-reader.js';
import { SERVER_COUNT_MAX } from './cluster-config.js';
import { PEER_PAYLOAD_BYTES_MAX, peerMessageProblem } from './peer-message-rules.js';
import { varintByteLength, writeVarint } from './varint.js';

const KIND_POST = 1;
const KIND_NAK = 4;
const KIND_ORDER = 5;
const KIND_STATUS = 6;

/** Bytes `writePeerMessage` uses for `message`. */
export function peerMessageByteLength(message: PeerMessage): number {
  switch (message.kind) {
    case 'post':
      return (
        1 +
        varintByteLength(message.seq) +
        varintByteLength(message.room) +
        varintByteLength(message.payload.length) +
        message.payload.length
      );
    case 'order':
      return (
        1 +
        varintByteLength(message.seq) +
        varintByteLength(message.room) +
        varintByteLength(message.origin) +
        varintByteLength(message.originSeq)
      );
    case 'status': {
      let length = 1 + varintByteLength(message.received.length);
      for (const received of message.received) length += varintByteLength(received);
      for (const delivered of message.delivered) length += varintByteLength(delivered);
      return length + varintByteLength(message.stable);
    }
    case 'nak':
      return 1 + varintByteLength(message.first) + varintByteLength(message.last);
  }
}

/** Writes `message` at `offset`; returns the offset after it. */
export function writePeerMessage(target: Uint8Array, offset: number, message: PeerMessage): number {
  let at = offset;
  switch (message.kind) {
    case 'post':
      target[at++] = KIND_POST;
      at = writeVarint(target, at, message.seq);
      at = writeVarint(target, at, message.room);
      at = writeVarint(target, at, message.payload.length);
      target.set(message.payload, at);
      return at + message.payload.length;
    case 'order':
      target[at++] = KIND_ORDER;
      at = writeVarint(target, at, message.seq);
      at = writeVarint(target, at, message.room);
      at = writeVarint(target, at, message.origin);
      return writeVarint(target, at, message.originSeq);
    case 'status':
      // One count for both vectors: the rules require them to be as long as each other.
      target[at++] = KIND_STATUS;
      at = writeVarint(target, at, message.received.length);
      for (const received of message.received) at = writeVarint(target, at, received);
      for (const delivered of message.delivered) at = writeVarint(target, at, delivered);
      return writeVarint(target, at, message.stable);
    case 'nak':
      target[at++] = KIND_NAK;
      at = writeVarint(target, at, message.first);
      return writeVarint(target, at, message.last);
  }
}

/**
 * Reads one message; on failure records the problem in `reader` and returns undefined. A post's
 * payload is a view into the reader's bytes.
 */
export function readPeerMessage(reader: ByteReader): PeerMessage | undefined {
  const message = readFields(reader);
  if (message === undefined || reader.problem !== undefined) return undefined;
  const problem = peerMessageProblem(message);
  if (problem === undefined) return message;
  reader.fail(problem);
  return undefined;
}

function readFields(reader: ByteReader): PeerMessage | undefined {
  const kind = reader.byte('message kind');
  switch (kind) {
    case KIND_POST: {
      const seq = reader.varint('seq');
      const room = reader.varint('room');
      const length = reader.varint('payload length');
      // Checked before slicing so that a huge length reports itself rather than "truncated".
      if (length > PEER_PAYLOAD_BYTES_MAX) {
        reader.fail(`payload of ${length} bytes exceeds ${PEER_PAYLOAD_BYTES_MAX}`);
      }
      return { kind: 'post', seq, room, payload: reader.bytes(length, 'payload') };
    }
    case KIND_ORDER:
      return {
        kind: 'order',
        seq: reader.varint('seq'),
        room: reader.varint('room'),
        origin: reader.varint('origin'),
        originSeq: reader.varint('originSeq'),
      };
    case KIND_STATUS: {
      const count = reader.varint('status length');
      // Checked before reading so that a huge count cannot make us loop or allocate.
      if (count > SERVER_COUNT_MAX) {
        reader.fail(`status has ${count} entries, more than ${SERVER_COUNT_MAX}`);
        return undefined;
      }
      const received: number[] = [];
      for (let index = 0; index < count; index++) received.push(reader.varint('status entry'));
      const delivered: number[] = [];
      for (let index = 0; index < count; index++) delivered.push(reader.varint('status entry'));
      return { kind: 'status', received, delivered, stable: reader.varint('stable') };
    }
    case KIND_NAK:
      return { kind: 'nak', first: reader.varint('first'), last: reader.varint('last') };
    default:
      reader.fail(`unknown message kind ${kind}`);
      return undefined;
  }
}
