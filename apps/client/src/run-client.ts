import { createInterface } from 'node:readline';
import { UDP_PAYLOAD_BYTES_MAX } from '@chat/transport';
import type { UdpEndpoint } from '@chat/transport';
import type { SocketAddress } from '@chat/protocol';
import type { ClientArguments } from './client-arguments.js';
import { ChatSession } from './chat-session.js';
import { FAILOVER_SETTINGS_DEFAULT } from './failover-session.js';
import { PlainLinePrinter } from './line-printer.js';
import type { LinePrinter } from './line-printer.js';
import { PromptLinePrinter } from './prompt-line-printer.js';

export interface ClientStreams {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
  readonly errorOutput: NodeJS.WriteStream;
}

const PROMPT = '> ';
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

type EndReason = 'typed-quit' | 'input-ended' | 'signal';

/**
 * Runs one client until the user quits (`/quit`, end of input, Ctrl-C), then sends `/quit` and
 * closes the endpoint. On a terminal it keeps a prompt; otherwise it reads and writes plain lines
 * and, after its input ends, keeps printing replies for `lingerMs` before quitting. A server silent for `silenceMs` is
 * taken for dead (see FailoverSession).
 */
export function runChatClient(
  endpoint: UdpEndpoint,
  servers: readonly SocketAddress[],
  timing: Pick<ClientArguments, 'lingerMs' | 'silenceMs'>,
  streams: ClientStreams,
): Promise<void> {
  const { input, output, errorOutput } = streams;
  const interactive = input.isTTY && output.isTTY;
  const lines = createInterface({
    input,
    ...(interactive ? { output, terminal: true, prompt: PROMPT } : { terminal: false }),
    crlfDelay: Infinity,
  });
  const printer: LinePrinter = interactive
    ? new PromptLinePrinter(lines, output, errorOutput)
    : new PlainLinePrinter(output, errorOutput);
  const session = new ChatSession(endpoint, servers, printer, () => performance.now(), {
    ...FAILOVER_SETTINGS_DEFAULT,
    silenceMsMax: timing.silenceMs,
  });
  endpoint.onError((error) => printer.warning(error.message));

  return new Promise((resolve) => {
    let ending = false;
    let cutLingerShort: (() => void) | undefined;
    const end = async (reason: EndReason): Promise<void> => {
      if (ending) {
        // Ctrl-C while lingering after end of input: the user does not want to wait.
        if (reason === 'signal') cutLingerShort?.();
        return;
      }
      ending = true;
      lines.close();
      // After Ctrl-D or Ctrl-C the cursor still sits on the prompt line.
      if (interactive && reason !== 'typed-quit') output.write('\n');
      // On a terminal, end of input (Ctrl-D) means the user is leaving now, not waiting for replies.
      const waitMs = !interactive && reason === 'input-ended' ? timing.lingerMs : 0;
      if (waitMs > 0) {
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, waitMs);
          cutLingerShort = () => {
            clearTimeout(timer);
            wake();
          };
        });
      }
      for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
      session.quit();
      await endpoint.close();
      resolve();
    };
    const onSignal = (): void => void end('signal');

    lines.on('line', (line) => {
      if (ending) return;
      const outcome = session.sendLine(line);
      if (outcome === 'quit') return void end('typed-quit');
      if (outcome === 'too-long') {
        printer.warning(`line not sent: longer than ${UDP_PAYLOAD_BYTES_MAX} bytes`);
      }
      if (outcome === 'queue-full') {
        printer.warning(
          `line not sent: ${FAILOVER_SETTINGS_DEFAULT.queuedLinesMax} lines already wait for a server to answer`,
        );
      }
      if (interactive) lines.prompt();
    });
    lines.on('close', () => void end('input-ended'));
    // On a terminal in raw mode, Ctrl-C reaches readline as a key rather than the process as a signal.
    lines.on('SIGINT', onSignal);
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
    if (interactive) lines.prompt();
  });
}
