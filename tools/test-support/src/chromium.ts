import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's `chromium` package puts the browser here; browser tests drive it with playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium in tests: no sandbox (CI runs as root), nothing fetched from the
 * network on its own (no updates, sync or field trials), no GPU.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Makes sure Debian's Chromium is installed, installing it with apt-get when it is missing and
 * this process is root (as in CI); returns its path. Without root and without Chromium it throws,
 * saying how to install it: browser tests cannot pass without a browser.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM_PATH}: install it with ` +
        '`apt-get update && apt-get install -y chromium` (as root)',
    );
  }
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const result = spawnSync('apt-get', ['-q', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new Error(`apt-get ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    }
  }
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`apt-get installed chromium, but not at ${CHROMIUM_PATH}`);
  return CHROMIUM_PATH;
}
