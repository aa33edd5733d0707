/**
 * The first-load budget: the JS the page needs before any editor opens, gzipped.
 *
 * Walks Vite's manifest from index.html through static imports only (dynamic imports load
 * later, when their part is shown) and gzips each chunk. Fails when the sum passes the budget
 * or when Monaco or xterm sneak into the first load.
 *
 * Why 50 KB: the first screen is the header, the lesson column's frame, the connection lab (its
 * form, readyState track and composer, nothing connected yet), the inspector's empty frame list
 * and the folded code area: Svelte's runtime, those components and their state, and the
 * engine's opcode names, UTF-8, close codes and base64 (engine-basics.ts) came to 49.0 KB once
 * the sessions (the codec, the session log, the timeline) loaded after the first screen, 48.4 KB
 * with the modules it shares in one chunk. 50 KB leaves 1.6 KB for fixes to what is shown, as
 * other work lands beside this; the sessions alone are about 8 KB and the bit view
 * about 5 KB, so either one turned back into a static import fails the build. Everything else loads
 * when it is needed: the sessions and the lessons' player and content (after the first screen;
 * Connect waits for the sessions), the code area (unfolded, a lesson opened, a share link), the
 * bit view (a frame picked), the handshake and paste-and-decode views (their tab),
 * import/export, the in-page network and its controls, the relay's offer, the sandbox, Monaco
 * (~1 MB) and xterm (~85 KB). 50 KB is about 0.25 s on a slow 3G link (1.6 Mbit/s).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const FIRST_LOAD_BUDGET_BYTES = 50 * 1024;
/** Monaco (its core chunk is named after its `editor.api` module) and xterm: only when shown. */
const LAZY_ONLY = /monaco|editor\.api|xterm/i;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

export function firstLoadChunks(manifest: Record<string, ManifestChunk>): string[] {
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry);
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const next of manifest[key]?.imports ?? []) visit(next);
  };
  entries.forEach(visit);
  return [...seen].map((key) => manifest[key]!.file).filter((file) => file.endsWith('.js'));
}

/** The first-load files that must load only when shown (Monaco, xterm). */
export function eagerEditors(files: readonly string[]): string[] {
  return files.filter((f) => LAZY_ONLY.test(f));
}

function main(dist = 'dist'): void {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const files = firstLoadChunks(manifest);
  let total = 0;
  for (const file of files) {
    const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
    total += size;
    console.log(`  ${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`);
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`first-load JS (gzip): ${kb(total)} of ${kb(FIRST_LOAD_BUDGET_BYTES)} budget`);
  const eager = eagerEditors(files);
  if (eager.length) {
    console.error(`budget: these must load lazily, only when shown: ${eager.join(', ')}`);
    process.exit(1);
  }
  if (total > FIRST_LOAD_BUDGET_BYTES) {
    console.error(`budget: first-load JS is over budget by ${kb(total - FIRST_LOAD_BUDGET_BYTES)}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv[2]);
