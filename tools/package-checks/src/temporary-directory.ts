import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp directory (outside the repository), removed on dispose. */
export interface TemporaryDirectory extends AsyncDisposable {
  readonly path: string;
}

/** Creates `<tmpdir>/<prefix>XXXXXX`; `await using` removes it with everything in it. */
export async function temporaryDirectory(prefix: string): Promise<TemporaryDirectory> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}
