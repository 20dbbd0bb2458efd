import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES } from '../src/release-copy.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const EXPORT =
  /^export (?:declare )?(?:abstract )?(?:function|const|class|interface|type|enum) (\w+)/gm;

describe('what the published packages tell their users', () => {
  it.each(PUBLISHED_PACKAGES)(
    '$name: name every export in its API report',
    async ({ directory }) => {
      const readme = await readFile(join(REPOSITORY, directory, 'README.md'), 'utf8');
      const reports = (await readdir(join(REPOSITORY, directory, 'etc'))).filter((file) =>
        file.endsWith('.api.md'),
      );
      expect(reports).not.toEqual([]);
      const exported: string[] = [];
      for (const report of reports) {
        const text = await readFile(join(REPOSITORY, directory, 'etc', report), 'utf8');
        exported.push(...[...text.matchAll(EXPORT)].map((match) => match[1]!));
      }
      expect(exported).not.toEqual([]);
      const unmentioned = exported.filter((name) => !new RegExp(`\\b${name}\\b`).test(readme));
      expect(unmentioned).toEqual([]);
    },
  );

  it.each(PUBLISHED_PACKAGES)(
    '$name: speak to a user of the published package',
    async ({ directory }) => {
      const readme = await readFile(join(REPOSITORY, directory, 'README.md'), 'utf8');
      // Things that exist only in this repository, not in what npm installs.
      for (const repositoryOnly of [
        'pnpm',
        'SIM_SEED',
        'SIM_RUNS',
        'FUZZ_',
        'SPEC.md',
        'workspace:',
      ]) {
        expect(readme).not.toContain(repositoryOnly);
      }
      expect(readme).not.toMatch(/\bsrc\/|\b[\w-]+\.ts\b/);
      expect(readme).toMatch(/Node\.js 20 or later/);
    },
  );

  it.each(PUBLISHED_PACKAGES)('$name: ships the repository LICENSE', async ({ directory }) => {
    const license = await readFile(join(REPOSITORY, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    expect(await readFile(join(REPOSITORY, directory, 'LICENSE'), 'utf8')).toBe(license);
  });

  it.each(PUBLISHED_PACKAGES)(
    '$name: declaration comments name nothing that does not ship',
    async ({ directory }) => {
      const dist = join(REPOSITORY, directory, 'dist');
      const declarations = (await readdir(dist, { recursive: true })).filter((file) =>
        /\.d\.c?ts$/.test(file),
      );
      expect(declarations).not.toEqual([]);
      for (const file of declarations) {
        const text = await readFile(join(dist, file), 'utf8');
        for (const repositoryOnly of ['pnpm', 'SIM_SEED', 'SPEC.md', 'src/']) {
          expect(text, file).not.toContain(repositoryOnly);
        }
        expect(text, file).not.toMatch(/\b[\w-]+\.ts\b/);
      }
    },
  );
});
