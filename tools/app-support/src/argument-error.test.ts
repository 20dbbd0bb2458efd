import { parseArgs } from 'node:util';
import { expect, it } from 'vitest';
import { describeArgumentError } from './argument-error.js';

it('keeps parseArgs’s first sentence, in lower case, without the positional hint', () => {
  let error: unknown;
  try {
    parseArgs({ args: ['--nope'], options: {}, strict: true });
  } catch (caught) {
    error = caught;
  }
  expect(describeArgumentError(error)).toBe("unknown option '--nope'");
  expect(describeArgumentError('Plain text')).toBe('plain text');
});
