import { describe, expect, it } from 'vitest';
import { readReadmeBlocks } from './readme-blocks.js';

const fence = '```';

describe('readReadmeBlocks', () => {
  it('pairs each ts example with the text block after it, and reads npm install lines', () => {
    const markdown = [
      '# pkg',
      `${fence}sh`,
      'npm install @chat/ordering @chat/protocol',
      fence,
      'Some prose.',
      `${fence}ts`,
      "console.log('hi');",
      fence,
      'It prints:',
      `${fence}text`,
      'hi',
      fence,
    ].join('\n');
    expect(readReadmeBlocks(markdown, 'README.md')).toEqual({
      installs: [
        {
          origin: 'README.md:3',
          command: 'npm install @chat/ordering @chat/protocol',
          packages: ['@chat/ordering', '@chat/protocol'],
        },
      ],
      examples: [{ origin: 'README.md:6', source: "console.log('hi');", expectedOutput: 'hi' }],
    });
  });

  it('refuses an example without its output', () => {
    const markdown = `${fence}ts\nconsole.log(1);\n${fence}\n`;
    expect(() => readReadmeBlocks(markdown, 'README.md')).toThrow(
      'README.md:1: a ts example must be followed by a text block',
    );
  });

  it('refuses blocks it would not run', () => {
    expect(() => readReadmeBlocks(`${fence}js\nx\n${fence}`, 'R.md')).toThrow("not 'js'");
    expect(() => readReadmeBlocks(`${fence}\nx\n${fence}`, 'R.md')).toThrow("not ''");
    expect(() => readReadmeBlocks(`${fence}text\nx\n${fence}`, 'R.md')).toThrow(
      'must follow a ts example',
    );
    expect(() => readReadmeBlocks(`${fence}sh\npnpm test\n${fence}`, 'R.md')).toThrow(
      "R.md:2: a sh line must be 'npm install <packages>'",
    );
    expect(() => readReadmeBlocks(`${fence}ts\nx`, 'R.md')).toThrow('unclosed');
  });
});
