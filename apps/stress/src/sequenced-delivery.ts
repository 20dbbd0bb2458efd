/** The sequencer: server 1, as chatserver's first view makes its first server. */
export const SEQUENCER_INDEX = 1;

/** An order record names each post's server in one byte. */
export const SEQUENCED_SERVERS_MAX = 255;

/** A post relayed from one server, not yet delivered here. */
interface WaitingPost {
  readonly room: number;
  readonly line: Buffer;
}

/** Items read from a `Fifo` before it drops them (if it was not emptied before). */
const FIFO_READ_ITEMS_KEPT_MAX = 1024;

/**
 * A first-in first-out list read from a head index (Array#shift is O(n)); what was read is dropped
 * when all is read, or once it outnumbers what is left, so a list that never empties stays small.
 */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get isEmpty(): boolean {
    return this.#head === this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The first item; only when not empty. */
  peek(): T {
    return this.#items[this.#head]!;
  }

  shift(): T {
    const item = this.#items[this.#head++]!;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > FIFO_READ_ITEMS_KEPT_MAX && 2 * this.#head > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/**
 * chatrelay --sequenced: the least a total order adds to the relay's hops. The sequencer delivers
 * each post as it takes it (from its own clients, and from the other servers as they relay theirs
 * to every server) and names the post's server, in that order, to every other server in its order
 * records; each of them delivers in the order named, holding a named post back until it arrives
 * (the post and its naming come from different servers). Each server relays its posts in the order
 * its clients sent them, so a server and a count name a post. Nothing is acknowledged, repaired or
 * survives a failure: a lost datagram stalls the posts named after it, which a run counts as lost.
 */
export class SequencedDelivery {
  readonly #self: number;
  readonly #deliver: (room: number, line: Buffer) => void;
  /** By server index (1 on): its posts taken here and not yet delivered, in its order. */
  readonly #waiting: (Fifo<WaitingPost> | undefined)[];
  /** Servers of the posts the sequencer named, in its order, not yet delivered here. */
  readonly #named = new Fifo<number>();
  /** At the sequencer: servers of the posts it delivered since the last order record. */
  #unannounced: number[] = [];

  constructor(serverCount: number, self: number, deliver: (room: number, line: Buffer) => void) {
    if (serverCount > SEQUENCED_SERVERS_MAX) {
      throw new RangeError(`a sequenced relay names at most ${SEQUENCED_SERVERS_MAX} servers`);
    }
    this.#self = self;
    this.#deliver = deliver;
    this.#waiting = Array.from({ length: serverCount + 1 }, (_, origin) =>
      origin === 0 ? undefined : new Fifo<WaitingPost>(),
    );
  }

  get isSequencer(): boolean {
    return this.#self === SEQUENCER_INDEX;
  }

  /** Server `origin`'s next post (this server's own included). */
  takePost(origin: number, room: number, line: Buffer): void {
    if (this.isSequencer) {
      this.#unannounced.push(origin);
      this.#deliver(room, line);
      return;
    }
    this.#waiting[origin]?.push({ room, line });
    this.#deliverNamed();
  }

  /** An order record from the sequencer: one server index per byte. */
  takeOrder(record: Buffer): void {
    for (const origin of record) this.#named.push(origin);
    this.#deliverNamed();
  }

  /** At the sequencer: the order record of the posts delivered since the last call, if any. */
  takeOrderRecord(): Buffer | undefined {
    if (this.#unannounced.length === 0) return undefined;
    const record = Buffer.from(this.#unannounced);
    this.#unannounced = [];
    return record;
  }

  #deliverNamed(): void {
    const named = this.#named;
    while (!named.isEmpty) {
      const posts = this.#waiting[named.peek()];
      if (posts === undefined) {
        named.shift();
        continue;
      }
      if (posts.isEmpty) return;
      named.shift();
      const post = posts.shift();
      this.#deliver(post.room, post.line);
    }
  }
}
