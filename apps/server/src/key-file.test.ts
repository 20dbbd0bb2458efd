import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_BYTES_MIN, KEY_FILE_BYTES_MAX, loadKeyFile } from './key-file.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'chat-key-file-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function keyFile(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, content);
  return path;
}

describe('loadKeyFile', () => {
  it('returns the bytes, less one trailing newline (LF or CRLF)', async () => {
    const secret = 'correct horse battery staple';
    for (const [name, content] of [
      ['plain', secret],
      ['lf', `${secret}\n`],
      ['crlf', `${secret}\r\n`],
    ] as const) {
      const loaded = await loadKeyFile({
        path: await keyFile(name, content),
        origin: '--key-file',
      });
      expect(loaded, name).toEqual({ ok: true, key: new TextEncoder().encode(secret) });
    }
    const twoNewlines = await keyFile('two', `${secret}\n\n`);
    const loaded = await loadKeyFile({ path: twoNewlines, origin: '--key-file' });
    expect(loaded.ok && loaded.key.length).toBe(secret.length + 1);
  });

  it('takes binary keys as they are', async () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37) & 0xff);
    const loaded = await loadKeyFile({ path: await keyFile('binary', key), origin: '--key-file' });
    expect(loaded).toEqual({ ok: true, key });
  });

  it(`refuses a key shorter than ${KEY_BYTES_MIN} bytes, and says how to make one`, async () => {
    const path = await keyFile('short', 'tooshort\n');
    const loaded = await loadKeyFile({ path, origin: '--key-file' });
    expect(loaded).toEqual({
      ok: false,
      message: `key file '${path}' holds 8 bytes; a cluster key needs at least 16 (make one with: head -c 32 /dev/urandom > ${path})`,
    });
  });

  it('refuses a file too large to be a key', async () => {
    const path = await keyFile('large', new Uint8Array(KEY_FILE_BYTES_MAX + 1).fill(0x61));
    const loaded = await loadKeyFile({ path, origin: '--key-file' });
    expect(loaded.ok ? '' : loaded.message).toMatch(/is larger than 4096 bytes$/);
    const largest = await keyFile('largest', new Uint8Array(KEY_FILE_BYTES_MAX).fill(0x61));
    expect((await loadKeyFile({ path: largest, origin: '--key-file' })).ok).toBe(true);
  });

  it('names the file, and the variable it came from, when it cannot be read', async () => {
    const missing = join(directory, 'absent.key');
    expect(await loadKeyFile({ path: missing, origin: '--key-file' })).toEqual({
      ok: false,
      message: `cannot read key file '${missing}': no such file`,
    });
    expect(await loadKeyFile({ path: missing, origin: 'CHAT_KEY_FILE' })).toEqual({
      ok: false,
      message: `cannot read key file '${missing}' (from CHAT_KEY_FILE): no such file`,
    });
    expect(await loadKeyFile({ path: directory, origin: '--key-file' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/it is a directory$/),
    });
  });
});
