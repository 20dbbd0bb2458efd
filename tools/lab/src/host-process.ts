import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Output kept per process, for failure messages and for waiting on log lines. */
const OUTPUT_CHARS_MAX = 256 * 1024;
const OUTPUT_POLL_MS = 50;
const EXIT_WAIT_MS_MAX = 5_000;

/**
 * A program run inside a lab host (`ip netns exec NS node SCRIPT ...`; `ip` execs the program, so
 * this child is the program itself). Its output is kept (bounded) and can be passed on line by line.
 */
export class HostProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #output = '';
  #outputTotal = 0;

  constructor(
    readonly name: string,
    command: readonly string[],
    onLine?: (line: string) => void,
  ) {
    this.child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => {
        this.#outputTotal += text.length;
        this.#output = (this.#output + text).slice(-OUTPUT_CHARS_MAX);
      });
      if (onLine !== undefined)
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
    }
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get output(): string {
    return this.#output;
  }

  /** Characters captured so far: pass to `waitForOutput` to match only what comes after. */
  get outputLength(): number {
    return this.#outputTotal;
  }

  /** Waits until the output (from `fromOffset` on) matches; returns the match. */
  async waitForOutput(pattern: RegExp, timeoutMs: number, fromOffset = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dropped = this.#outputTotal - this.#output.length;
      const match = pattern.exec(this.#output.slice(Math.max(0, fromOffset - dropped)));
      if (match !== null) return match[0];
      if (!this.running || Date.now() > deadline) {
        throw new Error(
          `no ${pattern} in the output of ${this.name}:\n${this.#output.slice(-4000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, OUTPUT_POLL_MS));
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after a while. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_WAIT_MS_MAX);
    await this.exited;
    clearTimeout(timer);
  }
}
