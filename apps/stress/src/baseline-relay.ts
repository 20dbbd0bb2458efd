#!/usr/bin/env node
/**
 * chatrelay [--batch] <config-file> <index>: the benchmark baseline. It does only the datagram hops of
 * one posted message — client to its server, fan-out to the other servers, out to the room's clients
 * — with no ordering, no reliability, no checks and no logging. Its figures are the ceiling the real
 * server is measured against, on the same machine in the same run.
 *
 * The posts of one read go to the peers packed in as few datagrams as fit, as chatserver packs a
 * turn's traffic to a peer. By default it uses node:dgram alone: one system call and one call into
 * JavaScript per datagram, so one post per read and per peer datagram. With `--batch` it goes
 * through @chat/transport's endpoint with the addon, as chatserver does (sendmmsg per event-loop
 * turn, recvmmsg up to 32 per wakeup): the least a Node server pays for these hops, its floor.
 */
import { readFileSync } from 'node:fs';
import { parseClusterConfig } from '@chat/protocol';
import type { SocketAddress } from '@chat/transport';
import { forEachRelayedPost, RelayPeerFramePacker } from './relay-peer-frame.js';
import { openRelaySocket } from './relay-socket.js';

const argv = process.argv.slice(2);
const batched = argv.includes('--batch');
const positional = argv.filter((argument) => argument !== '--batch');
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
  index > config.servers.length
) {
  process.stderr.write('usage: chatrelay [--batch] <config-file> <index>\n');
  process.exit(2);
}
const self = config.servers[index - 1]!;
const peers = config.servers.filter((_, i) => i !== index - 1).map((server) => server.forward);
const peerKeys = new Set(peers.map((peer) => `${peer.host}:${peer.port}`));

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

const socket = await openRelaySocket(self.bind, batched, (data, from) => {
  const key = `${from.host}:${from.port}`;
  if (peerKeys.has(key)) {
    forEachRelayedPost(data, deliver);
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
    if (!peerFlushQueued) {
      peerFlushQueued = true;
      // After the read's last datagram: microtasks run when the call into JavaScript returns.
      queueMicrotask(sendToPeers);
    }
    deliver(client.room, delivery);
  }
});

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
