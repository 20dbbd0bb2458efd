import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VirtualTerminal } from '../test/virtual-terminal.js';
import { PromptLinePrinter } from './prompt-line-printer.js';

/** A readline prompt on a virtual terminal `columns` wide, with `typed` already typed. */
async function promptWith(columns: number, typed: string) {
  const input = new PassThrough();
  const terminal = new VirtualTerminal(columns);
  const prompt = createInterface({ input, output: terminal, terminal: true, prompt: '> ' });
  const type = async (keys: string): Promise<void> => {
    input.write(keys);
    // readline reads the typed keys on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  };
  prompt.prompt();
  await type(typed);
  const printer = new PromptLinePrinter(prompt, terminal, terminal);
  return {
    terminal,
    printer,
    prompt,
    type,
    [Symbol.dispose]: () => prompt.close(),
  };
}

describe('PromptLinePrinter', () => {
  it('prints above the prompt and redraws the partial input after it', async () => {
    using session = await promptWith(40, 'hel');

    session.printer.line('<bob> hi there');
    session.printer.line('<eve> hello');

    expect(session.terminal.screen).toEqual(['<bob> hi there', '<eve> hello', '> hel']);
    expect(session.terminal.cursorRow).toBe(2);
    expect(session.terminal.cursorColumn).toBe(5);
    expect(session.prompt.line).toBe('hel');
  });

  it('keeps the cursor where it was inside the partial input', async () => {
    using session = await promptWith(40, 'helo\x1b[D\x1b[D');

    session.printer.line('<bob> hi');

    expect(session.terminal.screen).toEqual(['<bob> hi', '> helo']);
    expect(session.terminal.cursorColumn).toBe(4);
  });

  it('erases and redraws input that wraps over several rows', async () => {
    using session = await promptWith(10, 'abcdefghijklmnopqrst');

    session.printer.line('first');
    session.printer.line('second');

    expect(session.terminal.screen).toEqual(['first', 'second', '> abcdefgh', 'ijklmnopqr', 'st']);
    expect(session.terminal.cursorRow).toBe(4);
    expect(session.terminal.cursorColumn).toBe(2);
  });

  it('redraws wrapped input with the cursor on an inner row', async () => {
    using session = await promptWith(10, 'abcdefghijklmnopqrst');
    // Printing once first: readline itself garbles wrapped input when the cursor crosses rows
    // before anything has redrawn it (a Node bug this printer does not cause).
    session.printer.line('first');
    await session.type('\x1b[D'.repeat(5));

    session.printer.line('second');

    expect(session.terminal.screen).toEqual(['first', 'second', '> abcdefgh', 'ijklmnopqr', 'st']);
    expect(session.terminal.cursorRow).toBe(3);
    expect(session.terminal.cursorColumn).toBe(7);
  });

  it('prints warnings the same way, marked as the client’s own', async () => {
    using session = await promptWith(40, 'x');

    session.printer.warning('line too long');

    expect(session.terminal.screen).toEqual(['chatclient: line too long', '> x']);
  });
});
