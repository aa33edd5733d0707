/**
 * Sending one file of the built site: the precompressed sibling the client accepts (`x.js.br`,
 * `x.js.gz`, written by the build), a strong ETag from the bytes sent, 304 on a match.
 * Used by `serve`/`classroom` (static.ts), `vite preview` (vite-plugin.ts) and the plain static
 * host of the e2e tests (scripts/static-host.ts). No Range support: every asset is small once
 * compressed and nothing here streams media, so a range request gets the whole file (200), which
 * RFC 9110 14.2 allows.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { chooseEncoding, CODINGS, etagMatches, SUFFIX, type Coding } from './encoding.ts';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml',
};

export function mimeType(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface FoundFile {
  path: string;
  stats: Stats;
}

export async function statAsync(p: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(p);
  } catch {
    return undefined;
  }
}

/** ETags by file, valid while its size and mtime stay the same (a rebuild changes both). */
const etags = new Map<string, { stamp: string; etag: string }>();
const MAX_ETAGS = 10_000;

/** A strong validator (RFC 9110 8.8.3) from the bytes themselves: equal bytes, equal tag. */
export async function etagOf(file: FoundFile): Promise<string> {
  const stamp = `${file.stats.size}:${file.stats.mtimeMs}`;
  const known = etags.get(file.path);
  if (known?.stamp === stamp) return known.etag;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file.path)) hash.update(chunk as Buffer);
  const etag = `"${hash.digest('base64url').slice(0, 27)}"`;
  if (etags.size >= MAX_ETAGS) etags.clear();
  etags.set(file.path, { stamp, etag });
  return etag;
}

/** The precompressed siblings of a file; one older than the file itself is stale and ignored. */
async function siblings(file: FoundFile): Promise<Map<Coding, FoundFile>> {
  const found = new Map<Coding, FoundFile>();
  for (const coding of CODINGS) {
    const p = file.path + SUFFIX[coding];
    const stats = await statAsync(p);
    if (stats?.isFile() && stats.mtimeMs >= file.stats.mtimeMs) found.set(coding, { path: p, stats });
  }
  return found;
}

/** Answers a GET or HEAD for `file` with the given Cache-Control. */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: FoundFile,
  cacheControl: string,
): Promise<void> {
  const available = await siblings(file);
  const coding = chooseEncoding(req.headers['accept-encoding'], [...available.keys()]);
  const body = coding === 'identity' ? file : available.get(coding)!;
  // Each coding is its own representation with its own tag (8.8.3: a strong tag changes with
  // the content coding), so a cache never mixes a br body with a gzip validator.
  const etag = await etagOf(body);
  const common: Record<string, string> = {
    ETag: etag,
    'Cache-Control': cacheControl,
    // 12.5.5: the body depends on Accept-Encoding, so shared caches must key on it.
    Vary: 'Accept-Encoding',
  };
  if (etagMatches(req.headers['if-none-match'], etag)) {
    // 15.4.5: a 304 carries the validator and the caching headers, no body.
    res.writeHead(304, common);
    res.end();
    return;
  }
  res.writeHead(200, {
    ...common,
    'Content-Type': mimeType(file.path),
    'Content-Length': body.stats.size,
    ...(coding === 'identity' ? {} : { 'Content-Encoding': coding }),
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD' || body.stats.size === 0) {
    res.end();
    return;
  }
  // Exactly the bytes announced: a file rewritten while it is sent (a rebuild) must not put
  // more bytes on the connection than Content-Length says, which would corrupt the next answer.
  const stream = createReadStream(body.path, { start: 0, end: body.stats.size - 1 });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
