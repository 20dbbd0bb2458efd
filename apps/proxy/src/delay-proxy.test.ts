import { SeededRandom } from '@chat/ordering/testing';
import type { ServerAddresses } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { DelayProxy } from './delay-proxy.js';
import type { InFlightLimits, Transmission } from './delay-proxy.js';
import { RelayPolicy } from './relay-policy.js';
import type { RelayPolicyOptions } from './relay-policy.js';

const SERVERS: readonly ServerAddresses[] = [1, 2, 3].map((n) => ({
  forward: { host: '127.0.0.1', port: 5000 + n },
  bind: { host: '127.0.0.1', port: 6000 + n },
}));
const [S1, S2, S3] = SERVERS as [ServerAddresses, ServerAddresses, ServerAddresses];
const NO_FAULTS: RelayPolicyOptions = {
  delayMsMax: 0,
  lossProbability: 0,
  duplicateProbability: 0,
};

function proxyWith(options: Partial<RelayPolicyOptions> = {}, limits?: InFlightLimits, seed = 1) {
  const policy = new RelayPolicy({ ...NO_FAULTS, ...options }, new SeededRandom(seed));
  return new DelayProxy(SERVERS, policy, limits);
}

function drain(proxy: DelayProxy, nowMs: number): Transmission[] {
  const sent: Transmission[] = [];
  for (let next = proxy.pollTransmit(nowMs); next !== undefined; next = proxy.pollTransmit(nowMs)) {
    sent.push(next);
  }
  return sent;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('DelayProxy', () => {
  it('relays a datagram from B_1 arriving at F_2 to B_2, sent from F_1', () => {
    const proxy = proxyWith();
    const data = bytes('hello');

    const outcome = proxy.receive(0, 1, S1.bind, data);

    expect(outcome).toEqual({ kind: 'scheduled', fromServer: 0, toServer: 1, delaysMs: [0] });
    expect(drain(proxy, 0)).toEqual([{ fromServer: 0, toServer: 1, to: S2.bind, data }]);
    expect(proxy.stats).toMatchObject({ received: 1, relayed: 1, inFlight: 0 });
  });

  it('drops and counts datagrams that do not come from a server’s bind address', () => {
    const proxy = proxyWith();

    expect(proxy.receive(0, 1, { host: '127.0.0.1', port: 7777 }, bytes('x'))).toEqual({
      kind: 'foreign',
    });
    // A server's forward address is the proxy's own, never a server's source.
    expect(proxy.receive(0, 1, S3.forward, bytes('x'))).toEqual({ kind: 'foreign' });
    expect(proxy.receive(0, 1, { host: '127.0.0.2', port: S1.bind.port }, bytes('x'))).toEqual({
      kind: 'foreign',
    });

    expect(drain(proxy, 1_000)).toEqual([]);
    expect(proxy.stats).toMatchObject({ received: 3, foreign: 3, relayed: 0 });
  });

  it('holds each datagram for its delay, and no longer', () => {
    const proxy = proxyWith({ delayMsMax: 20 }, undefined, 99);
    const delays: number[] = [];
    for (let n = 0; n < 200; n++) {
      const outcome = proxy.receive(1_000, 2, S1.bind, bytes(`m${n}`));
      if (outcome.kind === 'scheduled') delays.push(...outcome.delaysMs);
    }
    expect(delays).toHaveLength(200);

    for (let nowMs = 1_000; nowMs <= 1_020; nowMs++) {
      const released = drain(proxy, nowMs);
      const dueNow = delays.filter((delay) => 1_000 + delay === nowMs).length;
      expect(released).toHaveLength(dueNow);
      expect(proxy.pollTimeout() ?? Infinity).toBeGreaterThan(nowMs);
    }
    expect(proxy.pollTimeout()).toBeUndefined();
    expect(proxy.stats).toMatchObject({ relayed: 200, inFlight: 0 });
  });

  it('keeps arrival order between datagrams with equal delays', () => {
    const proxy = proxyWith();
    for (let n = 0; n < 10; n++) proxy.receive(0, 1, S1.bind, bytes(`m${n}`));

    const texts = drain(proxy, 0).map((sent) => new TextDecoder().decode(sent.data));

    expect(texts).toEqual(Array.from({ length: 10 }, (_, n) => `m${n}`));
  });

  it('loses datagrams at loss 1 and sends two copies at duplicate 1', () => {
    const lossy = proxyWith({ lossProbability: 1 });
    expect(lossy.receive(0, 1, S1.bind, bytes('x'))).toEqual({
      kind: 'lost',
      fromServer: 0,
      toServer: 1,
    });
    expect(drain(lossy, 0)).toEqual([]);
    expect(lossy.stats).toMatchObject({ lost: 1, relayed: 0 });

    const doubling = proxyWith({ duplicateProbability: 1, delayMsMax: 10 });
    const outcome = doubling.receive(0, 1, S1.bind, bytes('x'));
    expect(outcome).toMatchObject({
      kind: 'scheduled',
      delaysMs: [expect.any(Number), expect.any(Number)],
    });
    expect(drain(doubling, 10)).toHaveLength(2);
    expect(doubling.stats).toMatchObject({ duplicated: 1, relayed: 2 });
  });

  it('drops whole datagrams beyond the in-flight datagram limit', () => {
    const proxy = proxyWith({ delayMsMax: 0 }, { datagramsMax: 3, bytesMax: 1_000_000 });

    const outcomes = [0, 1, 2, 3].map(() => proxy.receive(0, 1, S1.bind, bytes('x')).kind);

    expect(outcomes).toEqual(['scheduled', 'scheduled', 'scheduled', 'overflow']);
    expect(proxy.stats).toMatchObject({ overflow: 1, inFlight: 3 });
    drain(proxy, 0);
    expect(proxy.receive(0, 1, S1.bind, bytes('x')).kind).toBe('scheduled');
  });

  it('drops datagrams beyond the in-flight byte limit', () => {
    const proxy = proxyWith({ delayMsMax: 0 }, { datagramsMax: 100, bytesMax: 10 });

    expect(proxy.receive(0, 1, S1.bind, new Uint8Array(6)).kind).toBe('scheduled');
    expect(proxy.receive(0, 1, S1.bind, new Uint8Array(6)).kind).toBe('overflow');
    expect(proxy.receive(0, 1, S1.bind, new Uint8Array(4)).kind).toBe('scheduled');
    drain(proxy, 0);
    expect(proxy.receive(0, 1, S1.bind, new Uint8Array(10)).kind).toBe('scheduled');
  });

  it('drops and counts datagrams on a cut link, and relays them again once healed', () => {
    const proxy = proxyWith();
    proxy.policy.links.cut([{ from: 0, to: 2 }]);

    expect(proxy.receive(0, 2, S1.bind, bytes('cut'))).toEqual({
      kind: 'cut',
      fromServer: 0,
      toServer: 2,
    });
    expect(proxy.receive(0, 0, S3.bind, bytes('back')).kind).toBe('scheduled');
    expect(drain(proxy, 0).map((sent) => sent.toServer)).toEqual([0]);
    proxy.policy.links.healAll();
    expect(proxy.receive(0, 2, S1.bind, bytes('healed')).kind).toBe('scheduled');
    expect(proxy.stats).toMatchObject({ received: 3, cutLinks: 1, relayed: 1, inFlight: 1 });
  });
});
