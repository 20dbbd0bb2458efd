import type { RoomId } from '@chat/ordering';
import type { SocketAddress } from '@chat/protocol';
import { TokenBucket } from './token-bucket.js';

/**
 * How a client's lines reach the server and its replies reach the client, whatever carries them:
 * a UDP source address (`UdpClientChannel`) or a WebSocket connection. The registry and the server
 * only ever send through it, so both kinds of client share rooms, limits and replies.
 */
export interface ClientChannel {
  /** The registry key: `IP:port` for a UDP client; unique among every channel of the server. */
  readonly key: string;
  /** The nickname a client has until it sets one (`IP:port` for a UDP client). */
  readonly defaultNickname: string;
  /** Sends one datagram (one line) to the client; never throws. */
  send(data: Uint8Array): void;
}

/** A client of this server, known by its channel's key. */
export interface ChatClient {
  /** The channel's key (a UDP client's `IP:port`). */
  readonly key: string;
  readonly channel: ClientChannel;
  nickname: string;
  room: RoomId | undefined;
  /** When its last datagram arrived: idle clients are forgotten. */
  lastHeardMs: number;
  /** Its datagram budget; what exceeds it is dropped. */
  readonly inbound: TokenBucket;
  /** When it was last told to slow down (at most once a second). */
  slowDownRepliedMs: number;
}

export interface ClientRegistryOptions {
  readonly clientsMax: number;
  /** Each client's sustained datagram rate. */
  readonly datagramsPerSecondMax: number;
  /** Each client's burst: datagrams it may send at once after being quiet. */
  readonly datagramsBurstMax: number;
}

export function clientKey(address: SocketAddress): string {
  return `${address.host}:${address.port}`;
}

/**
 * The clients of one server and, per room, who is in it: delivering a post looks up its room's
 * members in O(1) instead of scanning every client. At most `clientsMax` clients, so the registry
 * (and every room in it) is bounded however many sources send to the server.
 */
export class ClientRegistry {
  readonly clientsMax: number;
  private readonly clients = new Map<string, ChatClient>();
  private readonly members = new Map<RoomId, Set<ChatClient>>();

  constructor(private readonly options: ClientRegistryOptions) {
    this.clientsMax = options.clientsMax;
  }

  get size(): number {
    return this.clients.size;
  }

  get(key: string): ChatClient | undefined {
    return this.clients.get(key);
  }

  /** Registers a new client with its default nickname; undefined when the server is full. */
  admit(channel: ClientChannel, nowMs: number): ChatClient | undefined {
    const key = channel.key;
    const known = this.clients.get(key);
    if (known !== undefined) return known;
    if (this.clients.size >= this.clientsMax) return undefined;
    const client: ChatClient = {
      key,
      channel,
      nickname: channel.defaultNickname,
      room: undefined,
      lastHeardMs: nowMs,
      inbound: new TokenBucket(
        this.options.datagramsPerSecondMax,
        this.options.datagramsBurstMax,
        nowMs,
      ),
      slowDownRepliedMs: -Infinity,
    };
    this.clients.set(key, client);
    return client;
  }

  join(client: ChatClient, room: RoomId): void {
    this.leave(client);
    client.room = room;
    let inRoom = this.members.get(room);
    if (inRoom === undefined) {
      inRoom = new Set();
      this.members.set(room, inRoom);
    }
    inRoom.add(client);
  }

  /** Takes the client out of its room, if any. */
  leave(client: ChatClient): void {
    if (client.room === undefined) return;
    const inRoom = this.members.get(client.room);
    inRoom?.delete(client);
    if (inRoom?.size === 0) this.members.delete(client.room);
    client.room = undefined;
  }

  /** Forgets the client entirely (`/quit`, or idle too long). */
  forget(client: ChatClient): void {
    this.leave(client);
    this.clients.delete(client.key);
  }

  /** Forgets every client not heard from since `heardBeforeMs`; returns them. */
  forgetSilentSince(heardBeforeMs: number): ChatClient[] {
    const forgotten: ChatClient[] = [];
    for (const client of this.clients.values()) {
      if (client.lastHeardMs >= heardBeforeMs) continue;
      this.forget(client);
      forgotten.push(client);
    }
    return forgotten;
  }

  membersOf(room: RoomId): ReadonlySet<ChatClient> {
    return this.members.get(room) ?? NO_MEMBERS;
  }
}

const NO_MEMBERS: ReadonlySet<ChatClient> = new Set();
