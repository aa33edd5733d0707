/**
 * The behaviour harness as one classic script, for pages that cannot import our sources (the
 * static build): built in memory with Vite's own build API, then injected with addScriptTag.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

let cached: Promise<string> | undefined;

export function harnessBundle(): Promise<string> {
  cached ??= (async () => {
    const entry = fileURLToPath(new URL('./harness.ts', import.meta.url));
    const result = await build({
      configFile: false,
      logLevel: 'silent',
      publicDir: false,
      build: {
        write: false,
        minify: false,
        lib: { entry, formats: ['iife'], name: 'wspBehaviourHarness', fileName: () => 'harness.js' },
      },
    });
    const outputs = Array.isArray(result) ? result : [result];
    for (const out of outputs) {
      if (!('output' in out)) continue;
      for (const chunk of out.output) if (chunk.type === 'chunk' && chunk.isEntry) return chunk.code;
    }
    throw new Error('vite build gave no entry chunk for the behaviour harness');
  })();
  return cached;
}
