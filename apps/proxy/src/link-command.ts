import type { Link, LinkCuts } from './link-cuts.js';

/**
 * The proxy's control commands, one per datagram on its control socket. Servers are numbered from
 * 1, as in the config file and the servers' logs:
 *
 * - `cut 1,2|3,4,5`: a partition: every link between a server of one group and a server of another
 *   is cut, both ways (any number of groups; servers named in no group keep their links);
 * - `cut 1->3` (or `cut 1,2->3,4`): one way: 3 no longer hears 1, 1 still hears 3;
 * - `heal` heals every link; `heal LINKS` (either form) heals those alone;
 * - `links` changes nothing.
 *
 * Cuts add up. Every reply ends with the links cut now.
 */
export type LinkCommand =
  | { readonly kind: 'cut'; readonly links: readonly Link[] }
  | { readonly kind: 'heal'; readonly links: readonly Link[] | 'all' }
  | { readonly kind: 'show' };

export type LinkCommandResult =
  | { readonly ok: true; readonly command: LinkCommand }
  | { readonly ok: false; readonly message: string };

/** Longer than any useful command for a cluster of a few hundred servers. */
export const LINK_COMMAND_CHARS_MAX = 4_096;

export const LINK_COMMAND_USAGE =
  'commands: cut A,B|C,D (partition), cut A->B (one way), heal [LINKS], links';

/** Parses one command for a cluster of `serverCount` servers. */
export function parseLinkCommand(text: string, serverCount: number): LinkCommandResult {
  if (text.length > LINK_COMMAND_CHARS_MAX) {
    return { ok: false, message: `command longer than ${LINK_COMMAND_CHARS_MAX} characters` };
  }
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const verb = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? '' : trimmed.slice(space).replace(/\s+/g, '');
  switch (verb) {
    case 'links':
      return rest === ''
        ? { ok: true, command: { kind: 'show' } }
        : { ok: false, message: `'links' takes nothing after it` };
    case 'heal':
    case 'cut': {
      if (rest === '') {
        return verb === 'heal'
          ? { ok: true, command: { kind: 'heal', links: 'all' } }
          : { ok: false, message: `'cut' needs links, e.g. cut 1,2|3 or cut 1->3` };
      }
      const links = parseLinks(rest, serverCount);
      return typeof links === 'string'
        ? { ok: false, message: links }
        : { ok: true, command: { kind: verb, links } };
    }
    default:
      return { ok: false, message: `unknown command '${verb}'; ${LINK_COMMAND_USAGE}` };
  }
}

/** Applies a parsed command to the links cut. */
export function applyLinkCommand(cuts: LinkCuts, command: LinkCommand): void {
  switch (command.kind) {
    case 'cut':
      cuts.cut(command.links);
      return;
    case 'heal':
      if (command.links === 'all') cuts.healAll();
      else cuts.heal(command.links);
      return;
    case 'show':
      return;
  }
}

/** `1->3,4,5 2->3,4,5 3->1,2`: the cut links by sender, 1-based; or `none`. */
export function describeLinkCuts(cuts: LinkCuts): string {
  const bySender = new Map<number, number[]>();
  for (const { from, to } of cuts.list()) {
    const receivers = bySender.get(from);
    if (receivers === undefined) bySender.set(from, [to + 1]);
    else receivers.push(to + 1);
  }
  if (bySender.size === 0) return 'none';
  return [...bySender].map(([from, to]) => `${from + 1}->${to.join(',')}`).join(' ');
}

/** `A|B|...` or `A->B`, with whitespace removed; an error message for anything else. */
function parseLinks(text: string, serverCount: number): Link[] | string {
  const arrow = text.split('->');
  if (arrow.length === 2) {
    const [senders, receivers] = arrow.map((side) => parseServers(side, serverCount));
    if (typeof senders === 'string') return senders;
    if (typeof receivers === 'string') return receivers;
    const both = senders?.find((server) => receivers?.includes(server));
    if (both !== undefined) return `server ${both + 1} is on both sides of '->'`;
    return (senders ?? []).flatMap((from) => (receivers ?? []).map((to) => ({ from, to })));
  }
  if (arrow.length > 2) return `one '->' at most, in '${text}'`;
  const groups = text.split('|').map((group) => parseServers(group, serverCount));
  const error = groups.find((group) => typeof group === 'string');
  if (error !== undefined) return error;
  const members = groups as number[][];
  if (members.length < 2) return `a partition needs two groups or more, e.g. 1,2|3`;
  const seen = new Set<number>();
  for (const server of members.flat()) {
    if (seen.has(server)) return `server ${server + 1} is named twice`;
    seen.add(server);
  }
  const links: Link[] = [];
  for (const [g, group] of members.entries()) {
    for (const [h, other] of members.entries()) {
      if (g === h) continue;
      for (const from of group) for (const to of other) links.push({ from, to });
    }
  }
  return links;
}

/** `1,2,3` (1-based) as 0-based indexes, or an error message. */
function parseServers(text: string, serverCount: number): number[] | string {
  const servers: number[] = [];
  for (const item of text.split(',')) {
    if (!/^\d{1,5}$/.test(item)) {
      return item === ''
        ? `a server number is missing in '${text}'`
        : `'${item}' is not a server number`;
    }
    const server = Number(item);
    if (server < 1 || server > serverCount) {
      return `no server ${item}: the config has servers 1-${serverCount}`;
    }
    if (servers.includes(server - 1)) return `server ${item} is named twice`;
    servers.push(server - 1);
  }
  return servers;
}
