/**
 * One peer message inside a frame body: a kind byte, then its fields in the order listed below, each
 * an unsigned varint, except that a payload is a length varint followed by that many bytes, a
 * vector is a count varint followed by that many varints, a member is two varints (id,
 * incarnation), and a cut's remainder is one byte, its index in `CUT_REMAINDERS` (0 none, 1 all,
 * 2 own).
 *
 *    7 post         view seq room payload
 *    8 nak          view writer first last
 *   11 relay        writer, then a post's fields (view seq room payload)
 *   14 prepare      proposal count member[count]
 *   15 report       proposal view count members[count] through[count] pairs (writer seq)[pairs]
 *                   safeThrough adopted
 *   18 flushed      proposal
 *   19 install      proposal count member[count]
 *   20 cut          proposal view count members[count] through[count] holders[count]
 *                   triples (writer seq holder)[triples] remainder orderFixed(0|1)
 *                   safeThrough orderedThrough
 *   21 adopted      as cut
 *   22 status       view count received[count] delivered[count] stable safe
 *   23 order        view seq origin originSeq count rooms[count]
 *   24 relay        writer, then an order's fields (view seq origin originSeq count rooms[count])
 *   25 heartbeat    incarnation view promised coordinator count unheard[count]
 *                   count leftOut[count]
 *
 * (Kinds 1-6 belonged to releases without views: post, the ISIS proposal, two status layouts, nak
 * and order without a view; kinds 16 and 17 to releases whose cut had a remainder flag and ended
 * at safeThrough; kind 10 to releases whose status had no `safe`; kinds 9 and 12 to releases whose
 * order entry named one post; kind 13 to releases whose heartbeat did not name the nodes its sender
 * does not hear. They are refused as unknown kinds, so a server of an earlier release is never
 * misread.)
 *
 * Writers assume a message that passed `peerMessageProblem`; the reader checks everything, and
 * checks every count before reading what it counts, so a huge count costs nothing.
 */

import {
  CUT_REMAINDERS,
  ORDER_RUN_POSTS_MAX,
  type CutMessage,
  type LogEntry,
  type Member,
  type OrderEntry,
  type PeerMessage,
  type PostEntry,
} from '@chat/ordering';
import type { ByteReader } from './byte-reader.js';
import { SERVER_COUNT_MAX } from './cluster-config.js';
import {
  PEER_FLUSH_EXTRAS_MAX,
  PEER_PAYLOAD_BYTES_MAX,
  peerMessageProblem,
} from './peer-message-rules.js';
import { varintByteLength, writeVarint } from './varint.js';

const KIND_POST = 7;
const KIND_NAK = 8;
const KIND_RELAY_POST = 11;
const KIND_PREPARE = 14;
const KIND_REPORT = 15;
const KIND_FLUSHED = 18;
const KIND_INSTALL = 19;
const KIND_CUT = 20;
const KIND_ADOPTED = 21;
const KIND_STATUS = 22;
const KIND_ORDER = 23;
const KIND_RELAY_ORDER = 24;
const KIND_HEARTBEAT = 25;

/** Bytes `writePeerMessage` uses for `message`. */
export function peerMessageByteLength(message: PeerMessage): number {
  switch (message.kind) {
    case 'post':
    case 'order':
      return 1 + entryFieldsByteLength(message);
    case 'status':
      return (
        1 +
        varintByteLength(message.view) +
        varintByteLength(message.received.length) +
        varintsByteLength(message.received) +
        varintsByteLength(message.delivered) +
        varintByteLength(message.stable) +
        varintByteLength(message.safe)
      );
    case 'nak':
      return (
        1 +
        varintByteLength(message.view) +
        varintByteLength(message.writer) +
        varintByteLength(message.first) +
        varintByteLength(message.last)
      );
    case 'relay':
      return 1 + varintByteLength(message.writer) + entryFieldsByteLength(message.entry);
    case 'heartbeat':
      return (
        1 +
        varintByteLength(message.incarnation) +
        varintByteLength(message.view) +
        varintByteLength(message.promised) +
        varintByteLength(message.coordinator) +
        varintByteLength(message.unheard.length) +
        varintsByteLength(message.unheard) +
        varintByteLength(message.leftOut.length) +
        varintsByteLength(message.leftOut)
      );
    case 'prepare':
    case 'install':
      return 1 + varintByteLength(message.proposal) + membersByteLength(message.members);
    case 'report':
      return (
        1 +
        varintByteLength(message.proposal) +
        varintByteLength(message.view) +
        varintByteLength(message.members.length) +
        varintsByteLength(message.members) +
        varintsByteLength(message.through) +
        varintByteLength(message.extras.length / 2) +
        varintsByteLength(message.extras) +
        varintByteLength(message.safeThrough) +
        varintByteLength(message.adopted)
      );
    case 'cut':
    case 'adopted':
      return (
        1 +
        varintByteLength(message.proposal) +
        varintByteLength(message.view) +
        varintByteLength(message.members.length) +
        varintsByteLength(message.members) +
        varintsByteLength(message.through) +
        varintsByteLength(message.holders) +
        varintByteLength(message.extras.length / 3) +
        varintsByteLength(message.extras) +
        2 +
        varintByteLength(message.safeThrough) +
        varintByteLength(message.orderedThrough)
      );
    case 'flushed':
      return 1 + varintByteLength(message.proposal);
  }
}

/** Writes `message` at `offset`; returns the offset after it. */
export function writePeerMessage(target: Uint8Array, offset: number, message: PeerMessage): number {
  let at = offset;
  switch (message.kind) {
    case 'post':
      target[at++] = KIND_POST;
      return writeEntryFields(target, at, message);
    case 'order':
      target[at++] = KIND_ORDER;
      return writeEntryFields(target, at, message);
    case 'status':
      // One count for both vectors: the rules require them to be as long as each other.
      target[at++] = KIND_STATUS;
      at = writeVarint(target, at, message.view);
      at = writeVarint(target, at, message.received.length);
      at = writeVarints(target, at, message.received);
      at = writeVarints(target, at, message.delivered);
      at = writeVarint(target, at, message.stable);
      return writeVarint(target, at, message.safe);
    case 'nak':
      target[at++] = KIND_NAK;
      at = writeVarint(target, at, message.view);
      at = writeVarint(target, at, message.writer);
      at = writeVarint(target, at, message.first);
      return writeVarint(target, at, message.last);
    case 'relay':
      // The entry's kind is folded into the relay's: one byte less on the largest messages.
      target[at++] = message.entry.kind === 'post' ? KIND_RELAY_POST : KIND_RELAY_ORDER;
      at = writeVarint(target, at, message.writer);
      return writeEntryFields(target, at, message.entry);
    case 'heartbeat':
      target[at++] = KIND_HEARTBEAT;
      at = writeVarint(target, at, message.incarnation);
      at = writeVarint(target, at, message.view);
      at = writeVarint(target, at, message.promised);
      at = writeVarint(target, at, message.coordinator);
      at = writeVarint(target, at, message.unheard.length);
      at = writeVarints(target, at, message.unheard);
      at = writeVarint(target, at, message.leftOut.length);
      return writeVarints(target, at, message.leftOut);
    case 'prepare':
    case 'install':
      target[at++] = message.kind === 'prepare' ? KIND_PREPARE : KIND_INSTALL;
      at = writeVarint(target, at, message.proposal);
      return writeMembers(target, at, message.members);
    case 'report':
      // One count for members and through (the rules require one length); extras count pairs.
      target[at++] = KIND_REPORT;
      at = writeVarint(target, at, message.proposal);
      at = writeVarint(target, at, message.view);
      at = writeVarint(target, at, message.members.length);
      at = writeVarints(target, at, message.members);
      at = writeVarints(target, at, message.through);
      at = writeVarint(target, at, message.extras.length / 2);
      at = writeVarints(target, at, message.extras);
      at = writeVarint(target, at, message.safeThrough);
      return writeVarint(target, at, message.adopted);
    case 'cut':
    case 'adopted':
      target[at++] = message.kind === 'cut' ? KIND_CUT : KIND_ADOPTED;
      at = writeVarint(target, at, message.proposal);
      at = writeVarint(target, at, message.view);
      at = writeVarint(target, at, message.members.length);
      at = writeVarints(target, at, message.members);
      at = writeVarints(target, at, message.through);
      at = writeVarints(target, at, message.holders);
      at = writeVarint(target, at, message.extras.length / 3);
      at = writeVarints(target, at, message.extras);
      target[at++] = CUT_REMAINDERS.indexOf(message.remainder);
      target[at++] = message.orderFixed ? 1 : 0;
      at = writeVarint(target, at, message.safeThrough);
      return writeVarint(target, at, message.orderedThrough);
    case 'flushed':
      target[at++] = KIND_FLUSHED;
      return writeVarint(target, at, message.proposal);
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
    case KIND_POST:
      return readPostFields(reader);
    case KIND_ORDER:
      return readOrderFields(reader);
    case KIND_STATUS: {
      const view = reader.varint('view');
      const count = readCount(reader, 'status length', SERVER_COUNT_MAX, 'status entries');
      const received = readVarints(reader, count, 'status entry');
      const delivered = readVarints(reader, count, 'status entry');
      const stable = reader.varint('stable');
      return { kind: 'status', view, received, delivered, stable, safe: reader.varint('safe') };
    }
    case KIND_NAK:
      return {
        kind: 'nak',
        view: reader.varint('view'),
        writer: reader.varint('writer'),
        first: reader.varint('first'),
        last: reader.varint('last'),
      };
    case KIND_RELAY_POST:
    case KIND_RELAY_ORDER: {
      const writer = reader.varint('writer');
      const entry: LogEntry =
        kind === KIND_RELAY_POST ? readPostFields(reader) : readOrderFields(reader);
      return { kind: 'relay', writer, entry };
    }
    case KIND_HEARTBEAT: {
      const incarnation = reader.varint('incarnation');
      const view = reader.varint('view');
      const promised = reader.varint('promised');
      const coordinator = reader.varint('coordinator');
      const unheardCount = readCount(reader, 'unheard count', SERVER_COUNT_MAX, 'unheard');
      const unheard = readVarints(reader, unheardCount, 'unheard');
      const leftOutCount = readCount(reader, 'leftOut count', SERVER_COUNT_MAX, 'leftOut');
      return {
        kind: 'heartbeat',
        incarnation,
        view,
        promised,
        coordinator,
        unheard,
        leftOut: readVarints(reader, leftOutCount, 'leftOut'),
      };
    }
    case KIND_PREPARE:
    case KIND_INSTALL:
      return {
        kind: kind === KIND_PREPARE ? 'prepare' : 'install',
        proposal: reader.varint('proposal'),
        members: readMembers(reader),
      };
    case KIND_REPORT: {
      const proposal = reader.varint('proposal');
      const view = reader.varint('view');
      const count = readCount(reader, 'member count', SERVER_COUNT_MAX, 'members');
      const members = readVarints(reader, count, 'member');
      const through = readVarints(reader, count, 'through');
      const pairs = readCount(reader, 'extras count', PEER_FLUSH_EXTRAS_MAX, 'extras');
      return {
        kind: 'report',
        proposal,
        view,
        members,
        through,
        extras: readVarints(reader, 2 * pairs, 'extra'),
        safeThrough: reader.varint('safeThrough'),
        adopted: reader.varint('adopted'),
      };
    }
    case KIND_CUT:
    case KIND_ADOPTED:
      return readCut(reader, kind === KIND_CUT ? 'cut' : 'adopted');
    case KIND_FLUSHED:
      return { kind: 'flushed', proposal: reader.varint('proposal') };
    default:
      reader.fail(`unknown message kind ${kind}`);
      return undefined;
  }
}

function readCut(reader: ByteReader, kind: CutMessage['kind']): CutMessage {
  const proposal = reader.varint('proposal');
  const view = reader.varint('view');
  const count = readCount(reader, 'member count', SERVER_COUNT_MAX, 'members');
  const members = readVarints(reader, count, 'member');
  const through = readVarints(reader, count, 'through');
  const holders = readVarints(reader, count, 'holder');
  const triples = readCount(reader, 'extras count', PEER_FLUSH_EXTRAS_MAX, 'extras');
  const extras = readVarints(reader, 3 * triples, 'extra');
  const remainderByte = reader.byte('remainder');
  const remainder = CUT_REMAINDERS[remainderByte];
  if (remainder === undefined) reader.fail(`remainder ${remainderByte} is not 0, 1 or 2`);
  const orderFixed = reader.byte('orderFixed');
  if (orderFixed > 1) reader.fail(`orderFixed ${orderFixed} is not 0 or 1`);
  const safeThrough = reader.varint('safeThrough');
  const orderedThrough = reader.varint('orderedThrough');
  return {
    kind,
    proposal,
    view,
    members,
    through,
    holders,
    extras,
    remainder: remainder ?? 'none',
    safeThrough,
    orderedThrough,
    orderFixed: orderFixed === 1,
  };
}

function readPostFields(reader: ByteReader): PostEntry {
  const view = reader.varint('view');
  const seq = reader.varint('seq');
  const room = reader.varint('room');
  const length = reader.varint('payload length');
  // Checked before slicing so that a huge length reports itself rather than "truncated".
  if (length > PEER_PAYLOAD_BYTES_MAX) {
    reader.fail(`payload of ${length} bytes exceeds ${PEER_PAYLOAD_BYTES_MAX}`);
  }
  return { kind: 'post', view, seq, room, payload: reader.bytes(length, 'payload') };
}

function readOrderFields(reader: ByteReader): OrderEntry {
  const view = reader.varint('view');
  const seq = reader.varint('seq');
  const origin = reader.varint('origin');
  const originSeq = reader.varint('originSeq');
  const count = readCount(reader, 'room count', ORDER_RUN_POSTS_MAX, 'rooms');
  return { kind: 'order', view, seq, origin, originSeq, rooms: readVarints(reader, count, 'room') };
}

function readMembers(reader: ByteReader): Member[] {
  const count = readCount(reader, 'member count', SERVER_COUNT_MAX, 'members');
  const members: Member[] = [];
  for (let index = 0; index < count && reader.problem === undefined; index++) {
    members.push({ id: reader.varint('member'), incarnation: reader.varint('incarnation') });
  }
  return members;
}

/**
 * A count, failing (and giving 0) above `max`: checked before reading so that a huge count cannot
 * make us loop or allocate.
 */
function readCount(reader: ByteReader, what: string, max: number, things: string): number {
  const count = reader.varint(what);
  if (count <= max) return count;
  reader.fail(`${count} ${things}, more than ${max}`);
  return 0;
}

/** `count` varints, or fewer once the reader has failed: a cut-short message stops the loop. */
function readVarints(reader: ByteReader, count: number, what: string): number[] {
  const values: number[] = [];
  for (let index = 0; index < count && reader.problem === undefined; index++) {
    values.push(reader.varint(what));
  }
  return values;
}

function entryFieldsByteLength(entry: LogEntry): number {
  const common = varintByteLength(entry.view) + varintByteLength(entry.seq);
  if (entry.kind === 'order') {
    return (
      common +
      varintByteLength(entry.origin) +
      varintByteLength(entry.originSeq) +
      varintByteLength(entry.rooms.length) +
      varintsByteLength(entry.rooms)
    );
  }
  return (
    common +
    varintByteLength(entry.room) +
    varintByteLength(entry.payload.length) +
    entry.payload.length
  );
}

function writeEntryFields(target: Uint8Array, offset: number, entry: LogEntry): number {
  let at = writeVarint(target, offset, entry.view);
  at = writeVarint(target, at, entry.seq);
  if (entry.kind === 'order') {
    at = writeVarint(target, at, entry.origin);
    at = writeVarint(target, at, entry.originSeq);
    at = writeVarint(target, at, entry.rooms.length);
    return writeVarints(target, at, entry.rooms);
  }
  at = writeVarint(target, at, entry.room);
  at = writeVarint(target, at, entry.payload.length);
  target.set(entry.payload, at);
  return at + entry.payload.length;
}

function membersByteLength(members: readonly Member[]): number {
  let length = varintByteLength(members.length);
  for (const { id, incarnation } of members) {
    length += varintByteLength(id) + varintByteLength(incarnation);
  }
  return length;
}

function writeMembers(target: Uint8Array, offset: number, members: readonly Member[]): number {
  let at = writeVarint(target, offset, members.length);
  for (const { id, incarnation } of members) {
    at = writeVarint(target, at, id);
    at = writeVarint(target, at, incarnation);
  }
  return at;
}

function varintsByteLength(values: readonly number[]): number {
  let length = 0;
  for (const value of values) length += varintByteLength(value);
  return length;
}

function writeVarints(target: Uint8Array, offset: number, values: readonly number[]): number {
  let at = offset;
  for (const value of values) at = writeVarint(target, at, value);
  return at;
}
