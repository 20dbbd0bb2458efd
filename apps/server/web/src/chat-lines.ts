/**
 * What a line from the server is and what it says about the client's state. Replies are the
 * SPEC's exact texts (`+OK You are now in chat room #N`, ...); anything starting with `<` is a
 * delivered post (`<NICK> TEXT`: nicknames cannot contain `<` or `>`).
 */

export type LineKind = 'ok' | 'error' | 'post' | 'other';

export function lineKind(line: string): LineKind {
  if (line.startsWith('+OK')) return 'ok';
  if (line.startsWith('-ERR')) return 'error';
  if (line.startsWith('<')) return 'post';
  return 'other';
}

/**
 * The room the client is in after this reply: a number, `null` for no room, or undefined when the
 * reply says nothing about it.
 */
export function roomAfterReply(line: string): number | null | undefined {
  const joined = /^\+OK You are now in chat room #(\d+)$/.exec(line);
  if (joined !== null) return Number(joined[1]);
  const already = /^-ERR You are already in room #(\d+)$/.exec(line);
  if (already !== null) return Number(already[1]);
  if (/^\+OK You have left chat room #\d+$/.test(line)) return null;
  if (line === '-ERR You are not in any chat room') return null;
  return undefined;
}

/** The nickname a reply confirms, if it is `+OK Nickname set to 'NAME'`. */
export function nicknameAfterReply(line: string): string | undefined {
  const set = /^\+OK Nickname set to '(.*)'$/.exec(line);
  return set === null ? undefined : set[1];
}

/** `<NICK> TEXT` split for display; undefined for anything else. */
export function splitPost(line: string): { nick: string; text: string } | undefined {
  const end = line.indexOf('> ');
  if (!line.startsWith('<') || end < 0) return undefined;
  return { nick: line.slice(1, end), text: line.slice(end + 2) };
}
