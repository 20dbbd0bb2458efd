import { rmSync } from 'node:fs';
import type { Options } from 'tsup';

/**
 * The build of a published package: ESM and CommonJS side by side (`index.js` and `index.cjs`), each
 * with its declarations (`index.d.ts` and `index.d.cts`), so `import`, `require` and every
 * TypeScript module resolution find code and types of the same format.
 *
 * `entries` maps an output name (`index`, `testing/index`) to its source file.
 */
export function libraryBuild(entries: Readonly<Record<string, string>>): Options[] {
  // One clean before the builds below, which run concurrently: a per-build `clean` could delete
  // another build's output.
  rmSync('dist', { recursive: true, force: true });
  const formats: Options['format'] = ['esm', 'cjs'];
  return [
    // The code: entries may share chunks, which nobody imports by name.
    { entry: { ...entries }, format: formats, sourcemap: true, dts: false },
    // The declarations, one build per entry: built together, types the entries share would land in
    // a hashed chunk (`engine-Ab12.d.ts`) that users' editors and API docs then show.
    ...Object.entries(entries).map(([name, source]): Options => ({
      entry: { [name]: source },
      format: formats,
      dts: { only: true },
      // An entry in a subdirectory (`testing/index`) leaves what it imports from the package's main
      // modules out, so its declarations refer to the main entry's types instead of copying them
      // (a copied class with private members would not be assignable to the original). The package's
      // build then points those imports at `../index.js` (see ordering's link-testing-declarations).
      ...(name.includes('/') ? { external: [/^\.\.\//] } : {}),
    })),
  ];
}
