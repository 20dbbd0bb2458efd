#!/usr/bin/env node
/**
 * Builds the optional batching addon for sendmmsg and recvmmsg (native/udp-batch.c ->
 * build/udp_batch.node) at install, with the system C compiler (`cc`, or `$CC`) and the headers of
 * the Node that runs this script. Nothing is downloaded. Whatever goes wrong (no compiler, no
 * headers, not Linux), it says so in one line and exits 0: @chat/transport then sends and receives
 * with node:dgram alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(packageDirectory, 'native', 'udp-batch.c');
const output = join(packageDirectory, 'build', 'udp_batch.node');

/** Where Node's headers are: npm's nodedir, next to this node binary, or the system's. */
function headerDirectory() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    resolve(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((directory) => directory && existsSync(join(directory, 'node_api.h')));
}

function skip(reason) {
  process.stdout.write(
    `@chat/transport: batching (sendmmsg, recvmmsg) not built: ${reason}; node:dgram alone\n`,
  );
  process.exit(0);
}

if (process.platform !== 'linux')
  skip(`sendmmsg and recvmmsg are Linux only, this is ${process.platform}`);
const headers = headerDirectory();
if (headers === undefined) skip("no Node headers (node_api.h) found; install Node's headers");
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
    ['-O2', '-Wall', '-shared', '-fPIC', `-I${headers}`, '-o', partial, source],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 },
  );
  renameSync(partial, output);
  process.stdout.write(`@chat/transport: batching (sendmmsg, recvmmsg) built: ${output}\n`);
} catch (error) {
  skip(
    error.code === 'ENOENT'
      ? `no C compiler '${compiler}'`
      : `${compiler} failed: ${String(error.stderr ?? error.message).trim()}`,
  );
}
