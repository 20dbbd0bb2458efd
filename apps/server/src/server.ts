import {
  OrderingEngine,
  type Delivery,
  type EngineTiming,
  type NodeId,
  type OrderingMode,
  type PostResult,
  type View,
} from '@chat/ordering';
import {
  DEFAULT_CLIENT_PROTOCOL_LIMITS,
  alreadyInRoom,
  escapeControlCharacters,
  formatDelivery,
  formatSocketAddress,
  joined,
  left,
  messageTooLongToRelay,
  postPayloadBytesMax,
  nickSet,
  noMajority,
  notInRoom,
  parseClientDatagram,
  roomNotServed,
  serverBusy,
  serverFull,
  slowDown,
  type ClientProtocolLimits,
  type FrameSealing,
  type ServerAddresses,
  type SocketAddress,
} from '@chat/protocol';
import { UdpEndpoint, type UdpEndpointOptions } from '@chat/transport';
import { CLIENT_BURST_SECONDS, type MulticastOptions } from './cli.js';
import { ClientRegistry, type ChatClient, type ClientChannel } from './client-registry.js';
import type { DatagramEndpoint } from './datagram-endpoint.js';
import { formatServerTag, type DebugLog } from './debug-log.js';
import { HeldPosts, type HeldPost } from './held-posts.js';
import { OwnPostTimes } from './own-post-times.js';
import { PEER_DATAGRAM_BYTES_MAX, PeerLink } from './peer-link.js';
import { SlabEncoder } from './slab-encoder.js';
import { SocketAddressMap } from './socket-address-map.js';
import { UdpClientChannel } from './udp-client-channel.js';

/**
 * Own posts in flight (not yet delivered by every server) before posts are refused as busy: about
 * 0.3 s of a server's full rate on loopback (13,000 posts/s), so that a peer's pause of a few tens
 * of ms (a busy core, a fresh server's first second) does not turn posts away. Posts fit in one
 * 999-byte datagram, so the retransmit buffer stays under 4 MiB (and the slabs that hold the posts
 * a few MiB over that at most: see SlabEncoder).
 */
export const POST_WINDOW_ENTRIES = 4096;
/**
 * Requested socket buffers: a burst from many clients and peers must not overflow the kernel's
 * queue while the event loop is busy. The kernel may grant less (the start line shows what it gave).
 */
export const SOCKET_BUFFER_BYTES_REQUESTED = 4 * 1024 * 1024;

/**
 * UDP client channels kept by source address, at most (about 300 bytes each): a flood from spoofed
 * sources costs at most this many, whatever `clientsMax` is.
 */
export const UDP_CHANNELS_MAX = 65_536;

/** A client over its rate limit is told so at most this often; the rest is dropped unanswered. */
export const SLOW_DOWN_REPLY_INTERVAL_MS = 1000;
/** Idle clients are looked for a few times per idle period, but at least once a minute. */
const IDLE_SWEEP_INTERVAL_MS_MAX = 60_000;
const IDLE_SWEEPS_PER_IDLE_PERIOD = 4;
/** Own posts awaiting delivery whose post time is kept for the latency observer: all of them. */
const OWN_POST_TIMES_MAX = POST_WINDOW_ENTRIES;
/**
 * Client posts held while a view change is under way. A view change takes a few round trips after
 * the suspicion timeout; at the load tests' ~1,000 posts/s across a cluster that is a few hundred
 * posts per server. Past it, posts are refused with the busy reply, like a full post window.
 */
export const HELD_POSTS_MAX = 512;

export interface ChatServerOptions {
  /** 1-based position in `servers`. */
  readonly index: NodeId;
  readonly servers: readonly ServerAddresses[];
  readonly mode: OrderingMode;
  readonly roomCount: number;
  readonly clientsMax: number;
  /** Datagrams a second one client may send, sustained (the burst is CLIENT_BURST_SECONDS of it). */
  readonly clientRateMax: number;
  /** A client that sends nothing for this long is forgotten. */
  readonly clientIdleMsMax: number;
  /** With a cluster key: how this server seals its frames (and so, which frames it accepts). */
  readonly sealing: FrameSealing | undefined;
  /**
   * This run of the server, larger than in any earlier run (its start time in ms): peers tell a
   * restarted server from the one they knew by it, and merge it back into their view. Default 0.
   */
  readonly incarnation?: number;
  /** A peer silent for this long is left out of the view (default: the engine's, 1,000 ms). */
  readonly suspectMs?: number;
  /** An idle server tells its peers it is alive this often (default: the engine's, 100 ms). */
  readonly heartbeatMs?: number;
  readonly multicast: MulticastOptions | undefined;
  readonly log: DebugLog;
  /** Monotonic milliseconds; `performance.now` unless a test drives the clock. */
  readonly clock?: () => number;
  /** Told, for each post of this server's own clients, the ms from taking it to delivering it here. */
  readonly onOwnPostDelivered?: ((latencyMs: number) => void) | undefined;
  /** Send each turn's datagrams with one sendmmsg where the transport can (default true). */
  readonly batchSends?: boolean;
  /** Read datagrams with recvmmsg where the transport can (default true). */
  readonly batchReceives?: boolean;
}

const utf8 = new TextEncoder();
const utf8Lenient = new TextDecoder('utf-8', { fatal: false });

/**
 * One chat server: a UDP socket shared by clients and peers, the client registry and an ordering
 * engine. Each input (a datagram or a timer) is fed to the engine; what the engine wants sent to
 * peers is batched and flushed once per event-loop turn, and its deliveries go straight to the
 * clients in the room.
 *
 * Every remote input is bounded: each datagram gets at most one reply of at most REPLY_BYTES_MAX
 * bytes, a known client at most `clientRateMax` datagrams a second (past its burst), the registry
 * at most `clientsMax` clients, idle ones forgotten after `clientIdleMsMax`.
 */
export class ChatServer {
  private readonly index: NodeId;
  private readonly engine: OrderingEngine;
  private readonly clients: ClientRegistry;
  private readonly peers: PeerLink;
  private readonly clientLimits: ClientProtocolLimits;
  private readonly clientRateMax: number;
  /** The largest post payload (`<NICK> TEXT` in UTF-8) that fits in one datagram to peers. */
  private readonly postPayloadBytesMax: number;
  private readonly clientIdleMsMax: number;
  private readonly log: DebugLog;
  private readonly clock: () => number;
  /** Post payloads: kept for retransmission, and let go in the order they were posted. */
  private readonly payloadEncoder = new SlabEncoder();
  private readonly udpChannels = new SocketAddressMap<UdpClientChannel>();
  /** Twice the clients (room for strangers beside them), but at most UDP_CHANNELS_MAX. */
  private readonly udpChannelsMax: number;
  private readonly counters = {
    clientDatagrams: 0,
    clientDatagramsOverRate: 0,
    slowDownReplies: 0,
    clientsRefusedFull: 0,
    clientsForgottenIdle: 0,
    postsRefused: 0,
    postsHeld: 0,
    deliveryDatagrams: 0,
    ownDatagramsIgnored: 0,
    strangersOnGroupDropped: 0,
    internalErrors: 0,
  };
  /** Posts waiting for a view change to end, in the order they came. */
  private readonly heldPosts = new HeldPosts(HELD_POSTS_MAX);
  private readonly onOwnPostDelivered: ((latencyMs: number) => void) | undefined;
  /** Only kept when someone observes the latency. */
  private readonly ownPostTimes: OwnPostTimes | undefined;
  private readonly idleSweepTimer: NodeJS.Timeout;
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline: number | undefined;
  private endOfTurnScheduled = false;
  private closing: Promise<void> | undefined;

  /**
   * A server on already open endpoints (`open()` binds UDP sockets; tests pass in-memory ones).
   * The server owns them from now on and closes them in `close()`.
   */
  constructor(
    options: ChatServerOptions,
    private readonly endpoint: DatagramEndpoint,
    private readonly groupEndpoint?: DatagramEndpoint,
  ) {
    const self = options.servers[options.index - 1];
    if (self === undefined) {
      throw new RangeError(`server ${options.index} is not in 1..${options.servers.length}`);
    }
    this.index = options.index;
    this.log = options.log;
    this.clock = options.clock ?? (() => performance.now());
    this.onOwnPostDelivered = options.onOwnPostDelivered;
    this.ownPostTimes =
      options.onOwnPostDelivered === undefined ? undefined : new OwnPostTimes(OWN_POST_TIMES_MAX);
    this.postPayloadBytesMax = postPayloadBytesMax(
      PEER_DATAGRAM_BYTES_MAX,
      options.sealing?.authenticator.tagBytes ?? 0,
    );
    const timing: Partial<EngineTiming> = {
      // The end of each event-loop turn ticks what fell due: one status per turn that received
      // entries (with more than 3 servers, in total order, to the sequencer), with no timer in
      // between (`endOfTurn`).
      ackDelayMs: 0,
      ...(options.suspectMs === undefined ? {} : { suspectMs: options.suspectMs }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatMs }),
    };
    this.engine = new OrderingEngine({
      mode: options.mode,
      self: options.index,
      nodeCount: options.servers.length,
      incarnation: options.incarnation ?? 0,
      limits: {
        // Every post fits in one datagram the course's proxy relays whole.
        payloadBytesMax: this.postPayloadBytesMax,
        postWindowEntriesMax: POST_WINDOW_ENTRIES,
      },
      timing,
    });
    this.clientRateMax = options.clientRateMax;
    this.clientIdleMsMax = options.clientIdleMsMax;
    this.clients = new ClientRegistry({
      clientsMax: options.clientsMax,
      datagramsPerSecondMax: options.clientRateMax,
      datagramsBurstMax: options.clientRateMax * CLIENT_BURST_SECONDS,
    });
    this.udpChannelsMax = Math.min(2 * options.clientsMax, UDP_CHANNELS_MAX);
    this.clientLimits = { ...DEFAULT_CLIENT_PROTOCOL_LIMITS, roomCount: options.roomCount };
    this.peers = new PeerLink({
      self: options.index,
      servers: options.servers,
      sender: endpoint,
      multicastGroup: options.multicast?.group,
      sealing: options.sealing,
    });
    endpoint.onDatagram(this.onDatagram);
    endpoint.onError((error) => this.log.event(`Socket error: ${error.message}`));
    groupEndpoint?.onDatagram(this.onGroupDatagram);
    groupEndpoint?.onError((error) => this.log.event(`Multicast socket error: ${error.message}`));
    const sweepIntervalMs = Math.min(
      IDLE_SWEEP_INTERVAL_MS_MAX,
      Math.ceil(options.clientIdleMsMax / IDLE_SWEEPS_PER_IDLE_PERIOD),
    );
    // Unref'd: a sweep never needs to keep the process alive.
    this.idleSweepTimer = setInterval(this.forgetIdleClients, sweepIntervalMs).unref();
    this.logStart(options, self);
    // The engine's heartbeats start now, so peers hear from this server before anyone posts.
    this.engine.tick(this.clock());
    this.afterInput();
  }

  /**
   * Binds the server's socket (and, with multicast, the group socket). Rejects with the transport's
   * `UdpBindError` when the OS refuses, e.g. when the port is in use. `beforeServing` (the warm-up)
   * runs once the sockets are bound and before the server handles anything: a port in use is
   * reported before it, and no other process can take the port while it runs. Datagrams that
   * arrive meanwhile are dropped, as if the server had not started yet.
   */
  static async open(
    options: ChatServerOptions,
    beforeServing?: () => Promise<void>,
  ): Promise<ChatServer> {
    const self = options.servers[options.index - 1];
    if (self === undefined) {
      throw new RangeError(`server ${options.index} is not in 1..${options.servers.length}`);
    }
    const buffers = {
      recvBufferSizeBytes: SOCKET_BUFFER_BYTES_REQUESTED,
      sendBufferSizeBytes: SOCKET_BUFFER_BYTES_REQUESTED,
      batchSends: options.batchSends ?? true,
      batchReceives: options.batchReceives ?? true,
    };
    const multicast = options.multicast;
    const mainOptions: UdpEndpointOptions =
      multicast === undefined
        ? { bind: self.bind, ...buffers }
        : {
            bind: self.bind,
            ...buffers,
            multicast: { interfaceAddress: multicast.interfaceAddress },
          };
    const endpoint = await UdpEndpoint.open(mainOptions);
    let groupEndpoint: UdpEndpoint | undefined;
    if (multicast !== undefined) {
      try {
        // Every server on the host binds the group's port, hence reuseAddress. Sends never leave
        // from this socket, so a group datagram's source is its sender's bind address.
        groupEndpoint = await UdpEndpoint.open({
          bind: { host: '0.0.0.0', port: multicast.group.port },
          reuseAddress: true,
          recvBufferSizeBytes: SOCKET_BUFFER_BYTES_REQUESTED,
          multicast: {
            interfaceAddress: multicast.interfaceAddress,
            joinGroup: multicast.group.host,
          },
        });
      } catch (error) {
        await endpoint.close();
        throw error;
      }
    }
    try {
      await beforeServing?.();
    } catch (error) {
      await Promise.all([endpoint.close(), groupEndpoint?.close()]);
      throw error;
    }
    return new ChatServer(options, endpoint, groupEndpoint);
  }

  /** Counters of the server, its peer link, its sockets and its engine, for the stats line. */
  stats(): Record<string, number> {
    const stats: Record<string, number> = { clients: this.clients.size };
    const add = (prefix: string, counters: object): void => {
      for (const [key, value] of Object.entries(counters)) {
        if (typeof value === 'number') stats[`${prefix}.${key}`] = value;
      }
    };
    add('server', this.counters);
    add('peers', this.peers.stats());
    add('socket', this.endpoint.stats);
    if (this.groupEndpoint !== undefined) add('group', this.groupEndpoint.stats);
    const { viewId, viewMembers, viewPrimary, viewUnheard, ...engine } = this.engine.stats();
    add('engine', engine);
    stats['server.heldPostsDepth'] = this.heldPosts.size;
    stats['view.id'] = viewId;
    stats['view.members'] = viewMembers;
    stats['view.primary'] = viewPrimary;
    stats['view.unheard'] = viewUnheard;
    return stats;
  }

  /** The view this server is in now: its id, its members (ascending) and whether it is primary. */
  view(): View {
    return this.engine.view();
  }

  /** Stops timers, sends what the engine has for peers, and closes the sockets. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.idleSweepTimer);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      // This turn's datagrams may not have been drained yet (that waits for the end of the turn).
      this.afterInput();
    } catch (error) {
      this.reportInternalError('the last drain before closing', error);
    }
    this.peers.flush();
    await Promise.all([this.endpoint.close(), this.groupEndpoint?.close()]);
  }

  /** A datagram on the server's socket: from a peer exactly when it comes from a forward address. */
  private readonly onDatagram = (data: Buffer, from: SocketAddress): void => {
    if (this.closing !== undefined) return;
    try {
      const peer = this.peers.serverAtForwardAddress(from);
      if (peer === undefined) this.onClientLine(data, this.udpChannelOf(from));
      else this.onPeerDatagram(peer, data);
    } catch (error) {
      this.reportInternalError(from, error);
    }
  };

  /**
   * The channel of a UDP client, made once per source: a known client's datagram then makes no
   * object and no `host:port` key (the key's hash is kept with it). A channel holds no state, so one
   * kept after its client was forgotten is still right. Strangers' datagrams make channels too, so
   * past `udpChannelsMax` sources the map starts over.
   */
  private udpChannelOf(from: SocketAddress): UdpClientChannel {
    let channel = this.udpChannels.get(from);
    if (channel === undefined) {
      channel = new UdpClientChannel(this.endpoint, from);
      if (this.udpChannels.size >= this.udpChannelsMax) this.udpChannels.clear();
      this.udpChannels.set(from, channel);
    }
    return channel;
  }

  /** A datagram on the multicast group: peers send from their bind addresses. */
  private readonly onGroupDatagram = (data: Buffer, from: SocketAddress): void => {
    if (this.closing !== undefined) return;
    try {
      const peer = this.peers.serverAtBindAddress(from);
      if (peer !== undefined) {
        this.onPeerDatagram(peer, data);
        return;
      }
      this.counters.strangersOnGroupDropped += 1;
      this.log.event(`Dropped a datagram from ${formatSocketAddress(from)} on the multicast group`);
    } catch (error) {
      this.reportInternalError(from, error);
    }
  };

  /**
   * One line from a client on another transport (a WebSocket message), handled exactly like a UDP
   * client's datagram: same commands, replies, limits and rooms. Replies go to `channel.send`.
   */
  clientLine(data: Uint8Array, channel: ClientChannel): void {
    if (this.closing !== undefined) return;
    try {
      this.onClientLine(data, channel);
    } catch (error) {
      this.reportInternalError(`a line from client ${channel.key}`, error);
    }
  }

  /** The client's channel closed (a WebSocket went away): forgotten as on `/quit`. */
  clientGone(key: string): void {
    const client = this.clients.get(key);
    if (client === undefined) return;
    this.clients.forget(client);
    this.log.event(`Client ${client.key} disconnects`);
  }

  /** Remote input must never take the server down: a handler that throws is counted and logged. */
  private reportInternalError(from: SocketAddress | string, error: unknown): void {
    this.counters.internalErrors += 1;
    const message = error instanceof Error ? error.message : String(error);
    const where = typeof from === 'string' ? from : `a datagram from ${formatSocketAddress(from)}`;
    this.log.report(`Internal error on ${where}: ${message}`);
  }

  private onPeerDatagram(peer: NodeId, data: Buffer): void {
    if (peer === this.index) {
      // Multicast loops our own datagrams back to us; nothing else comes from our own address.
      this.counters.ownDatagramsIgnored += 1;
      return;
    }
    const decoded = this.peers.decode(peer, data);
    if (!decoded.ok) {
      this.log.event(`Dropped a datagram from ${formatServerTag(peer)}: ${decoded.reason}`);
      return;
    }
    if (decoded.restarted) {
      // Its new run is taken from now on (its earlier run's datagrams are replays); the engine
      // sees the new incarnation in its heartbeats and merges it back into the view.
      this.log.report(`${formatServerTag(peer)} has restarted (its frames carry a newer epoch)`);
    }
    if (this.log.enabled) {
      const kinds = decoded.messages.map((message) => message.kind).join(' ');
      this.log.event(`Received ${data.byteLength} bytes from ${formatServerTag(peer)}: ${kinds}`);
    }
    const now = this.clock();
    for (const message of decoded.messages) this.engine.receive(now, peer, message);
    // Drained at the end of the turn, with the turn's other datagrams: what they make due (the
    // majority counts, the freed post window) is done once, and the sends go out then anyway.
    // Except while posts are held for a view change: the view this datagram installed releases
    // them before a client's post later in the turn finds the hold full.
    if (this.heldPosts.size > 0) this.afterInput();
    else this.scheduleEndOfTurn();
  }

  private onClientLine(data: Uint8Array, from: ClientChannel): void {
    this.counters.clientDatagrams += 1;
    const now = this.clock();
    const client = this.clients.get(from.key);
    if (client !== undefined) {
      client.lastHeardMs = now;
      // Before parsing: a flood costs one lookup and one subtraction per datagram.
      if (!client.inbound.take(now)) {
        this.refuseOverRate(client, now);
        return;
      }
    }
    const command = parseClientDatagram(data, this.clientLimits);
    switch (command.kind) {
      case 'join': {
        const member = client ?? this.admit(from, now);
        if (member === undefined) return;
        if (member.room !== undefined) {
          this.reply(alreadyInRoom(member.room), from);
          return;
        }
        this.clients.join(member, command.room);
        this.log.event(`Client ${member.key} joins chat room #${command.room}`);
        this.reply(joined(command.room), from);
        return;
      }
      case 'part': {
        const room = client?.room;
        if (client === undefined || room === undefined) {
          this.reply(notInRoom(), from);
          return;
        }
        this.clients.leave(client);
        // A client in no room with its default nickname has no state worth keeping.
        if (client.nickname === from.defaultNickname) this.clients.forget(client);
        this.log.event(`Client ${client.key} leaves chat room #${room}`);
        this.reply(left(room), from);
        return;
      }
      case 'nick': {
        const member = client ?? this.admit(from, now);
        if (member === undefined) return;
        member.nickname = command.nick;
        this.log.event(`Client ${member.key} is now known as ${quote(command.nick)}`);
        this.reply(nickSet(command.nick), from);
        return;
      }
      case 'quit':
        if (client === undefined) return;
        this.clients.forget(client);
        this.log.event(`Client ${client.key} quits`);
        return;
      case 'post':
        if (client?.room === undefined) {
          this.reply(notInRoom(), from);
          return;
        }
        this.post(client, client.room, command.text);
        return;
      case 'rejected':
        this.reply(command.reply, from);
        return;
    }
  }

  /** Registers a client on its first stateful command; replies and returns undefined when full. */
  private admit(from: ClientChannel, now: number): ChatClient | undefined {
    const client = this.clients.admit(from, now);
    if (client === undefined) {
      this.counters.clientsRefusedFull += 1;
      this.reply(serverFull(this.clients.clientsMax), from);
    }
    return client;
  }

  /** Drops a datagram over the client's rate; says so at most once a second. */
  private refuseOverRate(client: ChatClient, now: number): void {
    this.counters.clientDatagramsOverRate += 1;
    if (now - client.slowDownRepliedMs < SLOW_DOWN_REPLY_INTERVAL_MS) return;
    client.slowDownRepliedMs = now;
    this.counters.slowDownReplies += 1;
    this.reply(slowDown(this.clientRateMax), client.channel);
    this.log.event(`Client ${client.key} sends more than ${this.clientRateMax} datagrams a second`);
  }

  /** The idle sweep: forgets clients that sent nothing for `clientIdleMsMax`. */
  private readonly forgetIdleClients = (): void => {
    if (this.closing !== undefined) return;
    const forgotten = this.clients.forgetSilentSince(this.clock() - this.clientIdleMsMax);
    this.counters.clientsForgottenIdle += forgotten.length;
    for (const client of forgotten) {
      this.log.event(
        `Client ${client.key} forgotten after ${this.clientIdleMsMax} ms without a datagram`,
      );
    }
  };

  private post(client: ChatClient, room: number, text: string): void {
    const escaped = escapeControlCharacters(text);
    const payload = this.payloadEncoder.encode(formatDelivery(client.nickname, escaped));
    const post = { client, room, payload, escaped };
    // Behind posts already held, so that each client's posts keep their order.
    const outcome = this.heldPosts.size > 0 ? 'view-change' : this.tryPost(post);
    const kept = outcome === 'taken' || (outcome === 'view-change' && this.hold(post));
    // Refusals then leave no gaps in the slabs between the posts kept (see SlabEncoder).
    if (!kept) this.payloadEncoder.giveBack(payload);
    // Drained at the end of the turn, as a peer datagram is: the sequencer then names its own posts
    // of the turn in one order entry, not one each (it orders them as its outputs are read).
    this.scheduleEndOfTurn();
  }

  /**
   * Offers a post to the engine: taken, refused (its client told why), or not taken while a view
   * change is under way (the post is to be held).
   */
  private tryPost(post: HeldPost): 'taken' | 'refused' | 'view-change' {
    const { client, room, escaped } = post;
    const now = this.clock();
    const result = this.engine.post(now, room, post.payload);
    if (!result.ok) {
      if (result.reason === 'view-change') return 'view-change';
      this.refuse(post, result.reason);
      return 'refused';
    }
    this.ownPostTimes?.posted(result.seq, now);
    // Guarded: without -v, the hot path builds no log text.
    if (this.log.enabled)
      this.log.event(`Client ${client.key} posts "${escaped}" to chat room #${room}`);
    return 'taken';
  }

  /**
   * A view change is under way: the post waits for the next view, unless too many already do.
   * False when it was refused.
   */
  private hold(post: HeldPost): boolean {
    if (!this.heldPosts.hold(post)) {
      this.refuse(post, 'view-change');
      return false;
    }
    this.counters.postsHeld += 1;
    if (this.log.enabled) {
      this.log.event(
        `Client ${post.client.key} posts "${post.escaped}" to chat room #${post.room}: held ` +
          'until the view change ends',
      );
    }
    return true;
  }

  /** A view was installed: the held posts go to the engine, oldest first, while it takes posts. */
  private releaseHeldPosts(): void {
    for (let post = this.heldPosts.peek(); post !== undefined; post = this.heldPosts.peek()) {
      if (this.tryPost(post) === 'view-change') return;
      this.heldPosts.shift();
    }
  }

  private refuse(post: HeldPost, reason: PostRefusal): void {
    this.counters.postsRefused += 1;
    this.reply(this.refusalReply(reason, post.client), post.client.channel);
    this.log.event(
      `Client ${post.client.key} posts to chat room #${post.room}: refused (${reason})`,
    );
  }

  private onViewInstalled(view: View): void {
    this.log.event(
      `View ${view.id} installed: servers ${view.members.join(',')} ` +
        `(${view.primary ? 'primary' : 'minority'})`,
    );
    this.releaseHeldPosts();
  }

  private refusalReply(reason: PostRefusal, client: ChatClient): string {
    switch (reason) {
      case 'window-full':
      case 'view-change':
        return serverBusy();
      case 'no-majority':
        return noMajority();
      case 'payload-too-large': {
        // The payload is `<NICK> TEXT`: what is left for the text once the nickname is in.
        const nickBytes = utf8.encode(client.nickname).length;
        return messageTooLongToRelay(this.postPayloadBytesMax - nickBytes - 3);
      }
      case 'bad-room':
        return roomNotServed();
    }
  }

  private deliver(delivery: Delivery): void {
    const members = this.clients.membersOf(delivery.room);
    for (const member of members) member.channel.send(delivery.payload);
    this.counters.deliveryDatagrams += members.size;
    if (this.ownPostTimes !== undefined && delivery.origin === this.index) {
      const latencyMs = this.ownPostTimes.delivered(delivery.originSeq, this.clock());
      if (latencyMs !== undefined) this.onOwnPostDelivered?.(latencyMs);
    }
    if (this.log.enabled) {
      const text = utf8Lenient.decode(delivery.payload);
      this.log.event(
        `Delivers ${quote(text)} (${formatServerTag(delivery.origin)}#${delivery.originSeq}) ` +
          `to ${members.size} clients in chat room #${delivery.room}`,
      );
    }
  }

  private reply(text: string, to: ClientChannel): void {
    to.send(utf8.encode(text));
  }

  /**
   * After any input: deliver what the engine has ordered, take note of the views it installed (and
   * post what waited for one), queue what it wants sent.
   */
  private afterInput(): void {
    this.deliverReady();
    for (let view = this.engine.pollViewChange(); view !== undefined;) {
      this.onViewInstalled(view);
      view = this.engine.pollViewChange();
    }
    for (
      let out = this.engine.pollTransmit();
      out !== undefined;
      out = this.engine.pollTransmit()
    ) {
      this.peers.enqueue(out);
    }
    // Held posts released above may be delivered at once (unordered mode, own posts).
    this.deliverReady();
    this.scheduleEndOfTurn();
  }

  private scheduleEndOfTurn(): void {
    if (this.endOfTurnScheduled) return;
    this.endOfTurnScheduled = true;
    setImmediate(this.endOfTurn);
  }

  private deliverReady(): void {
    for (
      let ready = this.engine.pollDelivery();
      ready !== undefined;
      ready = this.engine.pollDelivery()
    ) {
      this.deliver(ready);
    }
  }

  /**
   * Once per event-loop turn: what the turn's peer datagrams made ready, what fell due during the
   * turn (the engine acknowledges at once after a quiet spell), one packed flush to peers, and one
   * timer for the next deadline.
   */
  private readonly endOfTurn = (): void => {
    if (this.closing === undefined) {
      try {
        // While this turn's end is still marked scheduled, the outputs join its flush.
        this.afterInput();
        const now = this.clock();
        const deadline = this.engine.pollTimeout();
        if (deadline !== undefined && deadline <= now) {
          this.engine.tick(now);
          this.afterInput();
        }
        this.peers.flush();
        this.rearmTimer();
      } catch (error) {
        this.reportInternalError('the end-of-turn flush', error);
      }
    }
    this.endOfTurnScheduled = false;
  };

  /**
   * Keeps one timer at the engine's earliest deadline. A timer already armed for an earlier time
   * stays (an early tick is harmless and re-arms afterwards), so a busy server does not clear and
   * set a timer every turn.
   */
  private rearmTimer(): void {
    const deadline = this.engine.pollTimeout();
    const armed = this.timerDeadline;
    if (deadline === armed) return;
    if (deadline !== undefined && armed !== undefined && armed < deadline) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDeadline = deadline;
    if (deadline === undefined) return;
    // Rounded up: a timer that fires before the deadline would only find nothing due and re-arm.
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(deadline - this.clock())));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerDeadline = undefined;
    try {
      this.engine.tick(this.clock());
      this.afterInput();
    } catch (error) {
      this.reportInternalError('a timer', error);
    }
  };

  private logStart(options: ChatServerOptions, self: ServerAddresses): void {
    if (!this.log.enabled) return;
    const forward =
      formatSocketAddress(self.forward) === formatSocketAddress(self.bind)
        ? ''
        : ` (peers reach it at ${formatSocketAddress(self.forward)})`;
    const multicast =
      options.multicast === undefined
        ? 'unicast to each peer'
        : `multicast group ${formatSocketAddress(options.multicast.group)} on ${options.multicast.interfaceAddress}`;
    const authentication =
      options.sealing === undefined
        ? 'server traffic NOT authenticated (no cluster key)'
        : `server traffic authenticated (epoch ${options.sealing.epoch})`;
    const { recvBytes, sendBytes } = this.endpoint.bufferSizes;
    this.log.event(
      `Server ${this.index} of ${options.servers.length} starts in ${options.mode} mode on ` +
        `${formatSocketAddress(this.endpoint.address)}${forward}, rooms 1..${options.roomCount}, ` +
        `up to ${options.clientsMax} clients of at most ${options.clientRateMax} datagrams/s ` +
        `each, forgotten after ${options.clientIdleMsMax} ms idle, ${authentication}, ` +
        `peers suspected after ${this.engine.timing.suspectMs} ms of silence (heartbeat every ` +
        `${this.engine.timing.heartbeatIntervalMs} ms), incarnation ${this.engine.incarnation}, ` +
        `${multicast}, socket buffers granted: receive ${recvBytes} bytes, send ${sendBytes} bytes`,
    );
  }
}

/** Log text in quotes; control characters are escaped so one event stays one line. */
type PostRefusal = Extract<PostResult, { ok: false }>['reason'];

function quote(text: string): string {
  return `"${escapeControlCharacters(text)}"`;
}
