/**
 * The first-load budget: the JS the page needs before any editor opens, gzipped.
 *
 * Walks Vite's manifest from index.html through static imports only (dynamic imports load
 * later, when their panel is shown) and gzips each chunk. Fails when the sum passes the budget
 * or when Monaco or xterm sneak into the first load.
 *
 * Why 120 KB: the shell with Svelte is ~17 KB; the engine, the connection lab, the inspector
 * and the lesson runner are estimated at 60-80 KB more. 120 KB gzipped is under a second on a
 * slow 3G link (1.6 Mbit/s) and leaves headroom without inviting bloat. Monaco (~1 MB gzipped)
 * and xterm (~85 KB) are excluded by design: they load when shown; so do the loopback network
 * and the code sandbox (with the first loopback connection, the first run).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const FIRST_LOAD_BUDGET_BYTES = 120 * 1024;
const LAZY_ONLY = /monaco|xterm/i;

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
  const eager = files.filter((f) => LAZY_ONLY.test(f));
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
