import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/** Imports run one way (README.md, "Layout of the code"): the engine knows no app, transport or screen. */
const layer = (files, patterns, extra = {}) => ({
  files,
  ignores: ['**/*.test.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns }], ...extra },
});

/** No host of its own (app/protocol, app/host): no DOM, no Node, clock, timers and randomness injected. */
const noHostApis = {
  'no-restricted-globals': [
    'error',
    'window',
    'document',
    'Buffer',
    'process',
    'setTimeout',
    'setInterval',
    'crypto',
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Inject randomness (Entropy).' },
    { object: 'Date', property: 'now', message: 'Inject the clock.' },
  ],
};

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'coverage/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  layer(
    ['app/protocol/**'],
    [
      {
        group: ['node:*', 'ws', 'svelte', 'svelte/*'],
        message: 'app/protocol is pure: no Node, no DOM, no UI.',
      },
      { group: ['../*', '!../protocol/*'], message: 'app/protocol imports nothing outside itself.' },
    ],
    noHostApis,
  ),
  layer(
    ['app/host/**'],
    [
      {
        group: ['node:*', 'ws', 'svelte', 'svelte/*'],
        message: 'app/host is the transport-free server core: no Node, no DOM, no UI.',
      },
      {
        group: ['**/server/*', '**/loopback/*', '**/ui/*', '**/sandbox/*', '**/lessons/*'],
        message: 'The server core knows no transport or screen: the hosts import it, not the other way.',
      },
    ],
    noHostApis,
  ),
  layer(
    ['app/services/**'],
    [
      { group: ['node:*', 'ws'], message: 'Services run in the browser too: no Node.' },
      {
        group: ['**/server/*', '**/loopback/*', '**/ui/*', '**/sandbox/*'],
        message: 'Services know no transport or screen.',
      },
    ],
  ),
  {
    // The lesson engine runs in the page, except its build step and test helpers (Node).
    files: ['app/lessons/**', 'lessons/**'],
    // start/ and solution/ are the learner's code: it runs in the sandbox, where 'ws' is ours.
    ignores: [
      '**/*.test.ts',
      'app/lessons/build/**',
      'app/lessons/testing.ts',
      'lessons/*/start/**',
      'lessons/*/solution/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/*', 'node:*', 'ws'],
              message: 'Lessons run in the page: no Node, no app/server.',
            },
          ],
        },
      ],
    },
  },
  layer(
    ['app/ui/**', 'app/loopback/**', 'app/sandbox/**', 'app/main.ts'],
    [
      {
        group: ['**/server/*', 'node:*', 'ws'],
        message: 'Nothing the page loads imports app/server or Node.',
      },
    ],
  ),
);
