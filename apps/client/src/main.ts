#!/usr/bin/env node
import { UdpBindError, UdpEndpoint } from '@chat/transport';
import { CLIENT_USAGE, parseClientArguments } from './client-arguments.js';
import { runChatClient } from './run-client.js';
import { resolveServerList } from './server-list.js';

const USAGE_EXIT_STATUS = 2;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseClientArguments(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${CLIENT_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') return usageError(parsed.message);
  const serverList = await resolveServerList(parsed.args.servers);
  if (!serverList.ok) return usageError(serverList.message);

  let endpoint: UdpEndpoint;
  try {
    endpoint = await UdpEndpoint.open({ bind: { host: '0.0.0.0', port: 0 } });
  } catch (error) {
    if (!(error instanceof UdpBindError)) throw error;
    return usageError(error.message);
  }
  await runChatClient(endpoint, serverList.servers, parsed.args, {
    input: process.stdin,
    output: process.stdout,
    errorOutput: process.stderr,
  });
  return 0;
}

function usageError(message: string): number {
  process.stderr.write(`chatclient: ${message}\n${CLIENT_USAGE}\n`);
  return USAGE_EXIT_STATUS;
}

// Exit explicitly: stdin may still be open (Ctrl-C while a pipe is idle) and would keep Node alive.
main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`chatclient: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
