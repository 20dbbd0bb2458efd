import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '@chat/ordering';
import { decodeFrame, encodeFrame, type FrameSealing, type SocketAddress } from '@chat/protocol';
import { hmacSha256Authenticator } from './hmac-authenticator.js';
import {
  PEER_DATAGRAM_BYTES_MAX,
  PEER_OUTBOX_MESSAGES_MAX,
  PeerLink,
  type PeerLinkOptions,
} from './peer-link.js';

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
  view: 1,
  seq,
  room: 1,
  payload: new Uint8Array(bytes).fill(0x61),
});

/** A link without a key; unset options default to all servers and unicast. */
function plainLink(
  options: Pick<PeerLinkOptions, 'self' | 'sender'> & Partial<PeerLinkOptions>,
): PeerLink {
  return new PeerLink({ servers, multicastGroup: undefined, sealing: undefined, ...options });
}

describe('PeerLink', () => {
  it('knows peers by forward address (unicast) and by bind address (multicast)', () => {
    const link = plainLink({ self: 1, sender: recordingSender() });
    expect(link.serverAtForwardAddress(at(5102))).toBe(2);
    expect(link.serverAtForwardAddress(at(5002))).toBeUndefined();
    expect(link.serverAtBindAddress(at(5003))).toBe(3);
    expect(link.serverAtForwardAddress({ host: '127.0.0.2', port: 5102 })).toBeUndefined();
  });

  it('batches per destination until flush, fanning "all" out to every other forward address', () => {
    const sender = recordingSender();
    const link = plainLink({ self: 2, sender });
    link.enqueue({ to: 'all', message: post(1, 10) });
    link.enqueue({ to: 3, message: { kind: 'nak', view: 1, writer: 3, first: 1, last: 2 } });
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
    const link = plainLink({ self: 1, sender, multicastGroup: group });
    link.enqueue({ to: 'all', message: post(1, 1) });
    link.enqueue({ to: 2, message: { kind: 'nak', view: 1, writer: 2, first: 1, last: 1 } });
    link.flush();
    expect(sender.sent.map(({ to }) => to)).toEqual([group, at(5102)]);
  });

  it(`packs into datagrams of at most ${PEER_DATAGRAM_BYTES_MAX} bytes`, () => {
    const sender = recordingSender();
    const link = plainLink({ self: 1, servers: servers.slice(0, 2), sender });
    for (let seq = 1; seq <= 20; seq++) link.enqueue({ to: 2, message: post(seq, 300) });
    link.flush();
    expect(sender.sent.length).toBeGreaterThan(1);
    expect(sender.sent.length).toBeLessThan(20);
    for (const { data } of sender.sent)
      expect(data.byteLength).toBeLessThanOrEqual(PEER_DATAGRAM_BYTES_MAX);
    expect(link.stats()).toMatchObject({ messagesOut: 20, datagramsOut: sender.sent.length });
  });

  it('drops and counts what a peer should not have sent', () => {
    const link = plainLink({ self: 1, sender: recordingSender() });
    const status: PeerMessage = {
      kind: 'status',
      view: 1,
      received: [0, 0, 0],
      delivered: [0, 0, 0],
      stable: 0,
      safe: 0,
    };
    expect(link.decode(2, new TextEncoder().encode('/join 1'))).toEqual({
      ok: false,
      reason: 'foreign',
    });
    expect(link.decode(2, encodeFrame({ from: 3, messages: [status] }))).toEqual({
      ok: false,
      reason: 'spoofed',
    });
    const longPost: PeerMessage = {
      kind: 'post',
      view: 1,
      seq: 1,
      room: 1,
      payload: new Uint8Array(2000),
    };
    expect(link.decode(2, encodeFrame({ from: 2, messages: [longPost] }))).toEqual({
      ok: false,
      reason: 'oversized',
    });
    expect(link.decode(2, encodeFrame({ from: 2, messages: [status] }))).toEqual({
      ok: true,
      messages: [status],
      restarted: false,
    });
    expect(link.stats()).toMatchObject({
      datagramsIn: 4,
      messagesIn: 1,
      'dropped.foreign': 1,
      'dropped.spoofed': 1,
      'dropped.oversized': 1,
    });
  });

  it('drops and counts a message the wire format refuses, and sends the others', () => {
    const sender = recordingSender();
    const link = plainLink({ self: 1, servers: servers.slice(0, 2), sender });
    const beyond: PeerMessage = { kind: 'flushed', proposal: 2 ** 35 };
    link.enqueue({ to: 2, message: post(1, 10) });
    link.enqueue({ to: 2, message: beyond });
    link.enqueue({ to: 2, message: post(2, 10) });
    link.flush();
    expect(sender.sent).toHaveLength(1);
    const decoded = decodeFrame(sender.sent[0]!.data);
    expect(decoded.ok && decoded.frame.messages).toEqual([post(1, 10), post(2, 10)]);
    expect(link.stats()).toMatchObject({ unsendableDropped: 1 });
  });

  it(`queues at most ${PEER_OUTBOX_MESSAGES_MAX} messages per destination between flushes`, () => {
    const sender = recordingSender();
    const link = plainLink({ self: 1, servers: servers.slice(0, 2), sender });
    const nak: PeerMessage = { kind: 'nak', view: 1, writer: 2, first: 1, last: 1 };
    for (let i = 0; i < PEER_OUTBOX_MESSAGES_MAX + 10; i++) link.enqueue({ to: 2, message: nak });
    link.flush();
    expect(link.stats()).toMatchObject({
      messagesOut: PEER_OUTBOX_MESSAGES_MAX,
      outboxFullDropped: 10,
    });
  });
});

describe('PeerLink with a cluster key', () => {
  const key = hmacSha256Authenticator(new Uint8Array(32).fill(7));
  const status: PeerMessage = {
    kind: 'status',
    view: 1,
    received: [0, 0, 0],
    delivered: [0, 0, 0],
    stable: 0,
    safe: 0,
  };
  const sealed = (from: number, epoch: number, authenticator = key): Uint8Array =>
    encodeFrame({ from, epoch, messages: [status] }, authenticator);
  const keyedLink = (sealing: FrameSealing, sender = recordingSender()): PeerLink =>
    plainLink({ self: 1, sender, sealing });

  it('seals what it sends with its epoch', () => {
    const sender = recordingSender();
    const link = keyedLink({ epoch: 42, authenticator: key }, sender);
    link.enqueue({ to: 2, message: status });
    link.flush();
    expect(decodeFrame(sender.sent[0]!.data, key)).toEqual({
      ok: true,
      frame: { from: 1, epoch: 42, messages: [status] },
    });
  });

  it('drops and counts plain frames, other keys and bad tags', () => {
    const link = keyedLink({ epoch: 1, authenticator: key });
    const otherKey = hmacSha256Authenticator(new Uint8Array(32).fill(8));
    const forged = sealed(2, 100);
    forged[forged.length - 1] = forged.at(-1)! ^ 0x01;
    expect(link.decode(2, encodeFrame({ from: 2, messages: [status] }))).toEqual({
      ok: false,
      reason: 'unauthenticated',
    });
    expect(link.decode(2, sealed(2, 100, otherKey))).toMatchObject({ reason: 'unauthenticated' });
    expect(link.decode(2, forged)).toMatchObject({ ok: false });
    expect(link.decode(2, sealed(2, 100))).toEqual({
      ok: true,
      messages: [status],
      restarted: false,
    });
    expect(link.stats()).toMatchObject({ messagesIn: 1, 'dropped.unauthenticated': 3 });
  });

  it('pins each peer at its first epoch: older ones are replays, a newer one a restart, taken', () => {
    const link = keyedLink({ epoch: 1, authenticator: key });
    expect(link.decode(2, sealed(2, 1000))).toMatchObject({ ok: true, restarted: false });
    expect(link.decode(2, sealed(2, 999))).toEqual({ ok: false, reason: 'replayed' });
    // The peer restarted: its new run is accepted (the engine merges it back into the view) ...
    expect(link.decode(2, sealed(2, 1001))).toEqual({
      ok: true,
      messages: [status],
      restarted: true,
    });
    expect(link.decode(2, sealed(2, 1001))).toMatchObject({ ok: true, restarted: false });
    // ... and from then on its old run's datagrams are replays.
    expect(link.decode(2, sealed(2, 1000))).toEqual({ ok: false, reason: 'replayed' });
    // Each peer has its own epoch; a forgery pins nothing.
    expect(link.decode(3, sealed(3, 5, hmacSha256Authenticator(new Uint8Array(16)))).ok).toBe(
      false,
    );
    expect(link.decode(3, sealed(3, 7)).ok).toBe(true);
    expect(link.decode(3, sealed(3, 6))).toMatchObject({ reason: 'replayed' });
    expect(link.stats()).toMatchObject({ 'dropped.replayed': 3, restarts: 1 });
  });
});
