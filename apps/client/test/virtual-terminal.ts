import { Writable } from 'node:stream';

/**
 * Just enough of a VT100 to check what a user would see: printable characters with deferred
 * autowrap, CR, LF (as CR LF, the tty's ONLCR), and the CSI sequences node:readline emits (cursor
 * up/down/forward/back, column, erase below, erase line).
 */
export class VirtualTerminal extends Writable {
  readonly rows: string[][] = [[]];
  cursorRow = 0;
  cursorColumn = 0;
  #wrapPending = false;

  constructor(readonly columns: number) {
    super({ decodeStrings: false });
  }

  /** The screen as text, trailing blanks and empty trailing rows trimmed. */
  get screen(): string[] {
    const lines = this.rows.map((row) => row.join('').trimEnd());
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    const text = typeof chunk === 'string' ? chunk : String(chunk);
    for (let index = 0; index < text.length; index++) {
      const character = text.charAt(index);
      if (character === '\x1b' && text.charAt(index + 1) === '[') {
        const match = /^\[(\d*)([A-Za-z])/.exec(text.slice(index + 1));
        if (match === null)
          throw new Error(`unsupported escape at ${JSON.stringify(text.slice(index))}`);
        this.#control(match[2] ?? '', match[1] === '' ? undefined : Number(match[1]));
        index += match[0].length;
      } else if (character === '\n') {
        this.#moveTo(this.cursorRow + 1, 0);
      } else if (character === '\r') {
        this.#moveTo(this.cursorRow, 0);
      } else {
        this.#print(character);
      }
    }
    done();
  }

  #print(character: string): void {
    if (this.#wrapPending) this.#moveTo(this.cursorRow + 1, 0);
    this.#row(this.cursorRow)[this.cursorColumn] = character;
    if (this.cursorColumn === this.columns - 1) this.#wrapPending = true;
    else this.cursorColumn++;
  }

  #control(command: string, count: number | undefined): void {
    const steps = count ?? 1;
    switch (command) {
      case 'A':
        return this.#moveTo(Math.max(0, this.cursorRow - steps), this.cursorColumn);
      case 'B':
        return this.#moveTo(this.cursorRow + steps, this.cursorColumn);
      case 'C':
        return this.#moveTo(this.cursorRow, Math.min(this.columns - 1, this.cursorColumn + steps));
      case 'D':
        return this.#moveTo(this.cursorRow, Math.max(0, this.cursorColumn - steps));
      case 'G':
        return this.#moveTo(this.cursorRow, Math.min(this.columns - 1, steps - 1));
      case 'J':
        this.#row(this.cursorRow).length = this.cursorColumn;
        this.rows.length = this.cursorRow + 1;
        return;
      case 'K':
        this.rows[this.cursorRow] = [];
        return;
      default:
        throw new Error(`unsupported control sequence CSI ${count ?? ''}${command}`);
    }
  }

  #moveTo(row: number, column: number): void {
    this.cursorRow = row;
    this.cursorColumn = column;
    this.#wrapPending = false;
    this.#row(row);
  }

  #row(row: number): string[] {
    while (this.rows.length <= row) this.rows.push([]);
    return this.rows[row] as string[];
  }
}
