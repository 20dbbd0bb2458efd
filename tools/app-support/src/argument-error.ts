/**
 * The one line to print for a command line `node:util` parseArgs rejected: its first sentence,
 * without the hint about `--`, starting in lower case to follow `program: `.
 */
export function describeArgumentError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstSentence = (message.split('\n')[0] ?? message).replace(
    /\. To specify a positional.*$/,
    '',
  );
  return firstSentence.charAt(0).toLowerCase() + firstSentence.slice(1);
}
