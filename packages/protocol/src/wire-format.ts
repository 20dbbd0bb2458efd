/**
 * The server-to-server datagram: a frame of messages from one sender.
 *
 *   0xC5 0x53   magic; 0xC5 0x53 is never the start of valid UTF-8, so no client line looks like it
 *   0x01        version: plain
 *   COBS(body)  body = from (varint), then the messages
 *
 * or, in a cluster with a key:
 *
 *   0xC5 0x53   magic
 *   0x02        version: authenticated
 *   COBS(body)  body = from (varint), epoch (varint), the messages, then a tag over all of that
 *
 * The tag (e.g. HMAC-SHA256 with the cluster key) covers the sender, the epoch and every message.
 * The epoch is fixed per server start, so receivers can refuse datagrams replayed from an earlier
 * run; within a run, replayed entries are duplicates and replayed statuses and NAKs are idempotent.
 * A keyed server drops plain frames and a keyless one drops authenticated frames: mixed clusters
 * never deliver.
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
const PLAIN_VERSION = 1;
const AUTHENTICATED_VERSION = 2;
const HEADER_BYTES = 3;
/** 128 bits is the least a tag should have; 64 bytes fits any hash. */
const TAG_BYTES_MIN = 16;
const TAG_BYTES_MAX = 64;
/**
 * Frames are built in these two reused buffers (the body, then its COBS encoding) and only the
 * finished datagram is copied out: one allocation per datagram instead of three. Larger frames
 * (rare: the packer keeps datagrams under 1 KB) get buffers of their own.
 */
const SCRATCH_BODY_BYTES = 16 * 1024;
const scratchBody = new Uint8Array(SCRATCH_BODY_BYTES);
const scratchDatagram = new Uint8Array(HEADER_BYTES + cobsEncodedLengthMax(SCRATCH_BODY_BYTES));

/** A batch of ordering-engine messages from one server. */
export interface PeerFrame {
  /** The sender's node id, 1..64. */
  readonly from: NodeId;
  /** Authenticated frames only: the sender's start epoch. */
  readonly epoch?: number;
  /** At most 1,024 (`FRAME_MESSAGES_MAX`) messages, in the order they were sent. */
  readonly messages: readonly PeerMessage[];
}

/** Computes a message authentication code over a frame body, e.g. HMAC-SHA256 with the cluster key. */
export interface FrameAuthenticator {
  /** Every tag's length in bytes. */
  readonly tagBytes: number;
  /**
   * `data` is only valid during the call (the encoder reuses its memory): read it, do not keep it.
   * The codec reads the tag at once (it copies or compares it), so an authenticator may return the
   * same array from every call, overwritten each time.
   */
  tag(data: Uint8Array): Uint8Array;
}

/** What a sender in a keyed cluster adds to each frame. */
export interface FrameSealing {
  /**
   * The sender's start epoch, a safe integer \>= 1, the same in every frame of one run and larger
   * in each later run (e.g. the start time in milliseconds), so receivers can refuse old frames.
   */
  readonly epoch: number;
  /** Computes each frame's tag. */
  readonly authenticator: FrameAuthenticator;
}

/** Why {@link decodeFrame} refused a datagram. */
export type FrameDecodeError =
  /** Not our magic: some other protocol. */
  | { readonly kind: 'foreign' }
  | { readonly kind: 'unsupported-version'; readonly version: number }
  | { readonly kind: 'malformed'; readonly reason: string }
  /** A plain frame where a key is configured, an authenticated one where none is, or a bad tag. */
  | { readonly kind: 'unauthenticated'; readonly reason: string };

/** What {@link decodeFrame} returns. */
export type FrameDecodeResult =
  | { readonly ok: true; readonly frame: PeerFrame }
  | { readonly ok: false; readonly error: FrameDecodeError };

/**
 * Encodes `frame` as one datagram (an exact-length view). Throws a RangeError if the frame breaks
 * the rules `decodeFrame` enforces (bad ids, too many messages, oversized payload, ...): that is a
 * bug in the caller, and peers would drop the datagram anyway.
 */
export function encodeFrame(frame: PeerFrame, authenticator?: FrameAuthenticator): Uint8Array {
  const sealing =
    authenticator === undefined ? undefined : { epoch: frame.epoch ?? 0, authenticator };
  const problem =
    frameProblem(frame) ?? (sealing === undefined ? undefined : sealingProblem(sealing));
  if (problem !== undefined) throw new RangeError(`encodeFrame: ${problem}`);
  let bodyLength = frameBodyOverhead(frame.from, sealing);
  for (const message of frame.messages) bodyLength += peerMessageByteLength(message);
  return encodeValidFrame(
    frame.from,
    frame.messages,
    0,
    frame.messages.length,
    bodyLength,
    sealing,
  );
}

/** Body bytes a frame takes besides its messages: the sender, and the epoch and tag if sealed. */
export function frameBodyOverhead(from: NodeId, sealing: FrameSealing | undefined): number {
  const fromLength = varintByteLength(from);
  if (sealing === undefined) return fromLength;
  return fromLength + varintByteLength(sealing.epoch) + sealing.authenticator.tagBytes;
}

/** Why a sealing cannot be used, or undefined when it can. */
export function sealingProblem(sealing: FrameSealing): string | undefined {
  const { epoch, authenticator } = sealing;
  if (!Number.isSafeInteger(epoch) || epoch < 1) return `epoch ${epoch} is not a safe integer >= 1`;
  const tagBytes = authenticator.tagBytes;
  if (!Number.isInteger(tagBytes) || tagBytes < TAG_BYTES_MIN || tagBytes > TAG_BYTES_MAX) {
    return `tagBytes ${tagBytes} is outside ${TAG_BYTES_MIN}..${TAG_BYTES_MAX}`;
  }
  return undefined;
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
  sealing?: FrameSealing,
): Uint8Array {
  const scratch = bodyLength <= SCRATCH_BODY_BYTES;
  const body = scratch ? scratchBody : new Uint8Array(bodyLength);
  let at = writeVarint(body, 0, from);
  if (sealing !== undefined) at = writeVarint(body, at, sealing.epoch);
  for (let index = start; index < end; index++) at = writePeerMessage(body, at, messages[index]!);
  if (sealing !== undefined) {
    const tag = sealing.authenticator.tag(body.subarray(0, at));
    if (tag.length !== sealing.authenticator.tagBytes) {
      throw new RangeError(
        `authenticator returned ${tag.length} bytes, not ${sealing.authenticator.tagBytes}`,
      );
    }
    body.set(tag, at);
  }
  const datagram = scratch ? scratchDatagram : new Uint8Array(frameByteLengthMax(bodyLength));
  datagram[0] = FRAME_MAGIC_BYTES[0];
  datagram[1] = FRAME_MAGIC_BYTES[1];
  datagram[2] = sealing === undefined ? PLAIN_VERSION : AUTHENTICATED_VERSION;
  const length = cobsEncode(body, datagram, HEADER_BYTES, bodyLength);
  return scratch ? datagram.slice(0, length) : datagram.subarray(0, length);
}

/**
 * Decodes one datagram. Never throws: anything but a valid frame comes back as an error. Payloads
 * are views into one buffer allocated for this frame, never into `datagram`, so the caller may reuse
 * `datagram` at once; keeping any payload keeps that buffer (at most the datagram's size) alive.
 */
export function decodeFrame(
  datagram: Uint8Array,
  authenticator?: FrameAuthenticator,
): FrameDecodeResult {
  if (
    datagram.length < FRAME_MAGIC_BYTES.length ||
    datagram[0] !== FRAME_MAGIC_BYTES[0] ||
    datagram[1] !== FRAME_MAGIC_BYTES[1]
  ) {
    return { ok: false, error: { kind: 'foreign' } };
  }
  const version = datagram[2];
  if (version === undefined) return malformed('missing version byte');
  if (version !== PLAIN_VERSION && version !== AUTHENTICATED_VERSION) {
    return { ok: false, error: { kind: 'unsupported-version', version } };
  }
  if (version === PLAIN_VERSION && authenticator !== undefined) {
    return unauthenticated('plain frame, but this cluster has a key');
  }
  if (version === AUTHENTICATED_VERSION && authenticator === undefined) {
    return unauthenticated('authenticated frame, but this server has no cluster key');
  }

  const body = cobsDecode(datagram, HEADER_BYTES);
  if (!body.ok) return malformed(body.reason);
  let content = body.bytes;
  if (authenticator !== undefined) {
    const tagAt = content.length - authenticator.tagBytes;
    if (tagAt < 1) return malformed('shorter than its tag');
    const tag = authenticator.tag(content.subarray(0, tagAt));
    if (!equalInConstantTime(tag, content.subarray(tagAt))) return unauthenticated('bad tag');
    content = content.subarray(0, tagAt);
  }
  const reader = new ByteReader(content);
  const from = reader.varint('from');
  const fromProblem = reader.problem ?? nodeIdProblem(from, 'from');
  if (fromProblem !== undefined) return malformed(fromProblem);
  let epoch: number | undefined;
  if (authenticator !== undefined) {
    epoch = reader.varint('epoch');
    if (reader.problem !== undefined) return malformed(reader.problem);
    if (epoch < 1) return malformed('epoch 0');
  }

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
  return { ok: true, frame: epoch === undefined ? { from, messages } : { from, epoch, messages } };
}

/** Compares tags without returning early, so timing does not reveal how much of a forgery matched. */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a[index]! ^ b[index]!;
  return difference === 0;
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

function unauthenticated(reason: string): FrameDecodeResult {
  return { ok: false, error: { kind: 'unauthenticated', reason } };
}

function malformed(reason: string): FrameDecodeResult {
  return { ok: false, error: { kind: 'malformed', reason } };
}
