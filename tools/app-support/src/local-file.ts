import { readFile, stat } from 'node:fs/promises';

export type LocalFileResult =
  | { readonly ok: true; readonly content: Buffer }
  | { readonly ok: false; readonly message: string };

/**
 * Reads a small local file (a config or key file), refusing one larger than `bytesMax`. Every
 * failure is one line naming the file, for a usage error.
 */
export async function readLocalFile(
  path: string,
  what: string,
  bytesMax: number,
): Promise<LocalFileResult> {
  try {
    if ((await stat(path)).size > bytesMax) {
      return { ok: false, message: `${what} '${path}' is larger than ${bytesMax} bytes` };
    }
    return { ok: true, content: await readFile(path) };
  } catch (error) {
    return { ok: false, message: `cannot read ${what} '${path}': ${describeFileError(error)}` };
  }
}

/** Why a local file could not be read, in a few words for a one-line error. */
export function describeFileError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return typeof code === 'string' ? code : String(error);
  }
}
