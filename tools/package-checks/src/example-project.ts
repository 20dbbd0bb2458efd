/**
 * README examples as a user's project would hold them: each example one file, compiled by the
 * TypeScript compiler with strict settings against the packages installed in `node_modules` above
 * it, then run with Node and its output compared with the README's.
 *
 * Two flavours of the same examples: `esm` (a `"type": "module"` project: `import` finds the ESM
 * build and its `.d.ts`) and `cjs` (a CommonJS project: the compiler turns each import into
 * `require()`, which finds the CommonJS build and its `.d.cts`).
 */

import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { ReadmeExample } from './readme-blocks.js';

/** Which module system the example project uses. */
export type ModuleFlavour = 'esm' | 'cjs';

/** One example's run that did not print what its README says. */
export interface ExampleFailure {
  readonly origin: string;
  readonly flavour: ModuleFlavour;
  readonly problem: string;
}

/** What running a flavour of the examples found. */
export interface ExampleProjectResult {
  /** Compiler diagnostics, one per line, empty when the examples compiled. */
  readonly compileErrors: string;
  readonly failures: readonly ExampleFailure[];
  /** Examples that ran and printed exactly their README output. */
  readonly passed: number;
}

const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
/** `@types/node` from this repository, so a project without network access can compile against it. */
const NODE_TYPE_ROOTS = dirname(dirname(require.resolve('@types/node/package.json')));
const EXAMPLE_RUN_MS_MAX = 60_000;

/** The strictest settings a user is likely to have; the examples must compile under all of them. */
const compilerOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2023', 'ESNext.Disposable'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noFallthroughCasesInSwitch: true,
  // The packages' declarations are checked, with and without Node's types, in
  // declarations-need.test.ts; checking all of @types/node here again would only take time.
  skipLibCheck: true,
  typeRoots: [NODE_TYPE_ROOTS],
  types: ['node'],
};

/**
 * Writes `examples` into `directory` (which must sit where `node_modules` with the packages is
 * visible), compiles them and runs each with Node.
 */
export async function runExampleProject(
  directory: string,
  flavour: ModuleFlavour,
  examples: readonly ReadmeExample[],
): Promise<ExampleProjectResult> {
  await mkdir(directory, { recursive: true });
  const type = flavour === 'esm' ? 'module' : 'commonjs';
  await writeFile(join(directory, 'package.json'), JSON.stringify({ private: true, type }));
  await writeFile(
    join(directory, 'tsconfig.json'),
    JSON.stringify({ compilerOptions, include: ['*.ts'] }, null, 2),
  );
  const files = examples.map((example) => ({ example, name: fileName(example.origin) }));
  for (const { example, name } of files) {
    const source = flavour === 'esm' ? example.source : asCommonJsProgram(example.source);
    await writeFile(join(directory, `${name}.ts`), source);
  }

  const compiled = await runNode([TSC, '-p', directory], directory);
  if (compiled.status !== 0) {
    return { compileErrors: compiled.stdout + compiled.stderr, failures: [], passed: 0 };
  }
  const failures: ExampleFailure[] = [];
  for (const { example, name } of files) {
    const run = await runNode([join(directory, `${name}.js`)], directory);
    const problem =
      run.status !== 0
        ? `exited with ${run.status ?? run.signal}: ${run.stderr}`
        : normalize(run.stdout) !== normalize(example.expectedOutput)
          ? `printed\n${run.stdout}\ninstead of\n${example.expectedOutput}\n${run.stderr}`
          : undefined;
    if (problem !== undefined) failures.push({ origin: example.origin, flavour, problem });
  }
  return { compileErrors: '', failures, passed: files.length - failures.length };
}

/** `ordering/README.md:52` becomes `ordering-README-52`, so compiler errors name the block. */
function fileName(origin: string): string {
  return origin.replace(/[^A-Za-z0-9]+/g, '-').replace(/-md-/, '-');
}

/**
 * A CommonJS module has no top-level `await`: keep the imports where they are and run the rest in
 * an async function, as a CommonJS user would write it. A rejection ends Node with an error.
 */
function asCommonJsProgram(source: string): string {
  const file = ts.createSourceFile('example.ts', source, ts.ScriptTarget.ES2022, true);
  const imports = file.statements.filter(ts.isImportDeclaration);
  const importsEnd = imports.length === 0 ? 0 : imports[imports.length - 1]!.getEnd();
  const body = source.slice(importsEnd);
  return `${source.slice(0, importsEnd)}\n\nvoid (async () => {${body}\n})();\n`;
}

function normalize(output: string): string {
  return output.replace(/\r\n/g, '\n').trimEnd();
}

interface NodeRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runNode(args: readonly string[], cwd: string): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: EXAMPLE_RUN_MS_MAX,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
