import type { ChatClient } from './client-registry.js';

/** A client's post the engine could not take yet. */
export interface HeldPost {
  readonly client: ChatClient;
  readonly room: number;
  /** `<NICK> TEXT` as it will be posted: the nickname of when the client sent it. */
  readonly payload: Uint8Array;
  /** The text as logged (control characters escaped). */
  readonly escaped: string;
}

/**
 * Posts that arrive while a view change is under way (or before the first view), held in arrival
 * order until the engine takes posts again. A view change normally takes well under a second, so
 * clients never see an error for one; past `postsMax` a post is refused as when the post window is
 * full. One queue for all clients keeps each client's posts in the order it sent them.
 */
export class HeldPosts {
  readonly #posts: HeldPost[] = [];
  #head = 0;

  constructor(readonly postsMax: number) {}

  get size(): number {
    return this.#posts.length - this.#head;
  }

  /** Holds `post`; false (and nothing held) when `postsMax` are already held. */
  hold(post: HeldPost): boolean {
    if (this.size >= this.postsMax) return false;
    this.#posts.push(post);
    return true;
  }

  /** The oldest post held, or undefined. */
  peek(): HeldPost | undefined {
    return this.#posts[this.#head];
  }

  /** Drops the oldest post (after the engine took it or refused it for good). */
  shift(): void {
    if (this.size === 0) return;
    this.#head += 1;
    // Compacted once drained, or when the dead prefix dominates: amortized O(1) per post.
    if (this.#head === this.#posts.length) {
      this.#posts.length = 0;
      this.#head = 0;
    } else if (this.#head >= this.postsMax) {
      this.#posts.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
