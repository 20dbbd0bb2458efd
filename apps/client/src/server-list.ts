import { readLocalFile } from '@chat/app-support';
import { formatSocketAddress, parseClusterConfig, SERVER_COUNT_MAX } from '@chat/protocol';
import type { SocketAddress } from '@chat/protocol';
import type { ServerSource } from './client-arguments.js';

/** A config file is a few lines per server; anything this large is not one. */
const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

export type ServerListResult =
  | { readonly ok: true; readonly servers: readonly SocketAddress[] }
  | { readonly ok: false; readonly message: string };

/**
 * The servers to talk to, in order: addresses as given, and for a config file the bind address of
 * each line (where that server's clients send). An address given twice counts once.
 */
export async function resolveServerList(
  sources: readonly ServerSource[],
): Promise<ServerListResult> {
  const servers = new Map<string, SocketAddress>();
  for (const source of sources) {
    let addresses: readonly SocketAddress[];
    if (source.kind === 'address') {
      addresses = [source.address];
    } else {
      const file = await readLocalFile(source.path, 'config file', CONFIG_FILE_BYTES_MAX);
      if (!file.ok) return file;
      const parsed = parseClusterConfig(file.content.toString('utf8'));
      if (!parsed.ok) {
        return { ok: false, message: `${source.path} line ${parsed.line}: ${parsed.message}` };
      }
      addresses = parsed.servers.map((server) => server.bind);
    }
    for (const address of addresses) servers.set(formatSocketAddress(address), address);
  }
  if (servers.size > SERVER_COUNT_MAX) {
    return { ok: false, message: `more than ${SERVER_COUNT_MAX} servers` };
  }
  return { ok: true, servers: [...servers.values()] };
}
