/**
 * What makes a peer message or frame well-formed. The encoder refuses to send what breaks these
 * rules (a bug on our side) and the decoder refuses to accept it (a bad or hostile peer): one set of
 * rules for both, so whatever one server sends, the others accept.
 */

import {
  CUT_REMAINDERS,
  ORDER_RUN_POSTS_MAX,
  VIEW_ID_MAX,
  type Member,
  type NodeId,
  type PeerMessage,
} from '@chat/ordering';
import { SERVER_COUNT_MAX } from './cluster-config.js';

/** Largest post payload a frame carries (the engine's default `payloadBytesMax`). */
export const PEER_PAYLOAD_BYTES_MAX = 4096;

/** Most messages in one frame; bounds the work one datagram can cause. */
export const FRAME_MESSAGES_MAX = 1024;

/**
 * The highest room number a frame carries: 2^14 - 1, two varint bytes (servers offer at most the
 * engine's default `roomIdMax`, 1,024). Bounding it keeps a post's header small enough that an
 * 800-byte text still fits a 999-byte datagram when the post is relayed in a view change.
 */
export const PEER_ROOM_ID_MAX = 2 ** 14 - 1;

/**
 * The highest view id a frame carries: the engine's own bound, `VIEW_ID_MAX` (2^35 - 1, five varint
 * bytes). Each view change takes at least one round trip, so a cluster changing views 100 times a
 * second would take a decade to get there; the bound keeps posts small (see `PEER_ROOM_ID_MAX`).
 */
export const PEER_VIEW_ID_MAX = VIEW_ID_MAX;

/**
 * Most extras a flush report or cut names (posts delivered out of order beyond a member's gap-free
 * prefix): at most one post window (1,024 by default) per writer, with room to spare.
 */
export const PEER_FLUSH_EXTRAS_MAX = 65_536;

/** Returns what is wrong with `message`, or undefined if nothing is. */
export function peerMessageProblem(message: PeerMessage): string | undefined {
  switch (message.kind) {
    case 'post':
      return (
        viewProblem(message.view, 'view') ??
        positiveProblem(message.seq, 'seq') ??
        roomProblem(message.room) ??
        (message.payload.length > PEER_PAYLOAD_BYTES_MAX
          ? `payload of ${message.payload.length} bytes exceeds ${PEER_PAYLOAD_BYTES_MAX}`
          : undefined)
      );
    case 'order':
      return (
        viewProblem(message.view, 'view') ??
        positiveProblem(message.seq, 'seq') ??
        nodeIdProblem(message.origin, 'origin') ??
        positiveProblem(message.originSeq, 'originSeq') ??
        (message.rooms.length >= 1 && message.rooms.length <= ORDER_RUN_POSTS_MAX
          ? undefined
          : `order names ${message.rooms.length} posts, not 1 to ${ORDER_RUN_POSTS_MAX}`) ??
        firstProblem(message.rooms, roomProblem)
      );
    case 'status':
      if (message.received.length > SERVER_COUNT_MAX) {
        return `status has ${message.received.length} entries, more than ${SERVER_COUNT_MAX}`;
      }
      if (message.delivered.length !== message.received.length) {
        return `status has ${message.received.length} received but ${message.delivered.length} delivered entries`;
      }
      return (
        viewProblem(message.view, 'view') ??
        countsProblem(message.received, 'status entry') ??
        countsProblem(message.delivered, 'status entry') ??
        countProblem(message.stable, 'status entry') ??
        countProblem(message.safe, 'status entry')
      );
    case 'nak':
      return (
        viewProblem(message.view, 'view') ??
        nodeIdProblem(message.writer, 'writer') ??
        positiveProblem(message.first, 'first') ??
        positiveProblem(message.last, 'last') ??
        (message.first > message.last
          ? `nak first ${message.first} is after last ${message.last}`
          : undefined)
      );
    case 'relay':
      if (message.entry.kind !== 'post' && message.entry.kind !== 'order') {
        return `relay of a ${String((message.entry as { kind: unknown }).kind)}, not a log entry`;
      }
      return nodeIdProblem(message.writer, 'writer') ?? peerMessageProblem(message.entry);
    case 'heartbeat':
      return (
        countProblem(message.incarnation, 'incarnation') ??
        viewProblem(message.view, 'view') ??
        viewProblem(message.promised, 'promised') ??
        nodeIdProblem(message.coordinator, 'coordinator') ??
        nodeIdsProblem(message.unheard, 'unheard node', 0) ??
        nodeIdsProblem(message.leftOut, 'left-out node', 0)
      );
    case 'prepare':
    case 'install':
      return proposalProblem(message.proposal) ?? membersProblem(message.members);
    case 'report':
      return (
        proposalProblem(message.proposal) ??
        viewProblem(message.view, 'view') ??
        nodeIdsProblem(message.members) ??
        sameLengthProblem(message.through, message.members, 'through') ??
        countsProblem(message.through, 'through') ??
        extrasProblem(message.extras, 2) ??
        countProblem(message.safeThrough, 'safeThrough') ??
        viewProblem(message.adopted, 'adopted')
      );
    case 'cut':
    case 'adopted':
      return (
        proposalProblem(message.proposal) ??
        viewProblem(message.view, 'view') ??
        nodeIdsProblem(message.members) ??
        sameLengthProblem(message.through, message.members, 'through') ??
        countsProblem(message.through, 'through') ??
        sameLengthProblem(message.holders, message.members, 'holders') ??
        firstProblem(message.holders, (holder) => nodeIdProblem(holder, 'holder')) ??
        extrasProblem(message.extras, 3) ??
        (CUT_REMAINDERS.includes(message.remainder)
          ? undefined
          : 'remainder is not one of CUT_REMAINDERS') ??
        countProblem(message.safeThrough, 'safeThrough') ??
        countProblem(message.orderedThrough, 'orderedThrough') ??
        (typeof message.orderFixed === 'boolean' ? undefined : 'orderFixed is not a boolean')
      );
    case 'flushed':
      return proposalProblem(message.proposal);
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

/**
 * A list of `lengthMin`..SERVER_COUNT_MAX node ids, strictly ascending, as the engine keeps them: a
 * view's members (at least 1) by default, or one of a heartbeat's lists, the nodes its sender does
 * not hear or those it leaves out of views (any number of each); `what` names one of them in
 * problems. A plain loop, as below: every heartbeat passes through it twice.
 */
function nodeIdsProblem(
  ids: readonly NodeId[],
  what = 'member',
  lengthMin = 1,
): string | undefined {
  if (ids.length < lengthMin || ids.length > SERVER_COUNT_MAX) {
    return `${ids.length} ${what}s, not ${lengthMin}-${SERVER_COUNT_MAX}`;
  }
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index]!;
    const problem = nodeIdProblem(id, what);
    if (problem !== undefined) return problem;
    if (index > 0 && id <= ids[index - 1]!) return `${what}s are not in ascending order at ${id}`;
  }
  return undefined;
}

/** Members of a proposed view: ascending distinct node ids, each with its incarnation. */
function membersProblem(members: readonly Member[]): string | undefined {
  return (
    nodeIdsProblem(members.map((member) => member.id)) ??
    firstProblem(members, (member) => countProblem(member.incarnation, 'incarnation'))
  );
}

/** Extras as flat tuples of `width` numbers: (writer, seq) in a report, (writer, seq, holder) in a cut. */
function extrasProblem(extras: readonly number[], width: 2 | 3): string | undefined {
  if (extras.length % width !== 0) {
    return `extras of ${extras.length} numbers, not a multiple of ${width}`;
  }
  if (extras.length / width > PEER_FLUSH_EXTRAS_MAX) {
    return `${extras.length / width} extras, more than ${PEER_FLUSH_EXTRAS_MAX}`;
  }
  for (let index = 0; index < extras.length; index += width) {
    const problem =
      nodeIdProblem(extras[index]!, 'extra writer') ??
      positiveProblem(extras[index + 1]!, 'extra seq') ??
      (width === 3 ? nodeIdProblem(extras[index + 2]!, 'extra holder') : undefined);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function sameLengthProblem(
  values: readonly unknown[],
  members: readonly unknown[],
  what: string,
): string | undefined {
  return values.length === members.length
    ? undefined
    : `${values.length} ${what} entries for ${members.length} members`;
}

// The two loops below index their arrays rather than iterate them: every status and order a server
// takes passes through them, and an iterator (and `countsProblem`'s closure) allocated per message
// made them the most of a server's allocations under load (10 servers, total order: a fifth).

function firstProblem<T>(
  values: readonly T[],
  problemOf: (value: T, index: number) => string | undefined,
): string | undefined {
  for (let index = 0; index < values.length; index++) {
    const problem = problemOf(values[index]!, index);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function roomProblem(room: number): string | undefined {
  return Number.isInteger(room) && room >= 1 && room <= PEER_ROOM_ID_MAX
    ? undefined
    : `room ${room} is not a room 1-${PEER_ROOM_ID_MAX}`;
}

/** A view id, 0 (a node's view before its first) to PEER_VIEW_ID_MAX. */
function viewProblem(view: number, what: string): string | undefined {
  return Number.isInteger(view) && view >= 0 && view <= PEER_VIEW_ID_MAX
    ? undefined
    : `${what} ${view} is not a view id 0-${PEER_VIEW_ID_MAX}`;
}

/** A proposed view's id: never 0, which is every node's view before its first. */
function proposalProblem(proposal: number): string | undefined {
  return Number.isInteger(proposal) && proposal >= 1 && proposal <= PEER_VIEW_ID_MAX
    ? undefined
    : `proposal ${proposal} is not a view id 1-${PEER_VIEW_ID_MAX}`;
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

function countsProblem(values: readonly number[], what: string): string | undefined {
  for (let index = 0; index < values.length; index++) {
    const problem = countProblem(values[index]!, what);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
