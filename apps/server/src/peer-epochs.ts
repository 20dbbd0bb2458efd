import type { NodeId } from '@chat/ordering';

/**
 * What an authenticated datagram's epoch (its sender's start time) says: `current` for the run
 * this server knows, `replayed` for an earlier run, `restarted` for a later one.
 */
export type EpochVerdict = 'current' | 'replayed' | 'restarted';

/**
 * Replay protection across restarts. Each peer's epoch is pinned at its first authenticated
 * datagram; an older epoch is a recording of an earlier run, refused. A newer one is the peer
 * restarted: its datagrams are accepted and the newer epoch pinned, so from then on its previous
 * run's datagrams are the replays. (The engine tells the new run from the old by the incarnation
 * in its heartbeats, and merges it back into the view.)
 */
export class PeerEpochs {
  private readonly pinned = new Map<NodeId, number>();

  /** Only for datagrams whose tag has been checked: forgeries must not pin anything. */
  check(peer: NodeId, epoch: number): EpochVerdict {
    const pinned = this.pinned.get(peer);
    if (pinned === undefined) {
      this.pinned.set(peer, epoch);
      return 'current';
    }
    if (epoch === pinned) return 'current';
    if (epoch < pinned) return 'replayed';
    this.pinned.set(peer, epoch);
    return 'restarted';
  }
}
