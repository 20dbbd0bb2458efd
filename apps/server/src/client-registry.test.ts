import { describe, expect, it } from 'vitest';
import {
  ClientRegistry,
  type ClientChannel,
  type ClientRegistryOptions,
} from './client-registry.js';

/** A channel that sends nowhere; `nickname` stands in for the default nickname. */
const channel = (port: number, nickname: string): ClientChannel => ({
  key: `127.0.0.1:${port}`,
  defaultNickname: nickname,
  send: () => undefined,
});
const limits = (clientsMax: number): ClientRegistryOptions => ({
  clientsMax,
  datagramsPerSecondMax: 10,
  datagramsBurstMax: 20,
});

describe('ClientRegistry', () => {
  it('indexes clients by room and forgets them', () => {
    const registry = new ClientRegistry(limits(10));
    const alice = registry.admit(channel(1, 'alice'), 0)!;
    const bob = registry.admit(channel(2, 'bob'), 0)!;
    expect(registry.admit(channel(1, 'other'), 0)).toBe(alice);
    registry.join(alice, 3);
    registry.join(bob, 3);
    expect([...registry.membersOf(3)]).toEqual([alice, bob]);
    registry.join(bob, 4);
    expect([...registry.membersOf(3)]).toEqual([alice]);
    expect([...registry.membersOf(4)]).toEqual([bob]);
    registry.leave(alice);
    expect(alice.room).toBeUndefined();
    expect(registry.membersOf(3).size).toBe(0);
    registry.forget(bob);
    expect(registry.membersOf(4).size).toBe(0);
    expect(registry.get('127.0.0.1:2')).toBeUndefined();
    expect(registry.size).toBe(1);
  });

  it('admits at most clientsMax clients', () => {
    const registry = new ClientRegistry(limits(2));
    const first = registry.admit(channel(1, 'a'), 0)!;
    registry.admit(channel(2, 'b'), 0);
    expect(registry.admit(channel(3, 'c'), 0)).toBeUndefined();
    registry.forget(first);
    expect(registry.admit(channel(3, 'c'), 0)?.key).toBe('127.0.0.1:3');
  });

  it('gives each client its own datagram budget', () => {
    const registry = new ClientRegistry(limits(10));
    const alice = registry.admit(channel(1, 'alice'), 0)!;
    const bob = registry.admit(channel(2, 'bob'), 0)!;
    let aliceTaken = 0;
    for (let i = 0; i < 100; i++) if (alice.inbound.take(0)) aliceTaken++;
    expect(aliceTaken).toBe(20);
    expect(bob.inbound.take(0)).toBe(true);
  });

  it('forgets the clients not heard from since a time, rooms included', () => {
    const registry = new ClientRegistry(limits(10));
    const quiet = registry.admit(channel(1, 'quiet'), 1000)!;
    const chatty = registry.admit(channel(2, 'chatty'), 1000)!;
    registry.join(quiet, 1);
    registry.join(chatty, 1);
    chatty.lastHeardMs = 5000;
    expect(registry.forgetSilentSince(1000)).toEqual([]);
    expect(registry.forgetSilentSince(5000)).toEqual([quiet]);
    expect(registry.get(quiet.key)).toBeUndefined();
    expect([...registry.membersOf(1)]).toEqual([chatty]);
    expect(registry.forgetSilentSince(5001)).toEqual([chatty]);
    expect(registry.size).toBe(0);
    expect(registry.membersOf(1).size).toBe(0);
  });
});
