import { execFileSync } from 'node:child_process';

/**
 * The lab needs `ip` (iproute2). A clean CI machine may lack it: as root, install it from Debian's
 * repositories; otherwise the tests fail with the reason.
 */
export default function setup(): void {
  if (hasIp()) return;
  if (process.getuid?.() !== 0) return; // the tests themselves say that they need root
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'iproute2'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function hasIp(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
