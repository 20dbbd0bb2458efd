import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { SERVER_NODE_OPTIONS } from './node-options.js';

const firstLine = (path: URL): string => readFileSync(path, 'utf8').split('\n', 1)[0]!;

describe('SERVER_NODE_OPTIONS', () => {
  test.each([
    ['the bin', new URL('../bin/chatserver.js', import.meta.url)],
    ['the built program', new URL('./main.ts', import.meta.url)],
  ])('%s passes them in its shebang', (_, path) => {
    expect(firstLine(path)).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_OPTIONS.join(' ')}`);
  });

  test('are options this Node accepts', () => {
    const run = spawnSync(process.execPath, [...SERVER_NODE_OPTIONS, '-e', '0'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
