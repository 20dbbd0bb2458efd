/** One direction between two servers (0-based indexes): datagrams from `from` to `to`. */
export interface Link {
  readonly from: number;
  readonly to: number;
}

/** Above any config's server count: a link's key is `from * KEY_BASE + to`. */
const KEY_BASE = 1 << 16;

/**
 * The directed links between servers that are cut: a datagram from server `from` to server `to`
 * is dropped while that link is cut. Cutting both directions of every link between two groups is
 * a partition; cutting one direction is a one-way cut (`to` no longer hears `from`, `from` still
 * hears `to`).
 */
export class LinkCuts {
  readonly #cut = new Set<number>();

  get size(): number {
    return this.#cut.size;
  }

  isCut(from: number, to: number): boolean {
    return this.#cut.size > 0 && this.#cut.has(from * KEY_BASE + to);
  }

  cut(links: Iterable<Link>): void {
    for (const { from, to } of links) this.#cut.add(from * KEY_BASE + to);
  }

  heal(links: Iterable<Link>): void {
    for (const { from, to } of links) this.#cut.delete(from * KEY_BASE + to);
  }

  healAll(): void {
    this.#cut.clear();
  }

  /** The cut links, by sender then receiver. */
  list(): Link[] {
    return [...this.#cut]
      .sort((a, b) => a - b)
      .map((key) => ({ from: Math.floor(key / KEY_BASE), to: key % KEY_BASE }));
  }
}
