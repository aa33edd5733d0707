/** The build's precompression: siblings for compressible files, none for tiny or incompressible ones. */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { precompressDir } from './precompress.ts';

let dir: string;
const TEXT = 'const frame = { fin: true, opcode: 1 };\n'.repeat(200);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wsp-precompress-'));
  mkdirSync(path.join(dir, 'site', 'assets'), { recursive: true });
  mkdirSync(path.join(dir, 'site', '.vite'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const site = (...p: string[]): string => path.join(dir, 'site', ...p);

describe('precompressDir', () => {
  it('writes br and gz next to each compressible file, which decode to it', async () => {
    writeFileSync(site('assets', 'app.js'), TEXT);
    writeFileSync(site('index.html'), `<!doctype html>${TEXT}`);
    const done = await precompressDir(site());
    expect(done).toHaveLength(2);
    expect(brotliDecompressSync(readFileSync(site('assets', 'app.js.br'))).toString()).toBe(TEXT);
    expect(gunzipSync(readFileSync(site('assets', 'app.js.gz'))).toString()).toBe(TEXT);
    const js = done.find((c) => c.file.endsWith('app.js'))!;
    // Brotli at quality 11 beats gzip at level 9 on text.
    expect(js.br!).toBeLessThan(js.gz!);
    expect(js.gz!).toBeLessThan(js.raw / 4);
  });

  it('skips tiny files, files that do not shrink, other types and dot-folders', async () => {
    writeFileSync(site('tiny.js'), 'x=1');
    writeFileSync(site('noise.json'), randomBytes(4096)); // random bytes do not compress
    writeFileSync(site('photo.png'), TEXT);
    writeFileSync(site('.vite', 'manifest.json'), TEXT);
    const done = await precompressDir(site());
    expect(done.map((c) => path.basename(c.file)).sort()).toEqual(['noise.json', 'tiny.js']);
    expect(done.every((c) => c.br === null && c.gz === null)).toBe(true);
    expect(readdirSync(site()).sort()).toEqual(['.vite', 'assets', 'noise.json', 'photo.png', 'tiny.js']);
  });

  it('reuses results from the cache by content, and keeps only what the last build used', async () => {
    const cache = path.join(dir, 'cache');
    writeFileSync(site('a.js'), TEXT);
    await precompressDir(site(), cache);
    expect(readdirSync(cache)).toHaveLength(2); // one .br, one .gz
    // A poisoned cache entry shows that the second run read it instead of compressing again.
    const brEntry = readdirSync(cache).find((f) => f.endsWith('.br'))!;
    writeFileSync(path.join(cache, brEntry), 'from cache');
    await precompressDir(site(), cache);
    expect(readFileSync(site('a.js.br'), 'utf8')).toBe('from cache');
    // Another file's build: the old entries go.
    rmSync(site('a.js'));
    rmSync(site('a.js.br'));
    rmSync(site('a.js.gz'));
    writeFileSync(site('b.js'), `${TEXT}// b\n`);
    await precompressDir(site(), cache);
    expect(readdirSync(cache)).toHaveLength(2);
    expect(existsSync(path.join(cache, brEntry))).toBe(false);
  });
});
