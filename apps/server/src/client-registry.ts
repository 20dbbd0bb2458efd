import type { RoomId } from '@chat/ordering';
import type { SocketAddress } from '@chat/protocol';
import { TokenBucket } from './token-bucket.js';

/** A client of this server, known by its source `IP:port`. */
export interface ChatClient {
  /** `IP:port`, the registry key; also the default nickname. */
  readonly key: string;
  readonly address: SocketAddress;
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
  admit(address: SocketAddress, nickname: string, nowMs: number): ChatClient | undefined {
    const key = clientKey(address);
    const known = this.clients.get(key);
    if (known !== undefined) return known;
    if (this.clients.size >= this.clientsMax) return undefined;
    const client: ChatClient = {
      key,
      address,
      nickname,
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
