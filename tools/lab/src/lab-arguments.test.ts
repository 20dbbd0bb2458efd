import { describe, expect, it } from 'vitest';
import { rootRequirement } from './ip-command.js';
import { LAB_GROUP_DEFAULT, parseLabArguments } from './lab-arguments.js';

describe('parseLabArguments', () => {
  it('takes up N with IP multicast by default, or unicast fan-out', () => {
    expect(parseLabArguments(['up', '5'])).toEqual({
      kind: 'up',
      prefix: 'chatlab',
      hosts: 5,
      clientHosts: 1,
      mode: 'total',
      multicast: LAB_GROUP_DEFAULT,
      verbose: false,
    });
    expect(
      parseLabArguments(['up', '3', '--unicast', '-o', 'fifo', '--prefix', 'chatlab2']),
    ).toMatchObject({
      hosts: 3,
      mode: 'fifo',
      multicast: undefined,
      prefix: 'chatlab2',
    });
  });

  it('passes the rest of client and stress to the program', () => {
    expect(parseLabArguments(['client', '2', '--linger-ms', '0'])).toEqual({
      kind: 'client',
      prefix: 'chatlab',
      host: 2,
      args: ['--linger-ms', '0'],
    });
    expect(parseLabArguments(['client', '--prefix', 'chatlabx', '3'])).toMatchObject({
      prefix: 'chatlabx',
      host: 3,
      args: [],
    });
    expect(parseLabArguments(['client', '3', '--prefix', 'chatlabx', '-h'])).toMatchObject({
      prefix: 'chatlabx',
      host: 3,
      args: ['-h'],
    });
    expect(parseLabArguments(['stress', '--prefix', 'chatlabx', '-o', 'total'])).toEqual({
      kind: 'stress',
      prefix: 'chatlabx',
      args: ['-o', 'total'],
    });
  });

  it.each([
    [[], 'missing command (up, down, client, stress)'],
    [['up'], 'up takes one number: the hosts'],
    [['up', '51'], 'hosts must be 1..50'],
    [['up', '3', '-o', 'causal'], "unknown mode 'causal'"],
    [
      ['up', '3', '--unicast', '--group', '239.255.1.1:6000'],
      '--unicast and --group exclude each other',
    ],
    [
      ['down', '--prefix', 'lab'],
      "--prefix must be 'chatlab' followed by up to 8 lowercase letters or digits, not 'lab'",
    ],
    [['client'], 'client takes the host number: client K'],
  ])('refuses %j: %s', (argv, message) => {
    expect(parseLabArguments(argv)).toEqual({ kind: 'error', message });
  });
});

describe('rootRequirement', () => {
  it('lets root run the lab and tells anyone else why not', () => {
    expect(rootRequirement(0)).toBeUndefined();
    expect(rootRequirement(1000)).toMatch(/^needs root: the lab creates network namespaces/);
    expect(rootRequirement(undefined)).toMatch(/^needs root/);
  });
});
