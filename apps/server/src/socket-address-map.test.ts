import { describe, expect, it } from 'vitest';
import { SocketAddressMap } from './socket-address-map.js';

describe('SocketAddressMap', () => {
  it('tells addresses apart by host and by port', () => {
    const map = new SocketAddressMap<number>();
    map.set({ host: '127.0.0.1', port: 5001 }, 1);
    map.set({ host: '127.0.0.2', port: 5001 }, 2);
    map.set({ host: '127.0.0.1', port: 5002 }, 3);
    expect(map.get({ host: '127.0.0.1', port: 5001 })).toBe(1);
    expect(map.get({ host: '127.0.0.2', port: 5001 })).toBe(2);
    expect(map.get({ host: '127.0.0.1', port: 5002 })).toBe(3);
    expect(map.get({ host: '127.0.0.3', port: 5001 })).toBeUndefined();
    expect(map.get({ host: '127.0.0.1', port: 5003 })).toBeUndefined();
    expect(map.size).toBe(3);
  });

  it('keeps the last value set for an address, counted once', () => {
    const map = new SocketAddressMap<string>();
    map.set({ host: '10.0.0.1', port: 1 }, 'first');
    map.set({ host: '10.0.0.1', port: 1 }, 'second');
    expect(map.get({ host: '10.0.0.1', port: 1 })).toBe('second');
    expect(map.size).toBe(1);
  });

  it('forgets everything on clear', () => {
    const map = new SocketAddressMap<number>();
    map.set({ host: '10.0.0.1', port: 1 }, 1);
    map.clear();
    expect(map.get({ host: '10.0.0.1', port: 1 })).toBeUndefined();
    expect(map.size).toBe(0);
  });
});
