import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { openHeadlessChromium } from '@chat/test-support/chromium';

const ENTRY = fileURLToPath(new URL('../src/browser-simulation.ts', import.meta.url));

interface SimulationReport {
  readonly runs: readonly {
    readonly mode: string;
    readonly posts: number;
    readonly deliveries: readonly number[];
    readonly violations: number;
    readonly settled: boolean;
  }[];
  readonly frame: string;
}

describe('@chat/ordering and @chat/protocol in a browser', () => {
  it('bundle for the browser from their builds and run the simulator in headless Chromium', async () => {
    const bundle = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    // What users get: the packages' builds, resolved through their exports, not their sources.
    for (const name of ['ordering', 'protocol']) {
      expect(inputs.filter((input) => input.includes(`packages/${name}/`))).not.toHaveLength(0);
      expect(inputs.filter((input) => input.includes(`packages/${name}/src/`))).toEqual([]);
    }
    const code = bundle.outputFiles[0]!.text;

    // A bare JavaScript context, with nothing of Node's: only what a browser has too.
    const bare = createContext({ TextEncoder, TextDecoder });
    runInContext(code, bare);
    const expected = JSON.parse(bare['simulationReport'] as string) as SimulationReport;

    await using chromium = await openHeadlessChromium();
    await chromium.page.addScriptTag({ content: code });
    const inBrowser = await chromium.page.evaluate(
      () => (globalThis as { simulationReport?: string }).simulationReport,
    );
    expect(JSON.parse(inBrowser ?? 'null')).toEqual(expected);

    // One seed, the same run everywhere: and a correct one.
    expect(expected.runs.map((run) => run.mode)).toEqual(['unordered', 'fifo', 'total']);
    for (const run of expected.runs) {
      expect(run).toMatchObject({ violations: 0, settled: true });
      expect(run.posts).toBeGreaterThan(0);
      for (const delivered of run.deliveries) expect(delivered).toBe(run.posts);
    }
    expect(expected.frame).toBe('<alice> hello from a browser');
  }, 900_000); // the first run on a fresh machine installs Chromium with apt-get
});
