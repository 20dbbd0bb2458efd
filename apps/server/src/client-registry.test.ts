import { describe, expect, it } from 'vitest';
import { ClientRegistry } from './client-registry.js';

const address = (port: number) => ({ host: '127.0.0.1', port });

describe('ClientRegistry', () => {
  it('indexes clients by room and forgets them', () => {
    const registry = new ClientRegistry(10);
    const alice = registry.admit(address(1), 'alice')!;
    const bob = registry.admit(address(2), 'bob')!;
    expect(registry.admit(address(1), 'other')).toBe(alice);
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
    const registry = new ClientRegistry(2);
    const first = registry.admit(address(1), 'a')!;
    registry.admit(address(2), 'b');
    expect(registry.admit(address(3), 'c')).toBeUndefined();
    registry.forget(first);
    expect(registry.admit(address(3), 'c')?.key).toBe('127.0.0.1:3');
  });
});
