import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Tests import workspace packages from source, so they run without a build (trpc style). */
const sourceAliases = [
  {
    find: /^@chat\/ordering\/testing$/,
    replacement: fromRoot('./packages/ordering/src/testing/index.ts'),
  },
  { find: /^@chat\/ordering$/, replacement: fromRoot('./packages/ordering/src/index.ts') },
  { find: /^@chat\/protocol$/, replacement: fromRoot('./packages/protocol/src/index.ts') },
  { find: /^@chat\/transport$/, replacement: fromRoot('./packages/transport/src/index.ts') },
  {
    find: /^@chat\/test-support\/fuzz$/,
    replacement: fromRoot('./tools/test-support/src/fuzz.ts'),
  },
  {
    find: /^@chat\/test-support\/chromium$/,
    replacement: fromRoot('./tools/test-support/src/chromium.ts'),
  },
  {
    find: /^@chat\/test-support\/delivery$/,
    replacement: fromRoot('./tools/test-support/src/delivery.ts'),
  },
  {
    find: /^@chat\/test-support\/processes$/,
    replacement: fromRoot('./tools/test-support/src/processes.ts'),
  },
];

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
