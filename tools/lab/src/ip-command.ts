import { execFile } from 'node:child_process';

/** Long enough for a loaded machine; `ip` itself answers in milliseconds. */
const IP_COMMAND_MS_MAX = 30_000;

/** Runs `ip ARGS...`; rejects with its stderr when it fails. */
export function ip(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: IP_COMMAND_MS_MAX }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`));
    });
  });
}

/** Whether this process may create network namespaces (it runs as root). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Why a process of user `uid` cannot run the lab, or undefined when it can (root). */
export function rootRequirement(uid: number | undefined): string | undefined {
  if (uid === 0) return undefined;
  return 'needs root: the lab creates network namespaces, links and a bridge (run it as root, e.g. sudo pnpm lab up 5)';
}

/** The network namespaces that exist now, by name. */
export async function listNamespaces(): Promise<string[]> {
  const listing = await ip('netns', 'list');
  return listing
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}
