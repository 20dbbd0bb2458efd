/**
 * Local misuse (bad command line, bad config, port in use) is reported as one line naming the problem
 * and a usage line on stderr, with exit status 2: never a stack trace.
 */
export const USAGE_EXIT_STATUS = 2;

export function reportUsageError(program: string, message: string, usage: string): void {
  process.stderr.write(`${program}: ${message}\n${usage}\n`);
  process.exitCode = USAGE_EXIT_STATUS;
}
