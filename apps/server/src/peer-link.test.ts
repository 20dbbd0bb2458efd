import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '@chat/ordering';
import { decodeFrame, encodeFrame, type SocketAddress } from '@chat/protocol';
import { PEER_DATAGRAM_BYTES_MAX, PeerLink } from './peer-link.js';

const at = (port: number): SocketAddress => ({ host: '127.0.0.1', port });
/** Three servers behind a proxy: forward 510N, bind 500N. */
const servers = [1, 2, 3].map((n) => ({ forward: at(5100 + n), bind: at(5000 + n) }));

function recordingSender(): {
  sent: { data: Uint8Array; to: SocketAddress }[];
  send(data: Uint8Array, to: SocketAddress): void;
} {
  const sent: { data: Uint8Array; to: SocketAddress }[] = [];
  return { sent, send: (data, to) => sent.push({ data, to }) };
}

const post = (seq: number, bytes: number): PeerMessage => ({
  kind: 'post',
  seq,
  room: 1,
  payload: new Uint8Array(bytes).fill(0x61),
});

describe('PeerLink', () => {
  it('knows peers by forward address (unicast) and by bind address (multicast)', () => {
    const link = new PeerLink({
      self: 1,
      servers,
      sender: recordingSender(),
      multicastGroup: undefined,
    });
    expect(link.serverAtForwardAddress(at(5102))).toBe(2);
    expect(link.serverAtForwardAddress(at(5002))).toBeUndefined();
    expect(link.serverAtBindAddress(at(5003))).toBe(3);
    expect(link.serverAtForwardAddress({ host: '127.0.0.2', port: 5102 })).toBeUndefined();
  });

  it('batches per destination until flush, fanning "all" out to every other forward address', () => {
    const sender = recordingSender();
    const link = new PeerLink({ self: 2, servers, sender, multicastGroup: undefined });
    link.enqueue({ to: 'all', message: post(1, 10) });
    link.enqueue({ to: 3, message: { kind: 'nak', first: 1, last: 2 } });
    link.enqueue({ to: 'all', message: post(2, 10) });
    expect(sender.sent).toEqual([]);
    link.flush();
    expect(sender.sent.map(({ to }) => to.port)).toEqual([5101, 5103, 5103]);
    const toAll = decodeFrame(sender.sent[0]!.data);
    expect(toAll.ok && toAll.frame).toEqual({ from: 2, messages: [post(1, 10), post(2, 10)] });
    link.flush();
    expect(sender.sent).toHaveLength(3);
  });

  it('sends "all" to the multicast group, unicast still to forward addresses', () => {
    const sender = recordingSender();
    const group = { host: '239.255.0.1', port: 6000 };
    const link = new PeerLink({ self: 1, servers, sender, multicastGroup: group });
    link.enqueue({ to: 'all', message: post(1, 1) });
    link.enqueue({ to: 2, message: { kind: 'nak', first: 1, last: 1 } });
    link.flush();
    expect(sender.sent.map(({ to }) => to)).toEqual([group, at(5102)]);
  });

  it(`packs into datagrams of at most ${PEER_DATAGRAM_BYTES_MAX} bytes`, () => {
    const sender = recordingSender();
    const link = new PeerLink({
      self: 1,
      servers: servers.slice(0, 2),
      sender,
      multicastGroup: undefined,
    });
    for (let seq = 1; seq <= 20; seq++) link.enqueue({ to: 2, message: post(seq, 300) });
    link.flush();
    expect(sender.sent.length).toBeGreaterThan(1);
    expect(sender.sent.length).toBeLessThan(20);
    for (const { data } of sender.sent)
      expect(data.byteLength).toBeLessThanOrEqual(PEER_DATAGRAM_BYTES_MAX);
    expect(link.stats()).toMatchObject({ messagesOut: 20, datagramsOut: sender.sent.length });
  });

  it('drops and counts what a peer should not have sent', () => {
    const link = new PeerLink({
      self: 1,
      servers,
      sender: recordingSender(),
      multicastGroup: undefined,
    });
    const status: PeerMessage = { kind: 'status', received: [0, 0, 0] };
    expect(link.decode(2, new TextEncoder().encode('/join 1'))).toEqual({
      ok: false,
      reason: 'foreign',
    });
    expect(link.decode(2, encodeFrame({ from: 3, messages: [status] }))).toEqual({
      ok: false,
      reason: 'spoofed',
    });
    expect(link.decode(2, encodeFrame({ from: 2, messages: [status] }))).toEqual({
      ok: true,
      messages: [status],
    });
    expect(link.stats()).toMatchObject({
      datagramsIn: 3,
      messagesIn: 1,
      'dropped.foreign': 1,
      'dropped.spoofed': 1,
    });
  });
});
