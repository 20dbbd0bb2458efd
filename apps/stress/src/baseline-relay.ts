#!/usr/bin/env node
/**
 * chatrelay <config-file> <index>: the benchmark baseline. It does only the datagram hops of one
 * posted message — client to its server, fan-out to the other servers, out to the room's clients —
 * with no ordering, no reliability, no checks and no logging. Its figures are the ceiling the real
 * server is measured against, on the same machine in the same run.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { parseClusterConfig } from '@chat/protocol';

const [configPath, indexText] = process.argv.slice(2);
const config =
  configPath === undefined ? undefined : parseClusterConfig(readFileSync(configPath, 'utf8'));
const index = Number(indexText);
if (
  config === undefined ||
  !config.ok ||
  !Number.isInteger(index) ||
  index < 1 ||
  index > config.servers.length
) {
  process.stderr.write('usage: chatrelay <config-file> <index>\n');
  process.exit(2);
}
const self = config.servers[index - 1]!;
const peers = config.servers.filter((_, i) => i !== index - 1).map((server) => server.forward);
const peerKeys = new Set(peers.map((peer) => `${peer.host}:${peer.port}`));
const socket = createSocket({
  type: 'udp4',
  recvBufferSize: 4 * 1024 * 1024,
  sendBufferSize: 4 * 1024 * 1024,
  // Every address is an IPv4 literal: answer at once instead of on the next tick (as chatserver's
  // transport does), so the baseline is as lean as a Node relay gets.
  lookup: (hostname, _options, callback) => {
    if (!isIPv4(hostname)) throw new Error(`chatrelay: '${hostname}' is not an IPv4 address`);
    callback(null, hostname, 4);
  },
});

interface RelayClient {
  readonly host: string;
  readonly port: number;
  nick: string;
  room: number;
}
const clients = new Map<string, RelayClient>();
const rooms = new Map<number, Set<RelayClient>>();

const deliver = (room: number, line: Buffer): void => {
  for (const client of rooms.get(room) ?? []) socket.send(line, client.port, client.host);
};

socket.on('message', (data, from) => {
  const key = `${from.address}:${from.port}`;
  if (peerKeys.has(key)) {
    // Peer datagram: one byte of room, then the delivery line.
    deliver(data[0]!, data.subarray(1));
    return;
  }
  const line = data.toString('utf8');
  let client = clients.get(key);
  if (client === undefined) {
    client = { host: from.address, port: from.port, nick: key, room: 0 };
    clients.set(key, client);
  }
  if (line.startsWith('/join ')) {
    client.room = Number(line.slice(6));
    let members = rooms.get(client.room);
    if (members === undefined) rooms.set(client.room, (members = new Set()));
    members.add(client);
    socket.send(`+OK You are now in chat room #${client.room}`, from.port, from.address);
  } else if (line.startsWith('/nick ')) {
    client.nick = line.slice(6);
    socket.send(`+OK Nickname set to '${client.nick}'`, from.port, from.address);
  } else if (line === '/quit') {
    rooms.get(client.room)?.delete(client);
    clients.delete(key);
  } else if (client.room > 0) {
    const delivery = Buffer.from(`<${client.nick}> ${line}`);
    const toPeers = Buffer.concat([Buffer.of(client.room), delivery]);
    for (const peer of peers) socket.send(toPeers, peer.port, peer.host);
    deliver(client.room, delivery);
  }
});

socket.bind(self.bind.port, self.bind.host);
const stop = (): void => {
  socket.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
