import { describe, expect, it } from 'vitest';
import { nextServer, reconnectDelayMs, RECONNECT_DELAY_MS_MAX } from './reconnect-plan.js';

const servers = [1, 2, 3].map((index) => ({ index, ws: `ws://127.0.0.1:800${index}/ws` }));

describe('nextServer', () => {
  it('moves to the next server known up, wrapping around', () => {
    expect(nextServer(servers, 1, () => true, 0)).toBe(2);
    expect(nextServer(servers, 3, () => true, 0)).toBe(1);
    expect(nextServer(servers, 1, (index) => index === 3, 0)).toBe(3);
  });

  it('tries its own server first, then the others, when none is known up', () => {
    const down = (): boolean => false;
    expect([0, 1, 2, 3].map((attempt) => nextServer(servers, 2, down, attempt))).toEqual([
      2, 3, 1, 2,
    ]);
  });

  it('skips servers whose address it does not know', () => {
    const partial = [servers[0]!, { index: 2, ws: undefined }, servers[2]!];
    expect(nextServer(partial, 1, () => true, 0)).toBe(3);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles up to a ceiling', () => {
    expect(reconnectDelayMs(0)).toBeLessThan(reconnectDelayMs(1));
    expect(reconnectDelayMs(50)).toBe(RECONNECT_DELAY_MS_MAX);
  });
});
