import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

/**
 * The membership figures (`pnpm figures:membership`): the kill -9 scenario run many times per mode,
 * for the times and counts the issue asks for. Not part of `pnpm test`: it takes minutes. Built
 * from the shared config by hand, since merging configs would add its test files to these.
 */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ['test/**/*.figures.ts'],
    testTimeout: 30 * 60_000,
    // One scenario at a time: parallel runs would measure each other.
    fileParallelism: false,
  },
});
