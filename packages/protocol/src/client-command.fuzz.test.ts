/**
 * Fuzzing parseClientDatagram with 50,000 datagrams in CI (times FUZZ_RUNS_MULTIPLIER): random
 * bytes up to the largest UDP payload, command words followed by random text, and valid commands
 * with bytes flipped, inserted, deleted or cut off. Whatever comes in, the parser must return a
 * command within the protocol's limits, and any rejection must be one short `-ERR ` line: a server
 * answers every datagram with at most REPLY_BYTES_MAX bytes.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLIENT_PROTOCOL_LIMITS,
  parseClientDatagram,
  type ClientCommand,
} from './client-command.js';
import { isControlCharacter } from './escape-control-characters.js';
import { REPLY_BYTES_MAX, nickSet } from './replies.js';
import {
  formatCount,
  fuzzRuns,
  largeDatagramArbitrary,
  mutate,
  mutationArbitrary,
} from '@chat/test-support/fuzz';
import { encodeUtf8, utf8ByteLength } from './utf8.js';

const limits = DEFAULT_CLIENT_PROTOCOL_LIMITS;

type Kind = ClientCommand['kind'];

/** Throws (failing the property) unless `command` is within the protocol's rules. */
function checkCommand(command: ClientCommand): void {
  switch (command.kind) {
    case 'join':
      if (!Number.isInteger(command.room) || command.room < 1 || command.room > limits.roomCount) {
        throw new Error(`joined room ${command.room}`);
      }
      return;
    case 'nick': {
      const { nick } = command;
      if (nick === '' || nick !== nick.trim()) throw new Error('untrimmed or empty nickname');
      if ([...nick].length > limits.nickCharsMax) throw new Error('nickname too long');
      for (let index = 0; index < nick.length; index++) {
        const code = nick.charCodeAt(index);
        if (isControlCharacter(code) || code === 0x3c || code === 0x3e) {
          throw new Error(`nickname with U+${code.toString(16)}`);
        }
      }
      checkReply(nickSet(nick));
      return;
    }
    case 'post':
      if (utf8ByteLength(command.text) > limits.textBytesMax) throw new Error('post too long');
      return;
    case 'rejected':
      if (!command.reply.startsWith('-ERR ')) throw new Error(`reply ${command.reply}`);
      checkReply(command.reply);
      return;
    case 'part':
    case 'quit':
      return;
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}`);
  }
}

function checkReply(reply: string): void {
  const bytes = encodeUtf8(reply).length;
  if (bytes > REPLY_BYTES_MAX) throw new Error(`a reply of ${bytes} bytes: ${reply}`);
  if (/[\r\n]/.test(reply)) throw new Error('a reply of more than one line');
}

/** Runs `cases` datagrams through the parser; returns how often each kind came out. */
function fuzz(datagrams: fc.Arbitrary<Uint8Array>, cases: number): Map<Kind, number> {
  const tally = new Map<Kind, number>();
  fc.assert(
    fc.property(datagrams, (datagram) => {
      const command = parseClientDatagram(datagram, limits);
      checkCommand(command);
      tally.set(command.kind, (tally.get(command.kind) ?? 0) + 1);
    }),
    { numRuns: cases },
  );
  return tally;
}

const COMMAND_WORDS = ['/join', '/part', '/nick', '/quit', '/', '/JOIN', '/msg'];

/** What clients and attackers type: digits, signs, spaces, escapes, angle brackets, emoji. */
const trickyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(' ', '0', '1', '9', '-', '+', 'e', 'x', '.'), maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('\x1b', '[', '\x00', '\x7f', '\x85', '<', '>', '\u200b', '😀', 'a', ' '),
    maxLength: 50,
  }),
  fc.constantFrom('', ' ', '-1', '0', '11', '1e1', '9'.repeat(400), 'x'.repeat(10_000)),
);

const validLines = fc.oneof(
  fc.integer({ min: 1, max: limits.roomCount }).map((room) => `/join ${room}`),
  fc.constantFrom('/part', '/quit', '/nick Alice', `/nick ${'😀'.repeat(32)}`),
  fc.string({ maxLength: 200 }),
  fc.constant('x'.repeat(limits.textBytesMax)),
);

const runs = {
  randomBytes: fuzzRuns(15_000),
  commandsWithRandomArguments: fuzzRuns(15_000),
  mutatedCommands: fuzzRuns(20_000),
};
const totalRuns = Object.values(runs).reduce((sum, count) => sum + count, 0);

describe(`parseClientDatagram fuzzing (${formatCount(totalRuns)} cases)`, () => {
  it(`survives ${formatCount(runs.randomBytes)} datagrams of random bytes, up to 64 KB`, () => {
    const datagrams = fc.oneof(
      { arbitrary: fc.uint8Array({ maxLength: 1200 }), weight: 20 },
      { arbitrary: largeDatagramArbitrary, weight: 1 },
    );
    const tally = fuzz(datagrams, runs.randomBytes);
    expect(tally.get('post')).toBeGreaterThan(0);
    expect(tally.get('rejected')).toBeGreaterThan(0);
  });

  it(`survives ${formatCount(runs.commandsWithRandomArguments)} command words with random arguments`, () => {
    const datagrams = fc
      .tuple(fc.constantFrom(...COMMAND_WORDS), fc.constantFrom(' ', '', '\t'), trickyText)
      .map(([word, separator, argument]) => encodeUtf8(`${word}${separator}${argument}`));
    const tally = fuzz(datagrams, runs.commandsWithRandomArguments);
    for (const kind of ['join', 'part', 'nick', 'quit', 'rejected'] as const) {
      expect(tally.get(kind), kind).toBeGreaterThan(0);
    }
  });

  it(`survives ${formatCount(runs.mutatedCommands)} valid lines with bytes flipped, set, inserted, deleted or cut off`, () => {
    const datagrams = fc
      .tuple(validLines, fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }))
      .map(([line, mutations]) => mutate(encodeUtf8(line), mutations));
    const tally = fuzz(datagrams, runs.mutatedCommands);
    for (const kind of ['join', 'nick', 'post', 'rejected'] as const) {
      expect(tally.get(kind), kind).toBeGreaterThan(0);
    }
  });
});
