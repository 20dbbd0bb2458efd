/** Where the client shows what it receives (`line`) and what went wrong locally (`warning`). */
export interface LinePrinter {
  line(text: string): void;
  warning(text: string): void;
}

/** Plain lines for pipes and files: scriptable, no prompt, no terminal escapes. */
export class PlainLinePrinter implements LinePrinter {
  constructor(
    private readonly output: NodeJS.WritableStream,
    private readonly errorOutput: NodeJS.WritableStream,
  ) {}

  line(text: string): void {
    this.output.write(`${text}\n`);
  }

  warning(text: string): void {
    this.errorOutput.write(`chatclient: ${text}\n`);
  }
}
