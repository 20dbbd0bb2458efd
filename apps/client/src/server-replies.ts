/**
 * The keepalive: a command no server of the SPEC knows, so each answers it with exactly one
 * `-ERR Unknown command /ping` (a course server just as ours), which is all the client needs.
 */
export const KEEPALIVE_COMMAND = '/ping';

/**
 * A reply to the keepalive: the SPEC's `-ERR Unknown command /ping`, or an `-ERR` naming `/ping`
 * some other way, or a bare `-ERR Unknown command` from a server that does not echo the command.
 */
export function isKeepaliveReply(line: string): boolean {
  return line === '-ERR Unknown command' || /^-ERR\b.*\/ping\b/.test(line);
}

/**
 * What the server has confirmed about this client (its nickname and room, from the server's own
 * `+OK` replies, so a command the server refused or never received changes nothing), and which
 * replies to the commands that restore them on another server the user should not see again.
 */
export class ServerReplies {
  #nickname: string | undefined;
  #room: number | undefined;
  #expected: ((line: string) => boolean)[] = [];

  get nickname(): string | undefined {
    return this.#nickname;
  }

  get room(): number | undefined {
    return this.#room;
  }

  /** Notes what a reply confirms; `hidden` when it answers a command `restore` sent. */
  absorb(line: string): 'shown' | 'hidden' {
    const nickname = /^\+OK Nickname set to '(.*)'$/.exec(line);
    if (nickname !== null) this.#nickname = nickname[1];
    const joined = /^(?:\+OK You are now in chat room|-ERR You are already in room) #(\d+)$/.exec(
      line,
    );
    if (joined !== null) this.#room = Number(joined[1]);
    if (/^\+OK You have left chat room #\d+$/.test(line)) this.#room = undefined;

    const at = this.#expected.findIndex((expected) => expected(line));
    if (at < 0) return 'shown';
    this.#expected.splice(at, 1);
    return 'hidden';
  }

  /**
   * The commands that give a fresh server this client's confirmed nickname and room. Their success
   * replies are hidden (the failover notice says it instead); a refusal is shown.
   */
  restore(): string[] {
    const commands: string[] = [];
    this.#expected = [];
    const nickname = this.#nickname;
    if (nickname !== undefined) {
      commands.push(`/nick ${nickname}`);
      this.#expected.push((line) => line === `+OK Nickname set to '${nickname}'`);
    }
    const room = this.#room;
    if (room !== undefined) {
      commands.push(`/join ${room}`);
      this.#expected.push(
        (line) =>
          line === `+OK You are now in chat room #${room}` ||
          line === `-ERR You are already in room #${room}`,
      );
    }
    return commands;
  }
}
