import { describe, expect, it } from 'vitest';
import { LINGER_MS_DEFAULT, parseClientArguments, SILENCE_MS_DEFAULT } from './client-arguments.js';

describe('parseClientArguments', () => {
  it('takes the server address', () => {
    expect(parseClientArguments(['127.0.0.1:5000'])).toEqual({
      kind: 'run',
      args: {
        servers: [{ kind: 'address', address: { host: '127.0.0.1', port: 5000 } }],
        lingerMs: LINGER_MS_DEFAULT,
        silenceMs: SILENCE_MS_DEFAULT,
      },
    });
  });

  it('takes several servers, addresses and config files, in order', () => {
    expect(
      parseClientArguments(['127.0.0.1:5001', 'config/local-3.conf', '127.0.0.1:5002']),
    ).toEqual({
      kind: 'run',
      args: {
        servers: [
          { kind: 'address', address: { host: '127.0.0.1', port: 5001 } },
          { kind: 'config-file', path: 'config/local-3.conf' },
          { kind: 'address', address: { host: '127.0.0.1', port: 5002 } },
        ],
        lingerMs: LINGER_MS_DEFAULT,
        silenceMs: SILENCE_MS_DEFAULT,
      },
    });
  });

  it('takes --linger-ms before or after the address', () => {
    const expected = {
      kind: 'run',
      args: {
        servers: [{ kind: 'address', address: { host: '127.0.0.1', port: 5000 } }],
        lingerMs: 0,
        silenceMs: SILENCE_MS_DEFAULT,
      },
    };
    expect(parseClientArguments(['--linger-ms', '0', '127.0.0.1:5000'])).toEqual(expected);
    expect(parseClientArguments(['127.0.0.1:5000', '--linger-ms=0'])).toEqual(expected);
  });

  it('takes --silence-ms, how long a silent server is given', () => {
    expect(parseClientArguments(['--silence-ms', '15000', '127.0.0.1:5000'])).toMatchObject({
      kind: 'run',
      args: { silenceMs: 15_000 },
    });
  });

  it('asks for help with -h or --help', () => {
    expect(parseClientArguments(['-h'])).toEqual({ kind: 'help' });
    expect(parseClientArguments(['--help', '127.0.0.1:5000'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], 'missing <IP:port>'],
    [['127.0.0.1:5000', 'localhost:5001'], "'localhost' is not an IPv4 address"],
    [['localhost:5000'], "'localhost' is not an IPv4 address"],
    [['127.0.0.1'], "'127.0.0.1' is not IP:port"],
    [['127.0.0.1:0'], 'port 0 is out of range 1-65535'],
    [['127.0.0.1:65536'], 'port 65536 is out of range 1-65535'],
    [['--verbose', '127.0.0.1:5000'], "unknown option '--verbose'"],
    [
      ['--linger-ms=-5', '127.0.0.1:5000'],
      "--linger-ms must be a whole number in 0..60000, not '-5'",
    ],
    [
      ['--linger-ms', '1.5', '127.0.0.1:5000'],
      "--linger-ms must be a whole number in 0..60000, not '1.5'",
    ],
    [
      ['--silence-ms', '1999', '127.0.0.1:5000'],
      "--silence-ms must be a whole number in 2000..600000, not '1999'",
    ],
    [
      ['--linger-ms', '60001', '127.0.0.1:5000'],
      "--linger-ms must be a whole number in 0..60000, not '60001'",
    ],
  ])('rejects %j with one line: %s', (argv, message) => {
    expect(parseClientArguments(argv)).toEqual({ kind: 'error', message });
  });
});
