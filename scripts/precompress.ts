/**
 * `precompress()`: a Vite plugin writing `x.br` (brotli, quality 11) and `x.gz` (gzip, level 9)
 * next to every compressible file of the build, once the build (service worker included) is
 * written. Servers send the sibling the client accepts (app/server/send-file.ts) instead of
 * compressing on every request, so a class of 100 gets the best ratio for the cost of one build.
 *
 * Why our own: node:zlib does all of it in a few lines, with exactly the rules we want (skip
 * tiny files, keep a sibling only when it is smaller), and adds no dependency to keep up with
 * Vite's majors.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

export const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|wasm|txt|webmanifest|map|ttf)$/i;
/** Below this a compressed body saves less than a packet's headers and framing cost. */
export const MIN_BYTES = 1024;
const BINARY = /\.(wasm|ttf)$/i;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

export interface Compressed {
  file: string;
  raw: number;
  /** Size of the sibling written, or null when none was (it would not have been smaller). */
  br: number | null;
  gz: number | null;
}

/** Every file under `dir`, recursively, skipping dot-folders (Vite's .vite/ manifest). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function writeIfSmaller(file: string, raw: number, body: Buffer): Promise<number | null> {
  if (body.length >= raw) return null;
  await fs.writeFile(file, body);
  return body.length;
}

function compressBrotli(data: Buffer, file: string): Promise<Buffer> {
  return brotli(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_MODE]: BINARY.test(file)
        ? zlib.constants.BROTLI_MODE_GENERIC
        : zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

/**
 * Brotli at quality 11 takes ~10 s per MB on a busy 2-core machine, and most of a build (Monaco,
 * its workers, xterm) does not change between builds: results are kept by content hash in
 * `cacheDir`, so a rebuild compresses only what changed.
 */
async function cached(
  cacheDir: string | undefined,
  key: string,
  make: () => Promise<Buffer>,
  used: Set<string>,
): Promise<Buffer> {
  if (cacheDir === undefined) return make();
  const file = path.join(cacheDir, key);
  used.add(key);
  const hit = await fs.readFile(file).catch(() => undefined);
  if (hit) return hit;
  const made = await make();
  await fs.mkdir(cacheDir, { recursive: true });
  // Written aside then renamed, so a build running beside this one never reads half a file.
  const partial = `${file}.${process.pid}.tmp`;
  await fs.writeFile(partial, made);
  await fs.rename(partial, file);
  return made;
}

/** Compresses one file; tiny or incompressible files get no sibling. */
export async function compressFile(
  file: string,
  cacheDir?: string,
  used: Set<string> = new Set(),
): Promise<Compressed> {
  const data = await fs.readFile(file);
  if (data.length < MIN_BYTES) return { file, raw: data.length, br: null, gz: null };
  const key = createHash('sha256').update(data).digest('hex');
  const [br, gz] = await Promise.all([
    // The settings are part of the key: changing them never reuses an old result.
    cached(cacheDir, `${key}-q11${BINARY.test(file) ? 'b' : 't'}.br`, () => compressBrotli(data, file), used),
    cached(cacheDir, `${key}-l9.gz`, () => gzip(data, { level: 9 }), used),
  ]);
  return {
    file,
    raw: data.length,
    br: await writeIfSmaller(`${file}.br`, data.length, br),
    gz: await writeIfSmaller(`${file}.gz`, data.length, gz),
  };
}

/**
 * Compresses every compressible file under `dir` (zlib runs on libuv's thread pool). With a
 * cache folder, entries this build did not use are removed, so it holds one build's worth.
 */
export async function precompressDir(dir: string, cacheDir?: string): Promise<Compressed[]> {
  const files = (await listFiles(dir)).filter((f) => COMPRESSIBLE.test(f));
  const used = new Set<string>();
  const done = await Promise.all(files.map((f) => compressFile(f, cacheDir, used)));
  if (cacheDir !== undefined) {
    const stale = (await fs.readdir(cacheDir).catch(() => [])).filter(
      (name) => !used.has(name) && !name.endsWith('.tmp'),
    );
    await Promise.all(stale.map((name) => fs.rm(path.join(cacheDir, name), { force: true })));
  }
  return done;
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;

export function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'websocket-playground-precompress',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    // After every other plugin's closeBundle, so the service worker (vite-plugin-pwa writes it
    // there) is compressed too.
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler(error) {
        if (error) return;
        const started = performance.now();
        const done = await precompressDir(
          path.resolve(config.root, config.build.outDir),
          path.join(config.cacheDir, 'precompress'),
        );
        const sum = (pick: (c: Compressed) => number): number => done.reduce((n, c) => n + pick(c), 0);
        config.logger.info(
          `precompressed ${done.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
            `${mb(sum((c) => c.raw))} raw, ${mb(sum((c) => c.br ?? c.raw))} brotli, ${mb(sum((c) => c.gz ?? c.raw))} gzip`,
        );
      },
    },
  };
}
