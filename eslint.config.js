// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The pure packages run in any JavaScript runtime and must stay deterministic (sans-IO). */
const pureCoreRules = {
  'no-restricted-imports': [
    'error',
    { patterns: [{ group: ['node:*'], message: 'Pure packages take no Node-only imports.' }] },
  ],
  'no-restricted-globals': [
    'error',
    ...[
      'setTimeout',
      'setInterval',
      'setImmediate',
      'clearTimeout',
      'clearInterval',
      'queueMicrotask',
    ].map((name) => ({
      name,
      message: 'Sans-IO: time comes in as a number; deadlines go out via pollTimeout().',
    })),
    { name: 'Date', message: 'Sans-IO: pass `now` in.' },
    { name: 'performance', message: 'Sans-IO: pass `now` in.' },
    { name: 'process', message: 'Pure packages do not touch the process.' },
    { name: 'Buffer', message: 'Use Uint8Array.' },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Inject a seeded random source.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/coverage/**',
      // tsup's config, bundled for a moment while a build runs (lint may run beside it).
      '**/tsup.config.bundled_*',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Install-time scripts run by Node as plain JavaScript.
    files: ['**/scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    files: ['packages/ordering/src/**/*.ts', 'packages/protocol/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/ordering/src/properties/**'],
    rules: pureCoreRules,
  },
);
