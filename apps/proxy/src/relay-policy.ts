import type { SeededRandom } from '@chat/ordering/testing';
import { LinkCuts } from './link-cuts.js';

export interface RelayPolicyOptions {
  /** Each copy is delayed by a whole number of milliseconds drawn uniformly from [0, delayMsMax]. */
  readonly delayMsMax: number;
  /** Chance that a datagram is dropped. */
  readonly lossProbability: number;
  /** Chance that a datagram that is not dropped is sent twice, each copy with its own delay. */
  readonly duplicateProbability: number;
}

export type RelayDecision =
  | { readonly kind: 'lose' }
  | { readonly kind: 'cut' }
  | { readonly kind: 'relay'; readonly delaysMs: readonly [number] | readonly [number, number] };

const LOSE: RelayDecision = { kind: 'lose' };
const CUT: RelayDecision = { kind: 'cut' };

/**
 * Decides the fate of each relayed datagram: dropped if its link is cut (an operator's choice, see
 * `LinkCuts`), otherwise from a seeded random source, so that a run's sequence of decisions replays
 * from its seed. Draws, in order: loss, then the first delay, then duplication and the second delay;
 * a datagram on a cut link draws nothing.
 */
export class RelayPolicy {
  /** The links cut now; the control socket changes them while the proxy runs. */
  readonly links = new LinkCuts();

  constructor(
    readonly options: RelayPolicyOptions,
    private readonly random: Pick<SeededRandom, 'int' | 'chance'>,
  ) {}

  /** The fate of a datagram from server `fromServer` to server `toServer` (0-based). */
  decide(fromServer: number, toServer: number): RelayDecision {
    if (this.links.isCut(fromServer, toServer)) return CUT;
    const { delayMsMax, lossProbability, duplicateProbability } = this.options;
    if (this.random.chance(lossProbability)) return LOSE;
    const firstDelayMs = this.random.int(0, delayMsMax);
    if (!this.random.chance(duplicateProbability)) {
      return { kind: 'relay', delaysMs: [firstDelayMs] };
    }
    return { kind: 'relay', delaysMs: [firstDelayMs, this.random.int(0, delayMsMax)] };
  }
}
