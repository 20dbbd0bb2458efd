#!/usr/bin/env node
/**
 * chatrelay [--batch] [--sequenced] <config-file> <index>: the benchmark baseline. It does only
 * the datagram hops of one posted message — client to its server, fan-out to the other servers, out
 * to the room's clients — with no ordering (unless `--sequenced`), no reliability, no checks and no
 * logging. Its figures are the ceiling the real server is measured against, on the same machine in
 * the same run.
 *
 * The posts of one read go to the peers packed in as few datagrams as fit, as chatserver packs a
 * turn's traffic to a peer. By default it uses node:dgram alone: one system call and one call into
 * JavaScript per datagram, so one post per read and per peer datagram. With `--batch` it goes
 * through @chat/transport's endpoint with the addon, as chatserver does (sendmmsg per event-loop
 * turn, recvmmsg up to 32 per wakeup): the least a Node server pays for these hops, its floor.
 * With `--sequenced` the servers deliver in one total order, a sequencer's (`SequencedDelivery`):
 * the least a Node server pays for total order, with nothing that survives a loss or a failure.
 */
import { readFileSync } from 'node:fs';
import { parseClusterConfig } from '@chat/protocol';
import type { SocketAddress } from '@chat/transport';
import {
  forEachRelayedPost,
  ORDER_RECORD_BYTES_MAX,
  ORDER_RECORD_ROOM,
  RelayPeerFramePacker,
} from './relay-peer-frame.js';
import { openRelaySocket } from './relay-socket.js';
import { SEQUENCED_SERVERS_MAX, SequencedDelivery } from './sequenced-delivery.js';

const argv = process.argv.slice(2);
const FLAGS = ['--batch', '--sequenced'];
const batched = argv.includes('--batch');
const sequenced = argv.includes('--sequenced');
const positional = argv.filter((argument) => !FLAGS.includes(argument));
const [configPath, indexText] = positional;
const wellFormed =
  positional.length === 2 && !positional.some((argument) => argument.startsWith('-'));
const config =
  wellFormed && configPath !== undefined
    ? parseClusterConfig(readFileSync(configPath, 'utf8'))
    : undefined;
const index = Number(indexText);
if (
  config === undefined ||
  !config.ok ||
  !Number.isInteger(index) ||
  index < 1 ||
  index > config.servers.length ||
  (sequenced && config.servers.length > SEQUENCED_SERVERS_MAX)
) {
  process.stderr.write('usage: chatrelay [--batch] [--sequenced] <config-file> <index>\n');
  process.exit(2);
}
const self = config.servers[index - 1]!;
const peers = config.servers.filter((_, i) => i !== index - 1).map((server) => server.forward);
/** Each peer's address as `host:port`, to its index in the config. */
const peerIndexes = new Map<string, number>(
  config.servers
    .map((server, i) => [`${server.forward.host}:${server.forward.port}`, i + 1] as const)
    .filter(([, peerIndex]) => peerIndex !== index),
);

interface RelayClient {
  readonly address: SocketAddress;
  /** `<NICK> `, the delivery line's start: a post is this and its bytes, never a string. */
  prefix: Buffer;
  room: number;
}
const clients = new Map<string, RelayClient>();
const rooms = new Map<number, Set<RelayClient>>();
const toPeers = new RelayPeerFramePacker();
let peerFlushQueued = false;
const SLASH = 0x2f;
const inOrder = sequenced
  ? new SequencedDelivery(config.servers.length, index, deliver)
  : undefined;

const socket = await openRelaySocket(self.bind, batched, (data, from) => {
  const key = `${from.host}:${from.port}`;
  const peerIndex = peerIndexes.get(key);
  if (peerIndex !== undefined) {
    forEachRelayedPost(data, (room, line) => {
      if (inOrder === undefined) deliver(room, line);
      else if (room === ORDER_RECORD_ROOM) inOrder.takeOrder(line);
      else takeInOrder(inOrder, peerIndex, room, line);
    });
    return;
  }
  let client = clients.get(key);
  if (client === undefined) {
    client = { address: from, prefix: Buffer.from(`<${key}> `), room: 0 };
    clients.set(key, client);
  }
  if (data[0] === SLASH) {
    command(client, key, data.toString('utf8'));
  } else if (client.room > 0) {
    const delivery = Buffer.concat([client.prefix, data]);
    toPeers.push(client.room, delivery);
    queuePeerFlush();
    if (inOrder === undefined) deliver(client.room, delivery);
    else takeInOrder(inOrder, index, client.room, delivery);
  }
});

function queuePeerFlush(): void {
  if (peerFlushQueued) return;
  peerFlushQueued = true;
  // After the read's last datagram: microtasks run when the call into JavaScript returns.
  queueMicrotask(sendToPeers);
}

/** A post in total order; the sequencer names it to the others with the read's other posts. */
function takeInOrder(order: SequencedDelivery, origin: number, room: number, line: Buffer): void {
  order.takePost(origin, room, line);
  if (order.isSequencer) queuePeerFlush();
}

function command(client: RelayClient, key: string, line: string): void {
  if (line.startsWith('/join ')) {
    client.room = Number(line.slice(6));
    let members = rooms.get(client.room);
    if (members === undefined) rooms.set(client.room, (members = new Set()));
    members.add(client);
    socket.send(Buffer.from(`+OK You are now in chat room #${client.room}`), client.address);
  } else if (line.startsWith('/nick ')) {
    const nick = line.slice(6);
    client.prefix = Buffer.from(`<${nick}> `);
    socket.send(Buffer.from(`+OK Nickname set to '${nick}'`), client.address);
  } else if (line === '/quit') {
    rooms.get(client.room)?.delete(client);
    clients.delete(key);
  }
}

function sendToPeers(): void {
  peerFlushQueued = false;
  const record = inOrder?.takeOrderRecord();
  if (record !== undefined) {
    for (let at = 0; at < record.length; at += ORDER_RECORD_BYTES_MAX) {
      toPeers.push(ORDER_RECORD_ROOM, record.subarray(at, at + ORDER_RECORD_BYTES_MAX));
    }
  }
  for (const frame of toPeers.take()) for (const peer of peers) socket.send(frame, peer);
}

function deliver(room: number, line: Buffer): void {
  for (const client of rooms.get(room) ?? []) socket.send(line, client.address);
}

const stop = (): void => {
  void socket.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
