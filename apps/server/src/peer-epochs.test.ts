import { describe, expect, it } from 'vitest';
import { PeerEpochs } from './peer-epochs.js';

describe('PeerEpochs', () => {
  it('pins each peer at its first epoch and keeps accepting it', () => {
    const epochs = new PeerEpochs();
    expect(epochs.check(2, 1000)).toBe('current');
    expect(epochs.check(2, 1000)).toBe('current');
    expect(epochs.check(3, 5)).toBe('current');
  });

  it('calls an older epoch a replay and a newer one a restart, and stays pinned', () => {
    const epochs = new PeerEpochs();
    epochs.check(2, 1000);
    expect(epochs.check(2, 999)).toBe('replayed');
    expect(epochs.check(2, 1001)).toBe('restarted');
    expect(epochs.check(2, 1000)).toBe('current');
  });
});
