import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runExampleProject } from '../src/example-project.js';
import { LocalRegistry } from '../src/local-registry.js';
import { readReadmeBlocks, type ReadmeExample, type ReadmeInstall } from '../src/readme-blocks.js';
import { copyWorkspaceForRelease, PUBLISHED_PACKAGES } from '../src/release-copy.js';
import { runCommand } from '../src/run-command.js';
import { temporaryDirectory } from '../src/temporary-directory.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const CHANGESET = createRequire(import.meta.url).resolve('@changesets/cli/bin.js');
/** npm, pnpm and changesets on a busy 2-core machine: generous, and only ever waited out on a hang. */
const COMMAND_MS_MAX = 240_000;

/**
 * The environment of every npm, pnpm and changesets command here: the local registry and nothing
 * else (no user config, no npm or pnpm settings inherited from the test runner), a private cache.
 */
function registryEnvironment(registryUrl: string, userConfig: string, cache: string) {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_/i.test(name));
  return {
    ...Object.fromEntries(inherited),
    npm_config_registry: registryUrl,
    npm_config_userconfig: userConfig,
    npm_config_cache: cache,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

async function manifestVersion(directory: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

describe('the published packages, as a user gets them', () => {
  it('are versioned with changesets, published to a local registry, installed with npm, and every README example runs (ESM and CJS)', async () => {
    await using work = await temporaryDirectory('chat-release-');
    const release = join(work.path, 'workspace');
    await copyWorkspaceForRelease(REPOSITORY, release);
    await mkdir(join(work.path, 'registry'));
    await using registry = await LocalRegistry.start(join(work.path, 'registry'));
    const token = await registry.addUser('release', randomBytes(16).toString('hex'));
    const npmrc = `registry=${registry.url}\n//${new URL(registry.url).host}/:_authToken=${token}\n`;
    const userConfig = join(work.path, 'npmrc');
    await writeFile(userConfig, npmrc);
    await appendFile(join(release, '.npmrc'), `\n${npmrc}`);
    const env = registryEnvironment(registry.url, userConfig, join(work.path, 'npm-cache'));
    const inRelease = { cwd: release, env, timeoutMs: COMMAND_MS_MAX };

    // Version: the changesets are consumed into versions and changelogs, in the copy only.
    await runCommand(process.execPath, [CHANGESET, 'version'], inRelease);
    const versions = new Map<string, string>();
    for (const { name, directory } of PUBLISHED_PACKAGES) {
      const before = await manifestVersion(join(REPOSITORY, directory));
      const after = await manifestVersion(join(release, directory));
      versions.set(name, after);
      console.log(`${name}: ${before} -> ${after}`);
    }
    const changesetsLeft = (await readdir(join(release, '.changeset'))).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    );
    expect(changesetsLeft).toEqual([]);

    // Publish: all three, to the local registry (the only one this environment names).
    const publish = await runCommand(
      process.execPath,
      [CHANGESET, 'publish', '--no-git-tag'],
      inRelease,
    );
    expect(publish.stdout + publish.stderr).toContain('packages published successfully');
    for (const [name, version] of versions) {
      const packument = await registry.packument(name);
      expect(packument?.['dist-tags']['latest'], name).toBe(version);
      const bytes = await registry.tarballBytes(name, version);
      console.log(`published ${name}@${version}: tarball of ${bytes} bytes`);
    }

    // Install: in a fresh project outside the repository, with the READMEs' own commands.
    const consumer = join(work.path, 'consumer');
    await mkdir(consumer);
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'readme-examples', version: '1.0.0', private: true }),
    );
    const installs: ReadmeInstall[] = [];
    for (const { directory } of PUBLISHED_PACKAGES) {
      const readme = await readFile(join(REPOSITORY, directory, 'README.md'), 'utf8');
      installs.push(...readReadmeBlocks(readme, `${directory}/README.md`).installs);
    }
    expect(new Set(installs.flatMap((install) => install.packages))).toEqual(
      new Set(PUBLISHED_PACKAGES.map(({ name }) => name)),
    );
    for (const install of installs) {
      const [, ...args] = install.command.split(' ');
      await runCommand('npm', args, { cwd: consumer, env, timeoutMs: COMMAND_MS_MAX });
      console.log(`${install.origin}: ${install.command}`);
    }

    // Every example of every installed README, compiled against the installed packages and run.
    const examples: ReadmeExample[] = [];
    for (const [name, version] of versions) {
      const installed = join(consumer, 'node_modules', name);
      expect(await manifestVersion(installed)).toBe(version);
      expect(existsSync(join(installed, 'LICENSE')), `${name} ships LICENSE`).toBe(true);
      expect(existsSync(join(installed, 'src')), `${name} ships no sources`).toBe(false);
      const readme = await readFile(join(installed, 'README.md'), 'utf8');
      const found = readReadmeBlocks(readme, `${name}/README.md`).examples;
      console.log(`${name}: ${found.length} README examples`);
      examples.push(...found);
    }
    for (const flavour of ['esm', 'cjs'] as const) {
      const result = await runExampleProject(join(consumer, flavour), flavour, examples);
      expect(result.compileErrors, `${flavour} examples compile`).toBe('');
      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(examples.length);
      console.log(
        `${flavour}: ${result.passed} of ${examples.length} README examples printed their README output`,
      );
    }
  }, 900_000);
});
