import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playgroundServer } from './app/server/vite-plugin.ts';
import { lessonsPlugin } from './app/lessons/build/vite-plugin.ts';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './scripts/precompress.ts';
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
    // Offline: a service worker precaching the whole build, in `vite build` only (never in dev).
    // Registered by app/ui/shell/offline.ts after the page has loaded; an update waits for the
    // learner's "Reload" (prompt), so a lesson is never reloaded midway.
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      devOptions: { enabled: false },
      workbox: {
        // The app shell, every lesson chunk, Monaco, xterm, their workers and the editor's font:
        // a lesson that opens the code panel must run offline too.
        globPatterns: ['**/*.{js,css,html,svg,ttf,wasm,json}'],
        globIgnores: ['.vite/**'],
        // The TypeScript worker alone is ~7 MB raw (~1 MB on the wire with brotli).
        maximumFileSizeToCacheInBytes: 10 * 1024 * 1024,
        // Only precached files are answered: no navigation fallback, so the Node server's paths
        // (/echo's 426, /poll, /long-poll, /__tap) always reach the network. Deep links are `#`
        // routes, which never reach a service worker.
        navigateFallback: null,
        // The first install takes the open page at once, so it works offline without a reload.
        clientsClaim: true,
        cleanupOutdatedCaches: true,
      },
    }),
    // Last: compresses what every plugin above wrote, the service worker included.
    precompress(),
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
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              // The small modules the first screen shares with lazy parts (the engine's names
              // in engine-basics.ts, the tap's reader, the lab's events) in one chunk, not six:
              // on a phone each request costs a round trip before the first paint (Lighthouse
              // mobile, median of 3: FCP 2.17 -> 1.76 s, LCP 2.71 -> 2.28 s, performance 93 -> 96).
              name: 'first',
              test: /app\/(protocol\/(base64|utf8|close-codes|opcodes|types)|ui\/lib\/engine-basics|ui\/(lab|connection|transport)\/(.*\/)?(events|session-json|tap-client)|services\/(server-header|wire-json))\.ts$/,
            },
          ],
        },
      },
    },
    chunkSizeWarningLimit: 4096, // Monaco is large and lazy; the first-load budget is checked instead
  },
  test: {
    include: ['app/**/*.test.ts', 'lessons/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
  },
});
