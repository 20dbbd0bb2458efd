import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../../packages/', import.meta.url));
const NODE_TYPE_ROOTS = dirname(
  dirname(createRequire(import.meta.url).resolve('@types/node/package.json')),
);

/**
 * Type-checks `source` as a user's file beside this test (so the packages resolve through their
 * exports to their built declarations), with ES2022 and only the `types` given. Returns the
 * compiler's messages about that file and the packages' declarations (checking all of
 * `@types/node` as well would only take time).
 */
function typeErrors(source: string, extension: '.ts' | '.cts', types: string[]): string[] {
  const fileName = join(HERE, `user-project${extension}`);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types,
    typeRoots: [NODE_TYPE_ROOTS],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, languageVersion)
      : getSourceFile(name, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  const checked = program
    .getSourceFiles()
    .filter((file) => file.fileName === fileName || file.fileName.startsWith(PACKAGES));
  expect(checked.length).toBeGreaterThan(1);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((file) => [
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
    ]),
  ];
  return diagnostics.map((diagnostic) =>
    ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  );
}

const pureImports = `
import { OrderingEngine } from '@chat/ordering';
import { Simulator } from '@chat/ordering/testing';
import { decodeFrame } from '@chat/protocol';
export const used = [OrderingEngine, Simulator, decodeFrame];
`;
const transportImport = `
import { UdpEndpoint } from '@chat/transport';
export const used = UdpEndpoint;
`;

describe('what the packages need to type-check, as their READMEs say', () => {
  it('@chat/ordering and @chat/protocol need no Node types, from ESM or CommonJS', () => {
    expect(typeErrors(pureImports, '.ts', [])).toEqual([]);
    expect(typeErrors(pureImports, '.cts', [])).toEqual([]);
  });

  it('@chat/transport needs @types/node, and nothing else', () => {
    expect(typeErrors(transportImport, '.ts', ['node'])).toEqual([]);
    expect(typeErrors(transportImport, '.cts', ['node'])).toEqual([]);
    expect(typeErrors(transportImport, '.ts', []).join('\n')).toContain(
      "Cannot find name 'Buffer'",
    );
  });
});
