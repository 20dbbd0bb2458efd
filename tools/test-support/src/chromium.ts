/**
 * Headless Chromium for browser tests: Debian's `chromium` package, driven by playwright-core (which
 * downloads no browser of its own). CI runs on a fresh Debian machine as root, so the tests install
 * the package themselves when it is missing.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * No GPU, no network of its own (QUIC, background requests, component updates, sync), no first-run
 * UI: a browser that only does what the test asks. The sandbox needs user namespaces, which a root
 * CI container may not offer.
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

/** apt-get runs for minutes on a slow mirror; another test may hold the dpkg lock meanwhile. */
const APT_LOCK_WAIT_S = 600;
const APT_RUN_MS_MAX = 15 * 60_000;

let installing: Promise<void> | undefined;

/**
 * Makes sure Debian's Chromium is at `CHROMIUM_PATH`: when it is missing and this process runs as
 * root, runs `apt-get update && apt-get install -y chromium` (once per process; concurrent installs
 * from other test processes wait for the dpkg lock). Otherwise throws, saying what to install.
 */
export async function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium package ` +
        '(apt-get install -y chromium), or run the tests as root and they will',
    );
  }
  installing ??= installChromium();
  await installing;
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed no ${CHROMIUM_PATH}`);
  return CHROMIUM_PATH;
}

async function installChromium(): Promise<void> {
  const lockWait = ['-o', `DPkg::Lock::Timeout=${APT_LOCK_WAIT_S}`];
  await runApt(['update', ...lockWait]);
  await runApt(['install', '-y', ...lockWait, 'chromium']);
}

function runApt(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: APT_RUN_MS_MAX,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) =>
      status === 0
        ? resolve()
        : reject(new Error(`apt-get ${args.join(' ')} exited with ${status}\n${stderr}`)),
    );
  });
}

/** A headless Chromium with a fresh profile and one blank page; disposing closes and deletes it. */
export interface HeadlessChromium extends AsyncDisposable {
  readonly context: BrowserContext;
  readonly page: Page;
}

/** Installs Chromium if needed (see `ensureChromium`), then starts it with a fresh profile. */
export async function openHeadlessChromium(): Promise<HeadlessChromium> {
  const executablePath = await ensureChromium();
  const userDataDir = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      [Symbol.asyncDispose]: async () => {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
