import { ensureChromium } from '@chat/test-support/chromium';

/** Once per run, before any test file: the browser tests need Chromium (installed here in CI). */
export default async function setup(): Promise<void> {
  await ensureChromium();
}
