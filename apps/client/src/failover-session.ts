import { escapeControlCharacters, formatSocketAddress } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import { UDP_PAYLOAD_BYTES_MAX } from '@chat/transport';
import { isKeepaliveReply, KEEPALIVE_COMMAND, ServerReplies } from './server-replies.js';

export const QUIT_COMMAND = '/quit';

/**
 * Unanswered keepalives remembered per server: enough for a server frozen for a while; the bound
 * keeps a reply to a `/ping` the user types from being hidden for ever after.
 */
const KEEPALIVES_UNANSWERED_MAX = 16;

/** A client's nickname until it sets one: its address as the server sees it. */
const DEFAULT_NICKNAME = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;

export interface FailoverSettings {
  /** A silent server gets a keepalive this often (and a probed candidate this long to answer). */
  readonly keepaliveIntervalMs: number;
  /** A server that sends nothing for this long, keepalives included, is taken for dead. */
  readonly silenceMsMax: number;
  /** Lines typed while no server answers, kept to be sent once one does. */
  readonly queuedLinesMax: number;
  /** Lines sent but not yet known to have arrived, kept to be sent again after a failover. */
  readonly unconfirmedLinesMax: number;
}

export const FAILOVER_SETTINGS_DEFAULT: FailoverSettings = {
  keepaliveIntervalMs: 1_000,
  silenceMsMax: 3_000,
  queuedLinesMax: 1_000,
  unconfirmedLinesMax: 1_000,
};

export interface Transmission {
  readonly text: string;
  readonly to: SocketAddress;
}

export type LineOutcome = 'sent' | 'queued' | 'quit' | 'too-long' | 'queue-full';

interface UnconfirmedLine {
  readonly text: string;
  /** Keepalives sent before this line: the next one answered proves the server had the line. */
  readonly keepalivesBefore: number;
  /**
   * Sent to this server before, when it stopped answering: a late reply may answer that first
   * copy, so only a keepalive confirms this one.
   */
  readonly sentBefore: boolean;
}

type Phase =
  | { readonly kind: 'connected' }
  | {
      readonly kind: 'searching';
      /** The server that stopped answering. */
      readonly lost: number;
      /** Whether the lost server had ever answered (else it "does not answer"). */
      readonly lostHadAnswered: boolean;
      candidate: number;
      probeSentAt: number;
      probes: number;
      announcedNoServer: boolean;
    };

/**
 * The client's link to its servers, without I/O (inputs carry the time; outputs are pulled):
 * `lineTyped`, `datagramArrived` and `tick` go in; `pollTransmit`, `pollShown` and `nextDeadline`
 * come out.
 *
 * The server is sent a keepalive (`/ping`, which every server following the SPEC answers with
 * `-ERR Unknown command /ping`) whenever it has been silent for a second, and whenever lines were
 * sent since its last answered keepalive: any datagram proves it alive, and an answered keepalive
 * proves it received every line sent before it (one socket to one socket keeps order in practice),
 * as do the echo of a post and the `+OK` to `/nick` or `/join`. Replies to keepalives are not
 * shown. A server silent for `silenceMsMax` is lost: the client probes the others round robin, a
 * second each, until one answers; there it sets the nickname and room the lost server had
 * confirmed, sends the lines the lost server may not have received and the lines typed meanwhile,
 * and says so in one line. With one server it keeps probing that one.
 */
export class FailoverSession {
  readonly #servers: readonly SocketAddress[];
  readonly #settings: FailoverSettings;
  readonly #transmissions: Transmission[] = [];
  /** Lines for the user: servers' datagrams (escaped) and the client's notices (`*** ...`). */
  readonly #shown: string[] = [];
  readonly #replies = new ServerReplies();
  #current = 0;
  #phase: Phase = { kind: 'connected' };
  #lastHeardAt: number;
  #everHeard = false;
  #lastKeepaliveSentAt = Number.NEGATIVE_INFINITY;
  #keepalivesSent = 0;
  #keepalivesAnswered = 0;
  /**
   * Keepalives each server has not answered, kept while the client is elsewhere: a server that was
   * only frozen answers them all when it wakes, and those replies must stay hidden too.
   */
  readonly #keepalivesUnanswered: number[];
  #unconfirmed: UnconfirmedLine[] = [];
  #queued: string[] = [];
  /** How many of the first `#queued` lines were sent to the lost server already. */
  #queuedSentBefore = 0;
  #quitSent = false;
  #foreignDatagrams = 0;

  constructor(
    servers: readonly SocketAddress[],
    now: number,
    settings: FailoverSettings = FAILOVER_SETTINGS_DEFAULT,
  ) {
    if (servers.length === 0) throw new RangeError('a client needs at least one server');
    this.#servers = servers;
    this.#settings = settings;
    this.#lastHeardAt = now;
    this.#keepalivesUnanswered = servers.map(() => 0);
  }

  /** The server the client talks to now (or last talked to, while it searches). */
  get server(): SocketAddress {
    return this.#servers[this.#current]!;
  }

  /** Datagrams ignored because they did not come from the server the client talks to. */
  get foreignDatagrams(): number {
    return this.#foreignDatagrams;
  }

  /** Sends (or, while no server answers, queues) one typed line, without its CR/LF. */
  lineTyped(line: string): LineOutcome {
    if (new TextEncoder().encode(line).length > UDP_PAYLOAD_BYTES_MAX) return 'too-long';
    if (line === QUIT_COMMAND) {
      this.quit();
      return 'quit';
    }
    if (this.#phase.kind === 'searching') {
      if (this.#queued.length >= this.#settings.queuedLinesMax) return 'queue-full';
      this.#queued.push(line);
      return 'queued';
    }
    this.#sendLine(line);
    return 'sent';
  }

  /** Tells the server this client is leaving, once. */
  quit(): void {
    if (this.#quitSent) return;
    this.#quitSent = true;
    this.#send(QUIT_COMMAND, this.server);
  }

  datagramArrived(now: number, from: SocketAddress, text: string): void {
    const phase = this.#phase;
    if (phase.kind === 'searching' && sameAddress(from, this.#servers[phase.candidate]!)) {
      this.#connect(now, phase);
    }
    if (this.#phase.kind !== 'connected' || !sameAddress(from, this.server)) {
      this.#foreignDatagrams++;
      return;
    }
    this.#lastHeardAt = now;
    this.#everHeard = true;
    // Each datagram is one line; a sender's own line ending would only print as `\n`.
    const line = text.replace(/\r?\n$/, '');
    if (isKeepaliveReply(line) && this.#keepalivesAnswered < this.#keepalivesSent) {
      this.#keepaliveAnswered();
      return;
    }
    if (this.#replies.absorb(line) === 'hidden') return;
    this.#confirmReceived(line);
    this.#shown.push(escapeControlCharacters(line));
  }

  /** Time passed: send a due keepalive, give up on a silent server, probe the next one. */
  tick(now: number): void {
    if (this.#quitSent) return;
    const phase = this.#phase;
    if (phase.kind === 'connected') {
      if (now - this.#lastHeardAt >= this.#settings.silenceMsMax) this.#lose(now);
      else if (now >= this.#nextKeepaliveAt()) this.#sendKeepalive(now);
    }
    if (this.#phase.kind === 'searching') this.#probe(now, this.#phase);
  }

  /** When `tick` has something to do next; undefined once the client has quit. */
  nextDeadline(): number | undefined {
    if (this.#quitSent) return undefined;
    const phase = this.#phase;
    if (phase.kind === 'searching') return phase.probeSentAt + this.#settings.keepaliveIntervalMs;
    return Math.min(this.#nextKeepaliveAt(), this.#lastHeardAt + this.#settings.silenceMsMax);
  }

  pollTransmit(): Transmission | undefined {
    return this.#transmissions.shift();
  }

  pollShown(): string | undefined {
    return this.#shown.shift();
  }

  #nextKeepaliveAt(): number {
    const interval = this.#settings.keepaliveIntervalMs;
    const needed = this.#unconfirmed.length > 0 ? Number.NEGATIVE_INFINITY : this.#lastHeardAt;
    return Math.max(this.#lastKeepaliveSentAt, needed) + interval;
  }

  #sendKeepalive(now: number): void {
    this.#lastKeepaliveSentAt = now;
    this.#keepalivesSent++;
    this.#send(KEEPALIVE_COMMAND, this.server);
  }

  #keepaliveAnswered(): void {
    this.#keepalivesAnswered++;
    const answered = this.#keepalivesAnswered;
    this.#unconfirmed = this.#unconfirmed.filter((line) => line.keepalivesBefore >= answered);
  }

  /**
   * Some replies prove the server has a line without waiting for a keepalive, so the line is not
   * sent again after a failover: the echo of a post of ours (the server relays a post back to its
   * sender too), and the reply to `/nick` or `/join` (the failover restores what it confirms).
   */
  #confirmReceived(line: string): void {
    const typed = this.#lineAnsweredBy(line);
    if (typed === undefined) return;
    const at = this.#unconfirmed.findIndex(
      (unconfirmed) => unconfirmed.text === typed && !unconfirmed.sentBefore,
    );
    if (at >= 0) this.#unconfirmed.splice(at, 1);
  }

  #lineAnsweredBy(line: string): string | undefined {
    const nickname = /^\+OK Nickname set to '(.*)'$/s.exec(line);
    if (nickname !== null) return `/nick ${nickname[1]}`;
    const joined = /^\+OK You are now in chat room #(\d+)$/.exec(line);
    if (joined !== null) return `/join ${joined[1]}`;
    const post = /^<([^>]*)> (.*)$/s.exec(line);
    if (post === null) return undefined;
    const [, nick, text] = post;
    const ourNickname = this.#replies.nickname;
    const ours = ourNickname === undefined ? DEFAULT_NICKNAME.test(nick!) : nick === ourNickname;
    return ours ? text : undefined;
  }

  #sendLine(text: string, sentBefore = false): void {
    this.#send(text, this.server);
    // Past the bound the oldest lines are only no longer sent again after a failover.
    if (this.#unconfirmed.length >= this.#settings.unconfirmedLinesMax) this.#unconfirmed.shift();
    this.#unconfirmed.push({ text, keepalivesBefore: this.#keepalivesSent, sentBefore });
  }

  #lose(now: number): void {
    const lost = this.#current;
    this.#keepalivesUnanswered[lost] = this.#keepalivesSent - this.#keepalivesAnswered;
    // What the lost server may never have received goes first, then what is typed meanwhile.
    this.#queued = this.#unconfirmed.map((line) => line.text);
    this.#queuedSentBefore = this.#queued.length;
    this.#unconfirmed = [];
    this.#phase = {
      kind: 'searching',
      lost,
      lostHadAnswered: this.#everHeard,
      candidate: lost,
      probeSentAt: now - this.#settings.keepaliveIntervalMs,
      probes: 0,
      announcedNoServer: false,
    };
    if (this.#servers.length === 1) {
      const server = formatSocketAddress(this.server);
      const what = this.#everHeard ? 'stopped answering' : 'does not answer';
      this.#notice(
        `Server ${server} ${what}; trying again every ${seconds(this.#settings.keepaliveIntervalMs)} (what you type is sent when it answers)`,
      );
    }
  }

  #probe(now: number, phase: Extract<Phase, { kind: 'searching' }>): void {
    if (now < phase.probeSentAt + this.#settings.keepaliveIntervalMs) return;
    const count = this.#servers.length;
    if (count > 1) {
      phase.candidate = (phase.candidate + 1) % count;
      if (phase.probes === count && !phase.announcedNoServer) {
        phase.announcedNoServer = true;
        this.#notice(
          `No server answers (tried ${this.#servers.map(formatSocketAddress).join(', ')}); still trying (what you type is sent when one answers)`,
        );
      }
    }
    phase.probes++;
    phase.probeSentAt = now;
    const unanswered = this.#keepalivesUnanswered[phase.candidate]!;
    this.#keepalivesUnanswered[phase.candidate] = Math.min(
      unanswered + 1,
      KEEPALIVES_UNANSWERED_MAX,
    );
    this.#send(KEEPALIVE_COMMAND, this.#servers[phase.candidate]!);
  }

  #connect(now: number, phase: Extract<Phase, { kind: 'searching' }>): void {
    const lostAddress = formatSocketAddress(this.#servers[phase.lost]!);
    const switched = phase.candidate !== phase.lost;
    // A server still running but no longer heard should forget this client rather than keep it.
    if (switched) this.#send(QUIT_COMMAND, this.#servers[phase.lost]!);
    this.#current = phase.candidate;
    this.#phase = { kind: 'connected' };
    this.#lastHeardAt = now;
    this.#everHeard = true;
    this.#lastKeepaliveSentAt = now;
    // Its probes (and keepalives from an earlier stay) count as sent to it: their replies stay hidden.
    this.#keepalivesSent = this.#keepalivesUnanswered[phase.candidate]!;
    this.#keepalivesUnanswered[phase.candidate] = 0;
    this.#keepalivesAnswered = 0;

    const { nickname, room } = this.#replies;
    for (const command of this.#replies.restore()) this.#send(command, this.server);
    const pending = this.#queued;
    this.#queued = [];
    // Back on the same server, the lines it may have missed may also have arrived.
    for (const [index, line] of pending.entries()) {
      this.#sendLine(line, !switched && index < this.#queuedSentBefore);
    }

    const state = `nickname ${nickname ?? '(default)'}, ${room === undefined ? 'no room' : `room #${room}`}`;
    const sent =
      pending.length === 0
        ? ''
        : `; sent ${pending.length} ${plural(pending.length, 'line')} it may have missed or typed meanwhile`;
    const here = formatSocketAddress(this.server);
    if (switched) {
      const what = phase.lostHadAnswered ? 'stopped answering' : 'does not answer';
      this.#notice(`Server ${lostAddress} ${what}; now on ${here} (${state})${sent}`);
    } else {
      this.#notice(`Server ${here} answers again (${state})${sent}`);
    }
  }

  #notice(text: string): void {
    this.#shown.push(`*** ${text}`);
  }

  #send(text: string, to: SocketAddress): void {
    this.#transmissions.push({ text, to });
  }
}

function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.port === b.port && a.host === b.host;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

function seconds(ms: number): string {
  return ms === 1_000 ? 'second' : `${ms / 1_000} s`;
}
