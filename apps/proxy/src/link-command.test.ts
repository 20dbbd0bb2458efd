import { describe, expect, it } from 'vitest';
import { LinkCuts } from './link-cuts.js';
import {
  LINK_COMMAND_CHARS_MAX,
  applyLinkCommand,
  describeLinkCuts,
  parseLinkCommand,
} from './link-command.js';

/** Runs commands on fresh cuts for five servers; returns the description after the last. */
function after(...commands: string[]): string {
  const cuts = new LinkCuts();
  for (const text of commands) {
    const parsed = parseLinkCommand(text, 5);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
    applyLinkCommand(cuts, parsed.command);
  }
  return describeLinkCuts(cuts);
}

const errorOf = (text: string): string | undefined => {
  const parsed = parseLinkCommand(text, 5);
  return parsed.ok ? undefined : parsed.message;
};

describe('link commands', () => {
  it('cuts a partition both ways between groups, and no link inside a group', () => {
    expect(after('cut 1,2|3,4,5')).toBe('1->3,4,5 2->3,4,5 3->1,2 4->1,2 5->1,2');
  });

  it('cuts between every pair of groups of three, leaving unnamed servers alone', () => {
    expect(after('cut 1|2|3')).toBe('1->2,3 2->1,3 3->1,2');
  });

  it('cuts one way with ->, for one server or lists', () => {
    expect(after('cut 1->3')).toBe('1->3');
    expect(after('cut 1,2->3,4')).toBe('1->3,4 2->3,4');
  });

  it('takes spaces, tabs and the trailing newline of echo', () => {
    expect(after('  cut 1 , 2 | 3 \n')).toBe('1->3 2->3 3->1,2');
    expect(after('cut\t4 -> 5\n')).toBe('4->5');
  });

  it('adds cuts up; heal heals all, heal LINKS only those', () => {
    expect(after('cut 1->3', 'cut 2->3')).toBe('1->3 2->3');
    expect(after('cut 1,2|3,4,5', 'heal')).toBe('none');
    expect(after('cut 1,2|3,4,5', 'heal 1,2|3')).toBe('1->4,5 2->4,5 4->1,2 5->1,2');
    expect(after('cut 1|2', 'heal 2->1')).toBe('1->2');
  });

  it('shows the cuts with links and changes nothing', () => {
    expect(parseLinkCommand('links', 5)).toEqual({ ok: true, command: { kind: 'show' } });
    expect(after('cut 1->2', 'links')).toBe('1->2');
  });

  it.each([
    ['', "unknown command ''"],
    ['partition 1|2', "unknown command 'partition'"],
    ['cut', "'cut' needs links"],
    ['cut 1,2', 'a partition needs two groups or more'],
    ['cut 1|6', 'no server 6: the config has servers 1-5'],
    ['cut 0->1', 'no server 0'],
    ['cut 1,2|2,3', 'server 2 is named twice'],
    ['cut 1,1|3', 'server 1 is named twice'],
    ['cut 1->1', "server 1 is on both sides of '->'"],
    ['cut 1->2->3', "one '->' at most"],
    ['cut 1,|2', 'a server number is missing'],
    ['cut a|2', "'a' is not a server number"],
    ['cut 1.5|2', "'1.5' is not a server number"],
    ['links 1', "'links' takes nothing after it"],
    ['heal 1', 'a partition needs two groups or more'],
    ['cut 1|' + '2'.repeat(LINK_COMMAND_CHARS_MAX), 'command longer than'],
  ])('rejects %j: %s', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('says what the commands are when one is unknown', () => {
    expect(errorOf('help')).toBe(
      "unknown command 'help'; commands: cut A,B|C,D (partition), cut A->B (one way), heal [LINKS], links",
    );
  });
});
