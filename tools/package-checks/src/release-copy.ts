/**
 * A copy of the workspace to release from, so versioning with changesets (which rewrites manifests,
 * writes changelogs and deletes the changesets) never touches the repository.
 */

import { cp, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspace packages that are published. */
export const PUBLISHED_PACKAGES = [
  { name: '@chat/ordering', directory: 'packages/ordering' },
  { name: '@chat/protocol', directory: 'packages/protocol' },
  { name: '@chat/transport', directory: 'packages/transport' },
] as const;

const ROOT_FILES = ['package.json', 'pnpm-workspace.yaml', '.npmrc', 'LICENSE', '.changeset'];

interface Manifest {
  readonly name: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

/**
 * Copies what a release needs from `repository` to `destination`: the root manifest, workspace
 * file, `.npmrc` and changesets; the published packages whole (built, without `node_modules`); and
 * the manifest alone of every other workspace package (the changesets config names some of them).
 * Links each published package's `workspace:` dependencies the way pnpm does, since `pnpm publish`
 * reads their versions through those links, and links the repository's `node_modules` at the
 * root, where changesets loads its changelog writer from.
 */
export async function copyWorkspaceForRelease(
  repository: string,
  destination: string,
): Promise<void> {
  for (const file of ROOT_FILES) {
    await cp(join(repository, file), join(destination, file), { recursive: true });
  }
  const published = new Set<string>(PUBLISHED_PACKAGES.map((entry) => entry.directory));
  const directoryOf = new Map<string, string>();
  for (const directory of await workspacePackageDirectories(repository)) {
    const manifest = await readManifest(join(repository, directory));
    directoryOf.set(manifest.name, directory);
    if (published.has(directory)) {
      await cp(join(repository, directory), join(destination, directory), {
        recursive: true,
        filter: (source) => !source.split(/[\\/]/).includes('node_modules'),
      });
    } else {
      await mkdir(join(destination, directory), { recursive: true });
      await cp(
        join(repository, directory, 'package.json'),
        join(destination, directory, 'package.json'),
      );
    }
  }
  for (const directory of published) {
    const manifest = await readManifest(join(destination, directory));
    const ranges = {
      ...manifest.dependencies,
      ...manifest.devDependencies,
      ...manifest.peerDependencies,
    };
    for (const [name, range] of Object.entries(ranges)) {
      const target = directoryOf.get(name);
      if (!range.startsWith('workspace:') || target === undefined) continue;
      const link = join(destination, directory, 'node_modules', name);
      await mkdir(dirname(link), { recursive: true });
      await symlink(join(destination, target), link, 'dir');
    }
  }
  await symlink(join(repository, 'node_modules'), join(destination, 'node_modules'), 'dir');
}

/** The directories `pnpm-workspace.yaml` lists (`dir/*` patterns), relative to the root. */
async function workspacePackageDirectories(repository: string): Promise<string[]> {
  const workspace = await readFile(join(repository, 'pnpm-workspace.yaml'), 'utf8');
  const patterns = [...workspace.matchAll(/^\s+-\s+['"]?([\w.-]+)\/\*['"]?\s*$/gm)].map(
    (match) => match[1]!,
  );
  const directories: string[] = [];
  for (const parent of patterns) {
    for (const entry of await readdir(join(repository, parent), { withFileTypes: true })) {
      const directory = `${parent}/${entry.name}`;
      if (entry.isDirectory() && existsSync(join(repository, directory, 'package.json'))) {
        directories.push(directory);
      }
    }
  }
  return directories;
}

async function readManifest(directory: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as Manifest;
}
