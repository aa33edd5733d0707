/**
 * `import workerScript from 'virtual:sandbox-worker'`: the sandbox worker (runtime/worker-entry.ts
 * and everything it imports) bundled into one script, as a string. The iframe starts it from a
 * blob: inside its opaque origin no module of the app can be fetched, so the worker must be one
 * self-contained script. Rolldown (Vite's own bundler) builds it when the module is first loaded,
 * the same way in `vite` (dev; a change to any of its files rebuilds it), `vite build` (minified)
 * and Vitest.
 */
import { rolldown } from 'rolldown';
import type { Plugin } from 'vite';

export const SANDBOX_WORKER_ID = 'virtual:sandbox-worker';
const RESOLVED = `\0${SANDBOX_WORKER_ID}`;

/** The worker bundled from `entry` (an absolute path), as a self-contained classic script. */
export async function bundleSandboxWorker(
  entry: string,
  minify: boolean,
): Promise<{ code: string; files: string[] }> {
  const bundle = await rolldown({ input: entry, platform: 'browser', logLevel: 'warn' });
  try {
    const { output } = await bundle.generate({ format: 'iife', minify });
    const chunk = output[0];
    return { code: `"use strict";\n${chunk.code}`, files: await bundle.watchFiles };
  } finally {
    await bundle.close();
  }
}

export function sandboxWorkerPlugin(entry: string): Plugin {
  let minify = false;
  return {
    name: 'sandbox-worker',
    configResolved(config) {
      minify = config.command === 'build';
    },
    resolveId(id) {
      return id === SANDBOX_WORKER_ID ? RESOLVED : undefined;
    },
    async load(id) {
      if (id !== RESOLVED) return undefined;
      const { code, files } = await bundleSandboxWorker(entry, minify);
      for (const file of files) this.addWatchFile(file);
      return `export default ${JSON.stringify(code)};`;
    },
  };
}
