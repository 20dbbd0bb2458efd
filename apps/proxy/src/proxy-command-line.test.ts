import { describe, expect, it } from 'vitest';
import { parseProxyArguments } from './proxy-arguments.js';
import { proxyCommandLine } from './proxy-command-line.js';

describe('proxyCommandLine', () => {
  it('says what the parser reads back', () => {
    const argv = proxyCommandLine(
      {
        delayMsMax: 20,
        loss: 0.1,
        duplicate: 0.05,
        seed: 7,
        courseLimits: true,
        controlPort: 0,
      },
      'cluster.conf',
    );

    expect(parseProxyArguments(argv)).toEqual({
      kind: 'run',
      args: {
        verbose: false,
        delayMsMax: 20,
        lossProbability: 0.1,
        duplicateProbability: 0.05,
        seed: 7,
        courseLimits: true,
        controlPort: 0,
        configPath: 'cluster.conf',
      },
    });
  });

  it('leaves out what is not asked for, with no loss or duplication by default', () => {
    expect(parseProxyArguments(proxyCommandLine({ delayMsMax: 0, seed: 1 }, 'c'))).toMatchObject({
      kind: 'run',
      args: {
        lossProbability: 0,
        duplicateProbability: 0,
        courseLimits: false,
        controlPort: undefined,
      },
    });
  });
});
