import type { SeededRandom } from '@chat/ordering/testing';

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
  | { readonly kind: 'relay'; readonly delaysMs: readonly [number] | readonly [number, number] };

const LOSE: RelayDecision = { kind: 'lose' };

/**
 * Decides the fate of each relayed datagram from a seeded random source, so that a run's sequence of
 * decisions replays from its seed. Draws, in order: loss, then the first delay, then duplication and
 * the second delay.
 */
export class RelayPolicy {
  constructor(
    readonly options: RelayPolicyOptions,
    private readonly random: Pick<SeededRandom, 'int' | 'chance'>,
  ) {}

  decide(): RelayDecision {
    const { delayMsMax, lossProbability, duplicateProbability } = this.options;
    if (this.random.chance(lossProbability)) return LOSE;
    const firstDelayMs = this.random.int(0, delayMsMax);
    if (!this.random.chance(duplicateProbability)) {
      return { kind: 'relay', delaysMs: [firstDelayMs] };
    }
    return { kind: 'relay', delaysMs: [firstDelayMs, this.random.int(0, delayMsMax)] };
  }
}
