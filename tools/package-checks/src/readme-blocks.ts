/**
 * The fenced code blocks of a package README, read as a checklist: every block is either an example
 * (```ts) followed by its exact output (```text), or install commands (```sh, `npm install` lines
 * only). Any other block is an error, so nothing in a README escapes being run.
 */

/** A complete TypeScript program from a README and what it must print. */
export interface ReadmeExample {
  /** Where it comes from, e.g. `ordering/README.md:52` (the line of its opening fence). */
  readonly origin: string;
  readonly source: string;
  readonly expectedOutput: string;
}

/** An `npm install` line from a README, split into its package names. */
export interface ReadmeInstall {
  readonly origin: string;
  readonly command: string;
  readonly packages: readonly string[];
}

/** Everything a README asks its reader to run. */
export interface ReadmeBlocks {
  readonly examples: readonly ReadmeExample[];
  readonly installs: readonly ReadmeInstall[];
}

interface FencedBlock {
  readonly language: string;
  readonly line: number;
  readonly text: string;
}

const OPENING_FENCE = /^```(\S*)\s*$/;
const CLOSING_FENCE = /^```\s*$/;
const INSTALL_LINE =
  /^npm (?:install|i) ((?:@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)(?: @?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)*)$/;

/**
 * Reads the blocks of `markdown` (the README named `name` in messages). Throws an Error naming the
 * README line for a block it cannot check: an unknown language, an example without its output, an
 * output block without an example, a shell line that is not `npm install`.
 */
export function readReadmeBlocks(markdown: string, name: string): ReadmeBlocks {
  const blocks = fencedBlocks(markdown, name);
  const examples: ReadmeExample[] = [];
  const installs: ReadmeInstall[] = [];
  for (let index = 0; index < blocks.length; index++) {
    const block = blocks[index]!;
    const origin = `${name}:${block.line}`;
    switch (block.language) {
      case 'ts': {
        const output = blocks[index + 1];
        if (output?.language !== 'text') {
          throw new Error(
            `${origin}: a ts example must be followed by a text block with its output`,
          );
        }
        examples.push({ origin, source: block.text, expectedOutput: output.text });
        index++;
        break;
      }
      case 'sh':
        for (const [offset, line] of block.text.split('\n').entries()) {
          if (line.trim() === '') continue;
          const install = INSTALL_LINE.exec(line.trim());
          if (install === null) {
            throw new Error(
              `${name}:${block.line + 1 + offset}: a sh line must be 'npm install <packages>'`,
            );
          }
          installs.push({
            origin: `${name}:${block.line + 1 + offset}`,
            command: line.trim(),
            packages: install[1]!.split(' '),
          });
        }
        break;
      case 'text':
        throw new Error(`${origin}: a text block must follow a ts example`);
      default:
        throw new Error(`${origin}: blocks must be ts, text or sh, not '${block.language}'`);
    }
  }
  return { examples, installs };
}

function fencedBlocks(markdown: string, name: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING_FENCE.exec(lines[index]!);
    if (opening === null) continue;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !CLOSING_FENCE.test(lines[index]!); index++) {
      body.push(lines[index]!);
    }
    if (index === lines.length) throw new Error(`${name}:${start + 1}: unclosed code block`);
    blocks.push({ language: opening[1]!, line: start + 1, text: body.join('\n') });
  }
  return blocks;
}
