// The testing entry's declarations are built alone, with the imports of the package's main modules
// left out (see tsup.library.ts at the repository root), and rollup writes those imports as paths
// into src/. Point them at the main entry's declarations, which export every one of those types, so
// `@chat/ordering/testing` and `@chat/ordering` share one declaration of each type.
import { readFileSync, writeFileSync } from 'node:fs';

const declarations = [
  ['dist/testing/index.d.ts', '../index.js'],
  ['dist/testing/index.d.cts', '../index.cjs'],
];
for (const [file, mainEntry] of declarations) {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/from '(?:\.\.\/)+[^']*'/g, `from '${mainEntry}'`));
}
