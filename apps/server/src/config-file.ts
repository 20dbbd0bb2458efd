import { readFile, stat } from 'node:fs/promises';
import { parseClusterConfig, type ServerAddresses } from '@chat/protocol';
import { describeFileError } from './file-error.js';

/** A config file is a few lines per server; anything this large is not one. */
export const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

export type ConfigFileResult =
  | { readonly ok: true; readonly servers: readonly ServerAddresses[] }
  | { readonly ok: false; readonly message: string };

/** Reads and parses a cluster config file; every failure is one line naming the file (and line). */
export async function loadConfigFile(path: string): Promise<ConfigFileResult> {
  let text: string;
  try {
    if ((await stat(path)).size > CONFIG_FILE_BYTES_MAX) {
      return {
        ok: false,
        message: `config file '${path}' is larger than ${CONFIG_FILE_BYTES_MAX} bytes`,
      };
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read config file '${path}': ${describeFileError(error)}` };
  }
  const parsed = parseClusterConfig(text);
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
