import type { NodeId, PeerMessage, Transmit } from '@chat/ordering';
import {
  PEER_DATAGRAM_BYTES_TARGET,
  decodeFrame,
  packFrames,
  type FrameDecodeError,
  type FrameSealing,
  type ServerAddresses,
  type SocketAddress,
} from '@chat/protocol';
import { PeerEpochs } from './peer-epochs.js';
import { SocketAddressMap } from './socket-address-map.js';

/**
 * The course's proxy copies at most 999 bytes of a datagram, so messages are packed into datagrams of
 * at most 999 bytes; a post never needs more, since the server refuses posts whose payload exceeds
 * `postPayloadBytesMax` (see ChatServer).
 */
export const PEER_DATAGRAM_BYTES_MAX = PEER_DATAGRAM_BYTES_TARGET;

/**
 * Messages queued for one destination between two flushes (one event-loop turn). Far above what a
 * turn produces under load, it bounds what a burst of NAKs can make a server queue; what is
 * dropped past it is lost like any datagram, and the engine recovers it the same way.
 */
export const PEER_OUTBOX_MESSAGES_MAX = 16_384;

export interface DatagramSender {
  send(data: Uint8Array, to: SocketAddress): void;
  /** Sends what the sender batched for the end of the turn now (UdpEndpoint with sendmmsg). */
  flush?(): void;
}

/**
 * Why a datagram from a peer's address was dropped: undecodable or unauthenticated, claiming
 * another sender, or (with a key) from an earlier run of the peer than one already heard (see
 * PeerEpochs).
 */
export type PeerDropReason = FrameDecodeError['kind'] | 'oversized' | 'spoofed' | 'replayed';

export interface PeerLinkOptions {
  readonly self: NodeId;
  readonly servers: readonly ServerAddresses[];
  /** The server's one bound socket: every datagram leaves from it. */
  readonly sender: DatagramSender;
  /** With `--multicast`, messages for every peer go to this group instead of one copy per peer. */
  readonly multicastGroup: SocketAddress | undefined;
  /** With a cluster key: every frame sent carries the epoch and a tag, every frame received must. */
  readonly sealing: FrameSealing | undefined;
}

/**
 * The server's side of the links to its peers: tells peer datagrams from client datagrams by source
 * address, decodes (and with a key, authenticates) frames, and batches outgoing messages per
 * destination so that several messages share a datagram under load (flushed once per event-loop
 * turn, so nothing waits when idle).
 */
export class PeerLink {
  private readonly self: NodeId;
  private readonly servers: readonly ServerAddresses[];
  private readonly sender: DatagramSender;
  private readonly sealing: FrameSealing | undefined;
  private readonly epochs = new PeerEpochs();
  /** Where a message for every peer goes: the multicast group, or each peer's forward address. */
  private readonly everyPeer: readonly SocketAddress[];
  private readonly peerByForwardAddress = new SocketAddressMap<NodeId>();
  private readonly peerByBindAddress = new SocketAddressMap<NodeId>();
  private readonly outbox = new Map<NodeId | 'all', PeerMessage[]>();
  private readonly dropped = new Map<PeerDropReason, number>();
  private readonly counters = {
    datagramsIn: 0,
    messagesIn: 0,
    datagramsOut: 0,
    messagesOut: 0,
    bytesOut: 0,
    outboxFullDropped: 0,
    unsendableDropped: 0,
    restarts: 0,
  };

  constructor(options: PeerLinkOptions) {
    this.self = options.self;
    this.servers = options.servers;
    this.sender = options.sender;
    this.sealing = options.sealing;
    this.everyPeer =
      options.multicastGroup !== undefined
        ? [options.multicastGroup]
        : options.servers
            .filter((_, position) => position + 1 !== options.self)
            .map((server) => server.forward);
    for (const [position, server] of options.servers.entries()) {
      this.peerByForwardAddress.set(server.forward, position + 1);
      this.peerByBindAddress.set(server.bind, position + 1);
    }
  }

  /** The server (possibly this one) whose forward address is `source`: unicast from a peer. */
  serverAtForwardAddress(source: SocketAddress): NodeId | undefined {
    return this.peerByForwardAddress.get(source);
  }

  /**
   * The server (possibly this one) whose bind address is `source`: multicast datagrams bypass any
   * proxy and leave from the sender's bound socket.
   */
  serverAtBindAddress(source: SocketAddress): NodeId | undefined {
    return this.peerByBindAddress.get(source);
  }

  /**
   * The messages of a datagram from peer `from`, or why it was dropped (and counted). `restarted`:
   * (with a key) this is the first datagram of a new run of the peer.
   */
  decode(
    from: NodeId,
    datagram: Uint8Array,
  ):
    | {
        readonly ok: true;
        readonly messages: readonly PeerMessage[];
        readonly restarted: boolean;
      }
    | { readonly ok: false; readonly reason: PeerDropReason } {
    this.counters.datagramsIn += 1;
    // No server sends more: refusing larger ones also bounds what a held payload (a view into its
    // datagram's decoded body) can keep alive.
    if (datagram.byteLength > PEER_DATAGRAM_BYTES_MAX) return this.drop('oversized');
    const decoded = decodeFrame(datagram, this.sealing?.authenticator);
    if (!decoded.ok) return this.drop(decoded.error.kind);
    if (decoded.frame.from !== from) return this.drop('spoofed');
    const { epoch } = decoded.frame;
    const verdict = epoch === undefined ? 'current' : this.epochs.check(from, epoch);
    if (verdict === 'replayed') return this.drop(verdict);
    const restarted = verdict === 'restarted';
    if (restarted) this.counters.restarts += 1;
    this.counters.messagesIn += decoded.frame.messages.length;
    return { ok: true, messages: decoded.frame.messages, restarted };
  }

  /** Queues a message for the next `flush()`; past PEER_OUTBOX_MESSAGES_MAX it is dropped. */
  enqueue(transmit: Transmit): void {
    let queued = this.outbox.get(transmit.to);
    if (queued === undefined) {
      queued = [];
      this.outbox.set(transmit.to, queued);
    }
    if (queued.length >= PEER_OUTBOX_MESSAGES_MAX) {
      this.counters.outboxFullDropped += 1;
      return;
    }
    queued.push(transmit.message);
  }

  /** Packs and sends everything queued, in order per destination; the outbox is empty after. */
  flush(): void {
    try {
      for (const [to, messages] of this.outbox) {
        const datagrams = this.pack(messages);
        this.counters.messagesOut += messages.length;
        for (const datagram of datagrams) {
          for (const address of this.addressesOf(to)) this.send(datagram, address);
        }
      }
    } finally {
      this.outbox.clear();
      // The turn's deliveries and these frames leave together, without waiting another turn.
      this.sender.flush?.();
    }
  }

  /**
   * The datagrams for `messages`. A message the wire format refuses (the engine went beyond a
   * bound of the format, e.g. a view id, perhaps led there by forged input) is dropped and counted
   * (`unsendableDropped`), like a lost datagram, rather than taking the others down with it.
   */
  private pack(messages: readonly PeerMessage[]): Uint8Array[] {
    try {
      return packFrames(this.self, messages, PEER_DATAGRAM_BYTES_MAX, this.sealing);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
    const sendable = messages.filter((message) => {
      try {
        packFrames(this.self, [message], PEER_DATAGRAM_BYTES_MAX, this.sealing);
        return true;
      } catch {
        this.counters.unsendableDropped += 1;
        return false;
      }
    });
    return packFrames(this.self, sendable, PEER_DATAGRAM_BYTES_MAX, this.sealing);
  }

  /** The counters, with `dropped.REASON` for each reason seen. */
  stats(): Record<string, number> {
    const stats: Record<string, number> = { ...this.counters };
    for (const [reason, count] of this.dropped) stats[`dropped.${reason}`] = count;
    return stats;
  }

  private drop(reason: PeerDropReason): { readonly ok: false; readonly reason: PeerDropReason } {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    return { ok: false, reason };
  }

  private addressesOf(to: NodeId | 'all'): readonly SocketAddress[] {
    if (to === 'all') return this.everyPeer;
    const server = this.servers[to - 1];
    return server === undefined || to === this.self ? [] : [server.forward];
  }

  private send(datagram: Uint8Array, to: SocketAddress): void {
    this.counters.datagramsOut += 1;
    this.counters.bytesOut += datagram.byteLength;
    this.sender.send(datagram, to);
  }
}
