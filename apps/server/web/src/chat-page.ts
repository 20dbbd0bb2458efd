import { escapeControlCharacters } from '@chat/protocol';
import type { Health } from '../../src/http/web-api.js';
import { lineKind, nicknameAfterReply, roomAfterReply, splitPost } from './chat-lines.js';
import {
  fetchJson,
  loadCluster,
  serverTag,
  type Cluster,
  type KnownServer,
} from './cluster-directory.js';
import { nextServer, reconnectDelayMs } from './reconnect-plan.js';

/** Lines kept on the page: older ones are dropped, so a busy room cannot fill the tab's memory. */
const LINES_MAX = 500;
const HEALTH_POLL_INTERVAL_MS = 2_000;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const ui = {
  connection: element<HTMLParagraphElement>('connection'),
  servers: element<HTMLUListElement>('servers'),
  settings: element<HTMLFormElement>('settings'),
  nick: element<HTMLInputElement>('nick'),
  room: element<HTMLSelectElement>('room'),
  part: element<HTMLButtonElement>('part'),
  lines: element<HTMLOListElement>('lines'),
  composer: element<HTMLFormElement>('composer'),
  message: element<HTMLInputElement>('message'),
  send: element<HTMLButtonElement>('send'),
};

/**
 * The chat page: one WebSocket to one server, one text message per line each way. Everything the
 * server sends is shown as text (textContent, never HTML) with control characters escaped as the
 * terminal client escapes them. When the connection drops the page says so, reconnects (to
 * another server that is up, when it knows one) and restores its nickname and room.
 */
class ChatPage {
  private socket: WebSocket | undefined;
  private server: KnownServer | undefined;
  private readonly up = new Map<number, boolean>();
  /** What the user asked for, restored after a reconnection. */
  private wantedNick: string | undefined;
  private wantedRoom: number | undefined;
  /** What the server last confirmed. */
  private room: number | null = null;
  private attempt = 0;

  constructor(private readonly cluster: Cluster) {}

  start(): void {
    for (let room = 1; room <= this.cluster.roomCount; room++) {
      const option = document.createElement('option');
      option.value = String(room);
      option.textContent = `#${room}`;
      ui.room.append(option);
    }
    ui.settings.addEventListener('submit', (event) => {
      event.preventDefault();
      this.applySettings();
      // Next, one types a message.
      if (!ui.message.disabled) ui.message.focus();
    });
    ui.part.addEventListener('click', () => {
      this.wantedRoom = undefined;
      this.sendLine('/part');
    });
    ui.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = ui.message.value;
      if (text === '' || !this.sendLine(text)) return;
      ui.message.value = '';
    });
    this.renderServers();
    void this.pollHealth();
    setInterval(() => void this.pollHealth(), HEALTH_POLL_INTERVAL_MS);
    this.connect(this.cluster.self);
  }

  private applySettings(): void {
    const nick = ui.nick.value.trim();
    if (nick !== '' && nick !== this.wantedNick) {
      this.wantedNick = nick;
      this.sendLine(`/nick ${nick}`);
    }
    const room = Number(ui.room.value);
    if (room !== this.room) {
      this.wantedRoom = room;
      // Switching rooms is `/part` then `/join`: the protocol refuses a join while in a room.
      if (this.room !== null) this.sendLine('/part');
      this.sendLine(`/join ${room}`);
    }
  }

  private sendLine(line: string): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) {
      this.show(`Not connected: "${line}" was not sent`, 'local');
      return false;
    }
    this.socket.send(line);
    return true;
  }

  private connect(index: number): void {
    const server = this.cluster.servers.find((candidate) => candidate.index === index);
    if (server?.ws === undefined) {
      this.setStatus(`No address for ${serverTag(index)}`, 'down');
      return;
    }
    this.server = server;
    this.setStatus(`Connecting to ${serverTag(index)}…`, 'connecting');
    const socket = new WebSocket(server.ws);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.up.set(server.index, true);
      const connected = `Connected to ${serverTag(server.index)} (${server.udp}, ${this.cluster.mode} order)`;
      this.setStatus(connected, 'up');
      this.show(`— ${connected}`, 'status');
      this.setConnected(true);
      this.renderServers();
      if (this.wantedNick !== undefined) socket.send(`/nick ${this.wantedNick}`);
      if (this.wantedRoom !== undefined) socket.send(`/join ${this.wantedRoom}`);
    });
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') this.receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.room = null;
      this.setConnected(false);
      this.up.set(server.index, false);
      this.renderServers();
      const next = nextServer(
        this.cluster.servers,
        server.index,
        (i) => this.up.get(i) === true,
        this.attempt,
      );
      const delayMs = reconnectDelayMs(this.attempt);
      this.attempt += 1;
      const why = event.reason === '' ? `code ${event.code}` : `${event.code} ${event.reason}`;
      const lost = `Lost ${serverTag(server.index)} (${why}); reconnecting to ${serverTag(next)} in ${(delayMs / 1000).toFixed(1)} s…`;
      this.setStatus(lost, 'down');
      // Once per lost connection, not once per failed attempt.
      if (this.attempt === 1) this.show(`— ${lost}`, 'status');
      setTimeout(() => this.connect(next), delayMs);
    });
  }

  private receive(line: string): void {
    const room = roomAfterReply(line);
    if (room !== undefined) {
      this.room = room;
      // Typed commands count too: a reconnection restores what the server last confirmed.
      this.wantedRoom = room ?? undefined;
      ui.part.disabled = room === null;
      if (room !== null) ui.room.value = String(room);
      document.title = room === null ? 'Chat' : `Chat #${room}`;
    }
    const nick = nicknameAfterReply(line);
    if (nick !== undefined) {
      this.wantedNick = nick;
      ui.nick.value = nick;
    }
    this.show(line, lineKind(line));
  }

  /** Appends one line, as text: nothing the server sends can become markup. */
  private show(line: string, kind: string): void {
    const item = document.createElement('li');
    item.className = `line ${kind}`;
    const post = kind === 'post' ? splitPost(line) : undefined;
    if (post === undefined) {
      item.textContent = escapeControlCharacters(line);
    } else {
      const nick = document.createElement('span');
      nick.className = 'nick';
      nick.textContent = `<${escapeControlCharacters(post.nick)}>`;
      item.append(nick, ` ${escapeControlCharacters(post.text)}`);
    }
    const atBottom = ui.lines.scrollHeight - ui.lines.scrollTop - ui.lines.clientHeight < 40;
    ui.lines.append(item);
    while (ui.lines.childElementCount > LINES_MAX) ui.lines.firstElementChild?.remove();
    if (atBottom) ui.lines.scrollTop = ui.lines.scrollHeight;
  }

  private setStatus(text: string, state: string): void {
    ui.connection.textContent = text;
    ui.connection.dataset.state = state;
  }

  private setConnected(connected: boolean): void {
    ui.message.disabled = !connected;
    ui.send.disabled = !connected;
    ui.part.disabled = !connected || this.room === null;
  }

  private async pollHealth(): Promise<void> {
    await Promise.all(
      this.cluster.servers.map(async (server) => {
        if (server.http === undefined) return;
        const health = await fetchJson<Health>(`${server.http}/healthz`);
        this.up.set(server.index, health !== undefined);
      }),
    );
    this.renderServers();
  }

  private renderServers(): void {
    const items = this.cluster.servers.map((server) => {
      const item = document.createElement('li');
      const state = this.up.get(server.index);
      item.dataset.server = String(server.index);
      item.dataset.state = state === undefined ? 'unknown' : state ? 'up' : 'down';
      const here =
        server.index === this.server?.index && this.socket?.readyState === WebSocket.OPEN;
      if (here) item.setAttribute('aria-current', 'true');
      const label = state === undefined ? 'unknown' : state ? 'up' : 'down';
      item.textContent = `${serverTag(server.index)} ${label}${here ? ' (you)' : ''}`;
      item.title = server.http ?? server.udp;
      return item;
    });
    ui.servers.replaceChildren(...items);
  }
}

loadCluster().then(
  (cluster) => new ChatPage(cluster).start(),
  (error: unknown) => {
    ui.connection.textContent = `Cannot load the cluster: ${error instanceof Error ? error.message : String(error)}`;
    ui.connection.dataset.state = 'down';
  },
);
