import { describe, expect, it } from 'vitest';
import { DELAY_MS_MAX_DEFAULT, parseProxyArguments } from './proxy-arguments.js';

describe('parseProxyArguments', () => {
  it('has defaults for everything but the config file', () => {
    expect(parseProxyArguments(['cluster.conf'])).toEqual({
      kind: 'run',
      args: {
        verbose: false,
        delayMsMax: DELAY_MS_MAX_DEFAULT,
        lossProbability: 0,
        duplicateProbability: 0,
        seed: undefined,
        courseLimits: false,
        controlPort: undefined,
        configPath: 'cluster.conf',
      },
    });
  });

  it('takes every option', () => {
    const argv = [
      '-v',
      '--delay-ms-max',
      '100',
      '--loss=0.1',
      '--duplicate',
      '.05',
      '--seed',
      '4294967295',
      '--course-limits',
      '--control-port',
      '7000',
      'cluster.conf',
    ];
    expect(parseProxyArguments(argv)).toEqual({
      kind: 'run',
      args: {
        verbose: true,
        delayMsMax: 100,
        lossProbability: 0.1,
        duplicateProbability: 0.05,
        seed: 4294967295,
        courseLimits: true,
        controlPort: 7000,
        configPath: 'cluster.conf',
      },
    });
  });

  it('accepts the probabilities 0 and 1 and a delay of 0', () => {
    const parsed = parseProxyArguments([
      '--loss',
      '1',
      '--duplicate',
      '0',
      '--delay-ms-max',
      '0',
      'c',
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      args: { lossProbability: 1, duplicateProbability: 0, delayMsMax: 0 },
    });
  });

  it('takes --control-port 0: any free port', () => {
    expect(parseProxyArguments(['--control-port', '0', 'c'])).toMatchObject({
      kind: 'run',
      args: { controlPort: 0 },
    });
  });

  it('asks for help with -h or --help', () => {
    expect(parseProxyArguments(['-h'])).toEqual({ kind: 'help' });
    expect(parseProxyArguments(['--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], 'missing <config-file>'],
    [['a.conf', 'b.conf'], "unexpected argument 'b.conf'"],
    [['--delay-ms-max', 'x', 'c'], "--delay-ms-max must be a whole number in 0..60000, not 'x'"],
    [
      ['--delay-ms-max', '60001', 'c'],
      "--delay-ms-max must be a whole number in 0..60000, not '60001'",
    ],
    [['--loss', '1.5', 'c'], "--loss must be a probability between 0 and 1, not '1.5'"],
    [['--loss=-0.1', 'c'], "--loss must be a probability between 0 and 1, not '-0.1'"],
    [['--duplicate', '10%', 'c'], "--duplicate must be a probability between 0 and 1, not '10%'"],
    [
      ['--seed', '4294967296', 'c'],
      "--seed must be a whole number in 0..4294967295, not '4294967296'",
    ],
    [['--seed', '-1', 'c'], "option '--seed' argument is ambiguous"],
    [
      ['--control-port', '65536', 'c'],
      "--control-port must be a whole number in 0..65535, not '65536'",
    ],
    [
      ['--control-port', 'any', 'c'],
      "--control-port must be a whole number in 0..65535, not 'any'",
    ],
    [['--bogus', 'c'], "unknown option '--bogus'"],
  ])('rejects %j with one line: %s', (argv, message) => {
    const parsed = parseProxyArguments(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed).toMatchObject({ message: expect.stringContaining(message) as unknown });
    expect((parsed as { message: string }).message).not.toContain('\n');
  });
});
