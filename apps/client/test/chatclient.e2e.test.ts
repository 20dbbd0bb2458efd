import { fileURLToPath } from 'node:url';
import { escapeControlCharacters, formatSocketAddress } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { DatagramInbox, SpawnedProgram } from '@chat/test-support/processes';
import type { ReceivedDatagram } from '@chat/test-support/processes';

const CLIENT = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** Long enough never to end on its own within a test: tests end the client explicitly. */
const LINGER_MS_FOREVER = '60000';

const usageLines = (stderr: string): string[] => stderr.trimEnd().split('\n');

/** The next datagram the fake server got, past the client's keepalives (`/ping`). */
async function nextLine(server: DatagramInbox): Promise<ReceivedDatagram> {
  for (;;) {
    const datagram = await server.next();
    if (datagram.text !== '/ping') return datagram;
  }
}

describe('chatclient (built)', () => {
  it('sends lines without CR/LF, prints the server’s replies one per line, and quits at end of input', async () => {
    await using server = await DatagramInbox.open();
    await using client = new SpawnedProgram(CLIENT, [
      '--linger-ms=0',
      formatSocketAddress(server.address),
    ]);

    client.stdin.write('/join 1\r\n');
    const join = await nextLine(server);
    expect(join.text).toBe('/join 1');
    server.send('+OK You are now in chat room #1', join.from);
    expect(await client.nextLine()).toBe('+OK You are now in chat room #1');

    client.stdin.write('hello\n');
    expect(await nextLine(server)).toEqual({ text: 'hello', from: join.from });
    server.send(`<${formatSocketAddress(join.from)}> hello`, join.from);
    expect(await client.nextLine()).toBe(`<${formatSocketAddress(join.from)}> hello`);

    client.stdin.end();
    expect(await nextLine(server)).toEqual({ text: '/quit', from: join.from });
    const exit = await client.exited;
    expect(exit).toMatchObject({ status: 0, stderr: '' });
    expect(await client.remainingLines()).toEqual([]);
  });

  it('shows control characters escaped, never raw', async () => {
    await using server = await DatagramInbox.open();
    await using client = new SpawnedProgram(CLIENT, [
      '--linger-ms=0',
      formatSocketAddress(server.address),
    ]);
    client.stdin.write('/join 1\n');
    const { from: clientAddress } = await nextLine(server);
    const hostile = '<eve> \x1b[2J\x1b]0;owned\x07\u009b31m\x7f';

    server.send(hostile, clientAddress);

    const shown = await client.nextLine();
    expect(shown).toBe(escapeControlCharacters(hostile));
    expect(shown).not.toMatch(/[\x00-\x1f\x7f-\x9f]/); // eslint-disable-line no-control-regex
    client.stdin.end();
    expect((await client.exited).status).toBe(0);
  });

  it('ignores datagrams that do not come from the server', async () => {
    await using server = await DatagramInbox.open();
    await using client = new SpawnedProgram(CLIENT, [
      '--linger-ms=0',
      formatSocketAddress(server.address),
    ]);
    client.stdin.write('/nick bob\n');
    const { from: clientAddress } = await nextLine(server);

    const stranger = await DatagramInbox.open();
    stranger.send('+OK spoofed', clientAddress);
    await stranger[Symbol.asyncDispose](); // the spoofed datagram is now queued at the client
    server.send('+OK Nickname set to ’bob’', clientAddress);

    expect(await client.nextLine()).toBe('+OK Nickname set to ’bob’');
    client.stdin.end();
    expect((await client.exited).status).toBe(0);
  });

  it('keeps printing replies after end of input until it quits', async () => {
    await using server = await DatagramInbox.open();
    await using client = new SpawnedProgram(CLIENT, [
      `--linger-ms=${LINGER_MS_FOREVER}`,
      formatSocketAddress(server.address),
    ]);

    client.stdin.end('/join 1\n');
    const join = await nextLine(server);
    server.send('+OK You are now in chat room #1', join.from);

    expect(await client.nextLine()).toBe('+OK You are now in chat room #1');
    client.kill('SIGINT');
    expect(await nextLine(server)).toEqual({ text: '/quit', from: join.from });
    expect((await client.exited).status).toBe(0);
  });

  it('sends /quit and exits 0 on Ctrl-C (SIGINT) while input is still open', async () => {
    await using server = await DatagramInbox.open();
    await using client = new SpawnedProgram(CLIENT, [formatSocketAddress(server.address)]);
    client.stdin.write('/join 2\n');
    const join = await nextLine(server);

    client.kill('SIGINT');

    expect(await nextLine(server)).toEqual({ text: '/quit', from: join.from });
    expect((await client.exited).status).toBe(0);
  });

  it('sends a typed /quit once and exits 0', async () => {
    await using server = await DatagramInbox.open();
    await using client = new SpawnedProgram(CLIENT, [formatSocketAddress(server.address)]);

    client.stdin.write('/quit\nnot sent\n');

    const quit = await nextLine(server);
    expect(quit.text).toBe('/quit');
    expect((await client.exited).status).toBe(0);
    // Anything else the client sent is queued at the server by now, ahead of this marker.
    await using marker = await DatagramInbox.open();
    marker.send('marker', server.address);
    expect((await nextLine(server)).text).toBe('marker');
  });

  it.each([
    [[], 'chatclient: missing <IP:port>'],
    [['127.0.0.1:5000', 'localhost:5001'], "chatclient: 'localhost' is not an IPv4 address"],
    [['127.0.0.1'], "chatclient: '127.0.0.1' is not IP:port"],
    [['--bogus', '127.0.0.1:5000'], "chatclient: unknown option '--bogus'"],
  ])('exits 2 with one error line and the usage for %j', async (args, error) => {
    await using client = new SpawnedProgram(CLIENT, args);

    const exit = await client.exited;

    expect(exit.status).toBe(2);
    expect(usageLines(exit.stderr)).toEqual([
      error,
      'usage: chatclient [--linger-ms MS] [--silence-ms MS] <IP:port | config-file>...',
    ]);
  });

  it('prints the usage on stdout for --help and exits 0', async () => {
    await using client = new SpawnedProgram(CLIENT, ['--help']);

    expect(await client.nextLine()).toBe(
      'usage: chatclient [--linger-ms MS] [--silence-ms MS] <IP:port | config-file>...',
    );
    expect((await client.exited).status).toBe(0);
  });
});
