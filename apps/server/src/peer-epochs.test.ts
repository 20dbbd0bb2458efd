import { describe, expect, it } from 'vitest';
import { PeerEpochs } from './peer-epochs.js';

describe('PeerEpochs', () => {
  it('pins each peer at its first epoch and keeps accepting it', () => {
    const epochs = new PeerEpochs();
    expect(epochs.check(2, 1000)).toBe('current');
    expect(epochs.check(2, 1000)).toBe('current');
    expect(epochs.check(3, 5)).toBe('current');
  });

  it('calls an older epoch a replay', () => {
    const epochs = new PeerEpochs();
    epochs.check(2, 1000);
    expect(epochs.check(2, 999)).toBe('replayed');
    expect(epochs.check(2, 1000)).toBe('current');
  });

  it('takes a newer epoch as a restart, after which the old run is the replay', () => {
    const epochs = new PeerEpochs();
    epochs.check(2, 1000);
    expect(epochs.check(2, 2000)).toBe('restarted');
    expect(epochs.check(2, 2000)).toBe('current');
    expect(epochs.check(2, 1000)).toBe('replayed');
    expect(epochs.check(3, 1000)).toBe('current');
  });
});
