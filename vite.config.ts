import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  base: './',
  plugins: [svelte()],
  build: {
    manifest: true, // read by scripts/size-budget.ts
    chunkSizeWarningLimit: 4096, // Monaco is large and lazy; the first-load budget is checked instead
  },
  test: {
    include: ['app/**/*.test.ts', 'lessons/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
  },
});
