import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

/** The pages' pure modules (web/src) have their tests beside them too. */
export default mergeConfig(shared, {
  test: { include: ['web/src/**/*.test.ts'] },
});
