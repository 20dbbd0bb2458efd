import { spawn } from 'node:child_process';

/** What a finished command printed. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** How a command runs: where, with which environment, for how long at most. */
export interface CommandOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

/**
 * Runs `command` (looked up on PATH) to completion. Rejects, with everything it printed, when it
 * exits with a non-zero status, is killed at `timeoutMs`, or cannot start.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (status === 0) resolve({ stdout, stderr });
      else {
        const how = status === null ? `was killed (${signal})` : `exited with ${status}`;
        reject(new Error(`${command} ${args.join(' ')} ${how}\n${stdout}\n${stderr}`));
      }
    });
  });
}
