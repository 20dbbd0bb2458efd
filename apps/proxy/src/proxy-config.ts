import { readLocalFile } from '@chat/app-support';
import { formatSocketAddress, parseClusterConfig } from '@chat/protocol';
import type { ServerAddresses } from '@chat/protocol';

/** A config file is a line per server; anything this large is not one. */
export const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

export type ProxyConfigResult =
  | { readonly ok: true; readonly servers: readonly ServerAddresses[] }
  | { readonly ok: false; readonly message: string };

/**
 * Parses a cluster config for the proxy, which owns every server's forward address: so every line
 * must be `forwardIP:port,bindIP:port`, with two different addresses.
 */
export function parseProxyConfig(text: string): ProxyConfigResult {
  const parsed = parseClusterConfig(text);
  if (!parsed.ok) return { ok: false, message: `line ${parsed.line}: ${parsed.message}` };
  const lines = serverLines(text);
  for (const [index, server] of parsed.servers.entries()) {
    const { number: line, text: lineText } = lines[index] ?? { number: 0, text: '' };
    if (!lineText.includes(',')) {
      return { ok: false, message: `line ${line}: the proxy needs forwardIP:port,bindIP:port` };
    }
    if (formatSocketAddress(server.forward) === formatSocketAddress(server.bind)) {
      return {
        ok: false,
        message: `line ${line}: the proxy needs a forward address different from the bind address`,
      };
    }
  }
  return { ok: true, servers: parsed.servers };
}

/** Reads and parses a config file; every failure is one line naming the file (and line). */
export async function loadProxyConfig(path: string): Promise<ProxyConfigResult> {
  const file = await readLocalFile(path, 'config file', CONFIG_FILE_BYTES_MAX);
  if (!file.ok) return file;
  const parsed = parseProxyConfig(file.content.toString('utf8'));
  return parsed.ok ? parsed : { ok: false, message: `${path} ${parsed.message}` };
}

/** Each server's line and its 1-based number, skipping blank and `#` lines as the config parser does. */
function serverLines(text: string): { readonly number: number; readonly text: string }[] {
  const lines: { number: number; text: string }[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) lines.push({ number: index + 1, text: line });
  }
  return lines;
}
