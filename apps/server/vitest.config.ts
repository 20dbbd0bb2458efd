import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(shared, {
  test: {
    // The pages' pure modules (web/src) have their tests beside them too.
    include: ['web/src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
  },
});
