import { defineConfig } from 'vitest/config';
import labConfig from './vitest.config.ts';

/** The membership tests alone, until membership lands (see test/membership.lab-test.ts). */
export default defineConfig({
  ...labConfig,
  test: { ...labConfig.test, include: ['test/membership.lab-test.ts'] },
});
