/**
 * What makes a peer message or frame well-formed. The encoder refuses to send what breaks these
 * rules (a bug on our side) and the decoder refuses to accept it (a bad or hostile peer): one set of
 * rules for both, so whatever one server sends, the others accept.
 */

import type { NodeId, PeerMessage } from '@chat/ordering';
import { SERVER_COUNT_MAX } from './cluster-config.js';

/** Largest post payload a frame carries (the engine's default `payloadBytesMax`). */
export const PEER_PAYLOAD_BYTES_MAX = 4096;

/** Most messages in one frame; bounds the work one datagram can cause. */
export const FRAME_MESSAGES_MAX = 1024;

/** Returns what is wrong with `message`, or undefined if nothing is. */
export function peerMessageProblem(message: PeerMessage): string | undefined {
  switch (message.kind) {
    case 'post':
      return (
        positiveProblem(message.seq, 'seq') ??
        positiveProblem(message.room, 'room') ??
        (message.payload.length > PEER_PAYLOAD_BYTES_MAX
          ? `payload of ${message.payload.length} bytes exceeds ${PEER_PAYLOAD_BYTES_MAX}`
          : undefined)
      );
    case 'order':
      return (
        positiveProblem(message.seq, 'seq') ??
        positiveProblem(message.room, 'room') ??
        nodeIdProblem(message.origin, 'origin') ??
        positiveProblem(message.originSeq, 'originSeq')
      );
    case 'status':
      if (message.received.length > SERVER_COUNT_MAX) {
        return `status has ${message.received.length} entries, more than ${SERVER_COUNT_MAX}`;
      }
      if (message.delivered.length !== message.received.length) {
        return `status has ${message.received.length} received but ${message.delivered.length} delivered entries`;
      }
      for (const value of [...message.received, ...message.delivered, message.stable]) {
        const problem = countProblem(value, 'status entry');
        if (problem !== undefined) return problem;
      }
      return undefined;
    case 'nak':
      return (
        positiveProblem(message.first, 'first') ??
        positiveProblem(message.last, 'last') ??
        (message.first > message.last
          ? `nak first ${message.first} is after last ${message.last}`
          : undefined)
      );
    default:
      return `unknown message kind ${String((message as { kind: unknown }).kind)}`;
  }
}

/** Node ids are config-file line numbers: 1..SERVER_COUNT_MAX. */
export function nodeIdProblem(id: NodeId, what: string): string | undefined {
  return Number.isInteger(id) && id >= 1 && id <= SERVER_COUNT_MAX
    ? undefined
    : `${what} ${id} is not a node id 1-${SERVER_COUNT_MAX}`;
}

function positiveProblem(value: number, what: string): string | undefined {
  return Number.isSafeInteger(value) && value >= 1
    ? undefined
    : `${what} ${value} is not an integer 1 to 2^53-1`;
}

function countProblem(value: number, what: string): string | undefined {
  return Number.isSafeInteger(value) && value >= 0
    ? undefined
    : `${what} ${value} is not an integer 0 to 2^53-1`;
}
