import { describe, expect, it } from 'vitest';
import { CLIENTS_MAX_DEFAULT, ROOM_COUNT_DEFAULT, parseServerArguments } from './cli.js';

describe('parseServerArguments', () => {
  it('takes the course defaults: unordered, 10 rooms, no -v', () => {
    expect(parseServerArguments(['servers.conf', '2'])).toEqual({
      kind: 'run',
      args: {
        verbose: false,
        mode: 'unordered',
        roomCount: ROOM_COUNT_DEFAULT,
        clientsMax: CLIENTS_MAX_DEFAULT,
        multicast: undefined,
        configPath: 'servers.conf',
        index: 2,
      },
    });
  });

  it('reads getopt-style short options and the long ones', () => {
    const parsed = parseServerArguments([
      '-v',
      '-o',
      'total',
      '--rooms',
      '3',
      '--clients-max',
      '50',
      '--multicast',
      '239.255.0.1:6000',
      'servers.conf',
      '1',
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      args: {
        verbose: true,
        mode: 'total',
        roomCount: 3,
        clientsMax: 50,
        multicast: { group: { host: '239.255.0.1', port: 6000 }, interfaceAddress: '127.0.0.1' },
      },
    });
    expect(parseServerArguments(['-vo', 'fifo', 'c', '1'])).toMatchObject({
      kind: 'run',
      args: { verbose: true, mode: 'fifo' },
    });
  });

  it.each([
    [[], /missing <config-file> and <index>/],
    [['c'], /missing <index>/],
    [['c', '1', '2'], /unexpected argument '2'/],
    [['-o', 'causal', 'c', '1'], /unknown ordering mode 'causal'/],
    [['-x', 'c', '1'], /^unknown option '-x'$/],
    [['c', '-1'], /unknown option '-1'/],
    [['c', '1.5'], /<index> must be a whole number/],
    [['--rooms', '2000', 'c', '1'], /--rooms must be in 1\.\.1024/],
    [['--clients-max', 'many', 'c', '1'], /--clients-max must be a whole number/],
    [['--multicast', '10.0.0.1:6000', 'c', '1'], /not a multicast address/],
    [['--multicast', '239.1.1.1', 'c', '1'], /--multicast: /],
    [['--multicast-interface', '127.0.0.1', 'c', '1'], /needs --multicast/],
    [
      ['--multicast', '239.1.1.1:5', '--multicast-interface', 'lo', 'c', '1'],
      /not an IPv4 address/,
    ],
  ])('rejects %j', (argv, message) => {
    const parsed = parseServerArguments(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' ? parsed.message : '').toMatch(message);
  });

  it('answers --help', () => {
    expect(parseServerArguments(['--help'])).toEqual({ kind: 'help' });
  });
});
