import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface ProgramExit {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/**
 * A built program run under Node with piped stdio. Its stdout is read line by line; disposing it
 * kills the program if it is still running, so a failing test leaves no process behind.
 */
export class SpawnedProgram implements AsyncDisposable {
  readonly exited: Promise<ProgramExit>;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #lines: string[] = [];
  readonly #waiting: ((line: string | undefined) => void)[] = [];
  #stdoutEnded = false;

  /**
   * Runs `node scriptPath ...args`, or with `via` (e.g. `['ip', 'netns', 'exec', 'lab-h1']`) that
   * command with node and its arguments after it.
   */
  constructor(scriptPath: string, args: readonly string[], via: readonly string[] = []) {
    if (!existsSync(scriptPath)) {
      throw new Error(`${scriptPath} is missing: build first (pnpm turbo run build)`);
    }
    const command = [...via, process.execPath, scriptPath, ...args];
    this.#child = spawn(command[0]!, command.slice(1), { stdio: 'pipe' });
    let stderr = '';
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const stdoutClosed = new Promise<void>((resolve) => this.#child.stdout.on('close', resolve));
    const stderrClosed = new Promise<void>((resolve) => this.#child.stderr.on('close', resolve));
    const processExited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      this.#child.on('exit', (status, signal) => resolve([status, signal])),
    );
    this.exited = Promise.all([processExited, stdoutClosed, stderrClosed]).then(
      ([[status, signal]]) => ({ status, signal, stderr }),
    );
    const lines = createInterface({ input: this.#child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => this.#deliver(line));
    lines.on('close', () => {
      this.#stdoutEnded = true;
      for (const waiter of this.#waiting.splice(0)) waiter(undefined);
    });
  }

  /** Whether the program has not exited yet. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get stdin(): Writable {
    return this.#child.stdin;
  }

  /** The next line of stdout, or undefined once stdout has ended. */
  nextLine(): Promise<string | undefined> {
    const line = this.#lines.shift();
    if (line !== undefined || this.#stdoutEnded) return Promise.resolve(line);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** All remaining lines of stdout, until it ends. */
  async remainingLines(): Promise<string[]> {
    const lines: string[] = [];
    for (let line = await this.nextLine(); line !== undefined; line = await this.nextLine()) {
      lines.push(line);
    }
    return lines;
  }

  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGKILL');
    }
    await this.exited;
  }

  #deliver(line: string): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#lines.push(line);
    else waiter(line);
  }
}
