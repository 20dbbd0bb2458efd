/**
 * The chatlab command (built): it takes its lab down on Ctrl-C, and `chatlab down` removes what a
 * killed chatlab left behind. Needs root, as CI has.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SpawnedProgram } from '@chat/test-support/processes';
import { isRoot } from '../src/ip-command.js';
import { LAB_PREFIX_ROOT } from '../src/network-lab.js';
import { labLeftovers, WAIT_MS_MAX } from './lab-fixture.js';

const CHATLAB = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TEST_MS_MAX = 180_000;

beforeAll(() => {
  expect(isRoot(), 'the lab tests create network namespaces: run them as root (CI does)').toBe(
    true,
  );
});

/** Reads stdout until a line matches (the lab prints its last line once it is up). */
async function lineMatching(program: SpawnedProgram, pattern: RegExp): Promise<string> {
  const seen: string[] = [];
  const deadline = Date.now() + WAIT_MS_MAX;
  while (Date.now() < deadline) {
    const line = await program.nextLine();
    if (line === undefined) break;
    seen.push(line);
    if (pattern.test(line)) return line;
  }
  throw new Error(
    `no ${pattern} from chatlab:\n${seen.join('\n')}\n${(await program.exited).stderr}`,
  );
}

const uniquePrefix = (): string => `${LAB_PREFIX_ROOT}${randomBytes(3).toString('hex')}`;

describe('chatlab (built)', () => {
  it(
    'up N prints how to attach a client, and Ctrl-C removes every process, namespace and link',
    async () => {
      const prefix = uniquePrefix();
      await using lab = new SpawnedProgram(CHATLAB, ['up', '2', '--prefix', prefix]);
      const attach = await lineMatching(lab, /^ {2}ip netns exec /);
      expect(attach).toMatch(
        new RegExp(
          `^  ip netns exec ${prefix}-h2 \\S+ \\S+/apps/client/dist/main\\.js 198\\.51\\.100\\.2:5000 198\\.51\\.100\\.1:5000$`,
        ),
      );
      await lineMatching(lab, /^Ctrl-C stops the servers/);
      expect((await labLeftovers(prefix)).length).toBeGreaterThan(0);

      lab.kill('SIGINT');

      expect((await lab.exited).status).toBe(0);
      expect(await labLeftovers(prefix)).toEqual([]);
    },
    TEST_MS_MAX,
  );

  it(
    'down removes what a chatlab killed with SIGKILL left behind, its servers included',
    async () => {
      const prefix = uniquePrefix();
      {
        await using lab = new SpawnedProgram(CHATLAB, ['up', '2', '--prefix', prefix]);
        await lineMatching(lab, /^Ctrl-C stops the servers/);
        lab.kill('SIGKILL');
        await lab.exited;
      }
      expect(await labLeftovers(prefix)).toContain(`${prefix}-h1`);

      await using down = new SpawnedProgram(CHATLAB, ['down', '--prefix', prefix]);

      expect(await down.nextLine()).toBe(`chatlab: removed 4 namespaces (${prefix}-*)`);
      expect((await down.exited).status).toBe(0);
      expect(await labLeftovers(prefix)).toEqual([]);
    },
    TEST_MS_MAX,
  );

  it('exits 2 with the usage for a wrong command line', async () => {
    await using lab = new SpawnedProgram(CHATLAB, ['up', 'five']);
    const exit = await lab.exited;
    expect(exit.status).toBe(2);
    expect(exit.stderr.split('\n')[0]).toBe('chatlab: hosts must be 1..50');
  });
});
