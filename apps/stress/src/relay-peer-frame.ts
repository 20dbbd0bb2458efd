import { PEER_DATAGRAM_BYTES_TARGET } from '@chat/protocol';

/** A packed post's header: its room (one byte), then its delivery line's length (two bytes). */
const POST_HEADER_BYTES = 3;

/** The room of a packed order record (chatrelay --sequenced): no post is in room 0. */
export const ORDER_RECORD_ROOM = 0;

/** The longest order record packed whole: a longer one goes in parts. */
export const ORDER_RECORD_BYTES_MAX = PEER_DATAGRAM_BYTES_TARGET - POST_HEADER_BYTES;

/**
 * chatrelay's server-to-server datagram: the posts of one read packed back to back, each as its
 * room, its line's length and the delivery line, in datagrams of at most
 * PEER_DATAGRAM_BYTES_TARGET bytes, as chatserver packs a turn's traffic to a peer: so that the
 * baseline sends no more datagrams per post than chatserver needs to.
 */
export class RelayPeerFramePacker {
  #parts: Buffer[] = [];
  #bytes = 0;
  readonly #frames: Buffer[] = [];

  /**
   * Adds one post; `room` is 1-255 and `line` shorter than a datagram, as chatrelay's are. Or an
   * order record, in `ORDER_RECORD_ROOM`, of at most `ORDER_RECORD_BYTES_MAX`.
   */
  push(room: number, line: Buffer): void {
    const bytes = POST_HEADER_BYTES + line.length;
    if (this.#bytes + bytes > PEER_DATAGRAM_BYTES_TARGET) this.#close();
    const header = Buffer.allocUnsafe(POST_HEADER_BYTES);
    header[0] = room;
    header.writeUInt16BE(line.length, 1);
    this.#parts.push(header, line);
    this.#bytes += bytes;
  }

  /** The datagrams of everything pushed since the last call. */
  take(): Buffer[] {
    this.#close();
    return this.#frames.splice(0);
  }

  #close(): void {
    if (this.#bytes === 0) return;
    this.#frames.push(Buffer.concat(this.#parts, this.#bytes));
    this.#parts = [];
    this.#bytes = 0;
  }
}

/** Calls `onPost` for each post of a datagram packed as above; a truncated tail is ignored. */
export function forEachRelayedPost(
  data: Buffer,
  onPost: (room: number, line: Buffer) => void,
): void {
  let at = 0;
  while (at + POST_HEADER_BYTES <= data.length) {
    const end = at + POST_HEADER_BYTES + data.readUInt16BE(at + 1);
    if (end > data.length) return;
    onPost(data[at]!, data.subarray(at + POST_HEADER_BYTES, end));
    at = end;
  }
}
