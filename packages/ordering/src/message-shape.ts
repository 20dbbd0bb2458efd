import {
  CUT_REMAINDERS,
  ORDER_RUN_POSTS_MAX,
  VIEW_ID_MAX,
  type LogEntry,
  type Member,
  type NodeId,
  type PeerMessage,
  type ViewId,
} from './messages.js';

/**
 * Whether a peer's message has the shape the engine relies on: every number a safe integer in its
 * range, every node id one of the `nodeCount` nodes, every member list ascending, every array the
 * length its message implies (and no longer than `extrasMax` for a view change's extras). The
 * engine may be fed by any codec, or by none: a message that fails here is dropped and counted,
 * never trusted. What a well-formed message says can still be wrong (a room out of range, a seq
 * beyond the window); the engine judges that where it uses it.
 */
export function isWellFormed(message: PeerMessage, nodeCount: number, extrasMax: number): boolean {
  // Checks are functions of the module, not closures over `nodeCount` made per call: every message
  // a server takes passes here, and those closures were a tenth of its allocations under load.
  switch (message.kind) {
    case 'post':
    case 'order':
      return isWellFormedEntry(message, nodeCount);
    case 'status':
      return (
        isView(message.view) &&
        isCount(message.stable, 0) &&
        isCount(message.safe, 0) &&
        isCountList(message.received, nodeCount) &&
        isCountList(message.delivered, nodeCount)
      );
    case 'nak':
      return (
        isView(message.view) &&
        isNode(message.writer, nodeCount) &&
        isCount(message.first, 1) &&
        isCount(message.last, message.first)
      );
    case 'relay':
      return isNode(message.writer, nodeCount) && isWellFormedEntry(message.entry, nodeCount);
    case 'heartbeat':
      return (
        isCount(message.incarnation, 0) &&
        isView(message.view) &&
        isView(message.promised) &&
        isNode(message.coordinator, nodeCount) &&
        isNodeList(message.unheard, nodeCount, 0) &&
        isNodeList(message.leftOut, nodeCount, 0)
      );
    case 'prepare':
    case 'install':
      return isView(message.proposal, 1) && isMemberList(message.members, nodeCount);
    case 'report': {
      const { members } = message;
      return (
        isView(message.proposal, 1) &&
        isView(message.view) &&
        isCount(message.safeThrough, 0) &&
        isView(message.adopted) &&
        isNodeList(members, nodeCount) &&
        isCountList(message.through, members.length, members.length) &&
        isCountList(message.extras, 2 * extrasMax) &&
        message.extras.length % 2 === 0
      );
    }
    case 'cut':
    case 'adopted': {
      const { members } = message;
      return (
        isView(message.proposal, 1) &&
        isView(message.view) &&
        isCount(message.safeThrough, 0) &&
        isCount(message.orderedThrough, 0) &&
        typeof message.orderFixed === 'boolean' &&
        CUT_REMAINDERS.includes(message.remainder) &&
        isNodeList(members, nodeCount) &&
        isCountList(message.through, members.length, members.length) &&
        Array.isArray(message.holders) &&
        message.holders.length === members.length &&
        message.holders.every((holder) => isNode(holder, nodeCount)) &&
        isCountList(message.extras, 3 * extrasMax) &&
        message.extras.length % 3 === 0
      );
    }
    case 'flushed':
      return isView(message.proposal, 1);
    default:
      return false;
  }
}

function isWellFormedEntry(entry: LogEntry, nodeCount: number): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  if (!isCount(entry.view, 0) || entry.view > VIEW_ID_MAX || !isCount(entry.seq, 1)) return false;
  if (entry.kind === 'post') return isCount(entry.room, 0) && entry.payload instanceof Uint8Array;
  return (
    entry.kind === 'order' &&
    isNode(entry.origin, nodeCount) &&
    isCount(entry.originSeq, 1) &&
    isCountList(entry.rooms, ORDER_RUN_POSTS_MAX, 1)
  );
}

/** One of the `nodeCount` nodes' ids. */
function isNode(id: unknown, nodeCount: number): boolean {
  return isCount(id, 1) && (id as number) <= nodeCount;
}

/** A view id, at least `min`. */
function isView(id: unknown, min = 0): boolean {
  return isCount(id, min) && (id as number) <= VIEW_ID_MAX;
}

/** A safe integer, at least `min`. */
function isCount(value: unknown, min: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

function isCountList(list: unknown, lengthMax: number, lengthMin = 0): boolean {
  if (!Array.isArray(list) || list.length < lengthMin || list.length > lengthMax) return false;
  // A loop, not `every`, which passes over the holes of a sparse array.
  for (let index = 0; index < list.length; index++) {
    if (!isCount(list[index], 0)) return false;
  }
  return true;
}

/** Distinct node ids, ascending: at least `lengthMin` of them. */
function isNodeList(ids: readonly NodeId[], nodeCount: number, lengthMin = 1): boolean {
  return (
    Array.isArray(ids) &&
    ids.length >= lengthMin &&
    ids.every((id, index) => isNode(id, nodeCount) && (index === 0 || id > ids[index - 1]!))
  );
}

function isMemberList(members: readonly Member[], nodeCount: number): boolean {
  return (
    Array.isArray(members) &&
    members.every(
      (member) => typeof member === 'object' && member !== null && isCount(member.incarnation, 0),
    ) &&
    isNodeList(
      members.map((member) => member.id),
      nodeCount,
    )
  );
}

/** The highest view id a membership message names (0 for the channel's messages). */
export function highestViewIdNamed(message: PeerMessage): ViewId {
  switch (message.kind) {
    case 'heartbeat':
      return Math.max(message.view, message.promised);
    case 'prepare':
    case 'install':
    case 'flushed':
      return message.proposal;
    case 'report':
      return Math.max(message.proposal, message.view, message.adopted);
    case 'cut':
    case 'adopted':
      return Math.max(message.proposal, message.view);
    default:
      return 0;
  }
}
