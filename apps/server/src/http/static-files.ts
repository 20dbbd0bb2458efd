import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The pages' files, built by `tsup.web.config.ts` into dist/web: a few kilobytes in all. */
export const PAGE_FILES = ['chat.html', 'dashboard.html', 'style.css', 'chat.js', 'dashboard.js'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

export interface StaticFile {
  readonly contentType: string;
  readonly body: Buffer;
  /** The same bytes gzipped once at start, for clients that accept it. */
  readonly gzipped: Buffer;
  /** A strong ETag of the body, for `If-None-Match`. */
  readonly etag: string;
}

/** Reads and compresses every page file once; rejects naming the first one missing. */
export async function loadStaticFiles(directory: URL): Promise<ReadonlyMap<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const name of PAGE_FILES) {
    const path = fileURLToPath(new URL(name, directory));
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      throw new Error(`the web pages are not built (no ${path}); run pnpm build`);
    }
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    files.set(name, {
      contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      body,
      gzipped: gzipSync(body, { level: 9 }),
      etag: `"${hash}"`,
    });
  }
  return files;
}
