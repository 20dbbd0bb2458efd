import { readLocalFile } from '@chat/app-support';
import { parseClusterConfig, type ServerAddresses } from '@chat/protocol';

/** A config file is a few lines per server; anything this large is not one. */
export const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

export type ConfigFileResult =
  | { readonly ok: true; readonly servers: readonly ServerAddresses[] }
  | { readonly ok: false; readonly message: string };

/** Reads and parses a cluster config file; every failure is one line naming the file (and line). */
export async function loadConfigFile(path: string): Promise<ConfigFileResult> {
  const file = await readLocalFile(path, 'config file', CONFIG_FILE_BYTES_MAX);
  if (!file.ok) return file;
  const parsed = parseClusterConfig(file.content.toString('utf8'));
  if (!parsed.ok) return { ok: false, message: `${path} line ${parsed.line}: ${parsed.message}` };
  return { ok: true, servers: parsed.servers };
}

/** Server `index` (1-based) of `servers`, or why it cannot be. */
export function checkServerIndex(
  index: number,
  servers: readonly ServerAddresses[],
  path: string,
): string | undefined {
  if (index >= 1 && index <= servers.length) return undefined;
  return `<index> ${index} is out of range: ${path} lists servers 1..${servers.length}`;
}
