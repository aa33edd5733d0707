import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playgroundServer } from './app/server/vite-plugin.ts';
import { lessonsPlugin } from './app/lessons/build/vite-plugin.ts';
import { sandboxWorkerPlugin } from './app/sandbox/build/vite-plugin.ts';

export default defineConfig({
  base: './',
  // The echo server and friends on Vite's own port, in `vite` (dev) and `vite preview`.
  plugins: [
    svelte(),
    playgroundServer(),
    lessonsPlugin(),
    // The sandbox's worker, bundled into one script the iframe starts from a blob.
    sandboxWorkerPlugin(fileURLToPath(new URL('./app/sandbox/runtime/worker-entry.ts', import.meta.url))),
  ],
  // Pre-bundle the lazily loaded editor and console, so a fresh dev server does not discover them
  // on first use and reload the page (which would lose what the learner just did).
  optimizeDeps: {
    include: [
      'monaco-editor/editor/editor.api',
      'monaco-editor/features/register.all',
      'monaco-editor/languages/definitions/javascript/register',
      'monaco-editor/languages/definitions/typescript/register',
      'monaco-editor/languages/features/typescript/register',
      '@xterm/xterm',
      '@xterm/addon-fit',
    ],
  },
  build: {
    manifest: true, // read by scripts/size-budget.ts
    chunkSizeWarningLimit: 4096, // Monaco is large and lazy; the first-load budget is checked instead
  },
  test: {
    include: ['app/**/*.test.ts', 'lessons/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
  },
});
