import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExampleProject } from './example-project.js';
import { temporaryDirectory } from './temporary-directory.js';

const printsWhatItSays = {
  origin: 'README.md:1',
  source:
    "import { setTimeout } from 'node:timers/promises';\nconsole.log(await setTimeout(1, 'right'));",
  expectedOutput: 'right',
};
const printsSomethingElse = {
  origin: 'README.md:9',
  source: "console.log('wrong');",
  expectedOutput: 'right',
};

describe('runExampleProject', () => {
  it.each(['esm', 'cjs'] as const)(
    'runs each example as %s (top-level await too) and reports output that differs',
    async (flavour) => {
      await using directory = await temporaryDirectory('example-project-');
      const result = await runExampleProject(join(directory.path, flavour), flavour, [
        printsWhatItSays,
        printsSomethingElse,
      ]);
      expect(result.compileErrors).toBe('');
      expect(result.passed).toBe(1);
      expect(result.failures).toEqual([
        { origin: 'README.md:9', flavour, problem: expect.stringContaining('printed\nwrong\n') },
      ]);
    },
  );

  it('reports compiler errors, unused locals included', async () => {
    await using directory = await temporaryDirectory('example-project-');
    const unused = { origin: 'README.md:5', source: 'const unused = 1;', expectedOutput: '' };
    const result = await runExampleProject(directory.path, 'esm', [unused]);
    expect(result.compileErrors).toContain('README-5.ts');
    expect(result.compileErrors).toContain("'unused' is declared but its value is never read");
    expect(result.passed).toBe(0);
  });
});
