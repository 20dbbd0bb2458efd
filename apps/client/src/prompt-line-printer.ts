import { clearScreenDown, cursorTo, moveCursor } from 'node:readline';
import type { Interface } from 'node:readline';
import type { LinePrinter } from './line-printer.js';

/**
 * Prints above a readline prompt on a terminal, so incoming lines never garble the line being typed:
 * erase the prompt and partial input, print, then redraw them with the cursor where it was.
 */
export class PromptLinePrinter implements LinePrinter {
  constructor(
    private readonly prompt: Interface,
    private readonly output: NodeJS.WritableStream,
    private readonly errorOutput: NodeJS.WritableStream,
  ) {}

  line(text: string): void {
    this.#printAbovePrompt(this.output, text);
  }

  warning(text: string): void {
    this.#printAbovePrompt(this.errorOutput, `chatclient: ${text}`);
  }

  #printAbovePrompt(stream: NodeJS.WritableStream, text: string): void {
    // The input may wrap over several rows; `rows` is how far below the prompt's row the cursor is.
    const { rows } = this.prompt.getCursorPos();
    moveCursor(this.output, 0, -rows);
    cursorTo(this.output, 0);
    clearScreenDown(this.output);
    stream.write(`${text}\n`);
    // prompt(true) first climbs `prevRows` rows (readline's undocumented note of where it last left
    // the cursor, stale after plain typing), then clears and redraws from there: blank rows for it to
    // climb over keep it from overwriting the line just printed.
    const { prevRows } = this.prompt as unknown as { readonly prevRows?: unknown };
    if (typeof prevRows === 'number' && prevRows > 0) this.output.write('\n'.repeat(prevRows));
    this.prompt.prompt(true);
  }
}
