#!/usr/bin/env node
/**
 * Builds the optional HMAC addon (native/hmac-sha256.c -> build/hmac_sha256.node) at install, with
 * the system C compiler (`cc`, or `$CC`) and the headers of the Node that runs this script (N-API
 * and the OpenSSL that Node carries). Nothing is downloaded. Whatever goes wrong (no compiler, no
 * headers), it says so in one line and exits 0: chatserver then tags frames with node:crypto.
 * @chat/transport builds its addon the same way; its script stays inside that published package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(packageDirectory, 'native', 'hmac-sha256.c');
const output = join(packageDirectory, 'build', 'hmac_sha256.node');

/** Where Node's headers are (with OpenSSL's): npm's nodedir, next to this node binary, or the system's. */
function headerDirectory() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    resolve(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find(
    (directory) =>
      directory &&
      existsSync(join(directory, 'node_api.h')) &&
      existsSync(join(directory, 'openssl', 'evp.h')),
  );
}

function skip(reason) {
  process.stdout.write(`@chat/server: HMAC addon not built: ${reason}; node:crypto tags frames\n`);
  process.exit(0);
}

const headers = headerDirectory();
if (headers === undefined) skip('no Node headers (node_api.h, openssl/evp.h) found');
const compiler = process.env.CC ?? 'cc';
try {
  mkdirSync(dirname(output), { recursive: true });
  // Else an addon built for another Node, or against other headers, would stay after a failed build.
  rmSync(output, { force: true });
} catch (error) {
  skip(`cannot write ${dirname(output)}: ${error.message}`);
}
const partial = `${output}.${process.pid}.partial`;
try {
  execFileSync(
    compiler,
    [
      '-O2',
      '-Wall',
      // A prototype missing from these headers must fail the build, not truncate a pointer.
      '-Werror=implicit-function-declaration',
      // Every symbol bound at load: an OpenSSL function this Node lacks then fails the require
      // (and chatserver falls back to node:crypto) instead of killing the process at its first call.
      '-Wl,-z,now',
      '-shared',
      '-fPIC',
      `-I${headers}`,
      '-o',
      partial,
      source,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 },
  );
  renameSync(partial, output);
  process.stdout.write(`@chat/server: HMAC addon built: ${output}\n`);
} catch (error) {
  skip(
    error.code === 'ENOENT'
      ? `no C compiler '${compiler}'`
      : `${compiler} failed: ${String(error.stderr ?? error.message).trim()}`,
  );
}
