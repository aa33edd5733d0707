/**
 * The standalone server sends the build's precompressed files: the coding the client accepts,
 * a strong ETag per representation, 304 on a match, caching by kind of file. A real server on
 * a free loopback port, read with node:http (which, unlike fetch, never decodes the body).
 */
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standalone } from './standalone.ts';
import { startTestServer } from './test-helpers.ts';

let dir: string;
let server: Standalone;
const SCRIPT = Buffer.from('export const greeting = "hello, class";\n'.repeat(100));
const PAGE = Buffer.from(`<!doctype html><title>playground</title>${'<p>lesson</p>'.repeat(200)}`);

function writeWithSiblings(file: string, body: Buffer): void {
  writeFileSync(file, body);
  writeFileSync(`${file}.br`, brotliCompressSync(body));
  writeFileSync(`${file}.gz`, gzipSync(body));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wsp-send-'));
  mkdirSync(path.join(dir, 'assets'));
  writeWithSiblings(path.join(dir, 'assets', 'app-1234.js'), SCRIPT);
  writeWithSiblings(path.join(dir, 'index.html'), PAGE);
  writeWithSiblings(path.join(dir, 'sw.js'), SCRIPT);
  // Only a gzip sibling; and a file whose siblings are older than itself (a stale build).
  writeFileSync(path.join(dir, 'assets', 'gz-only.js'), SCRIPT);
  writeFileSync(path.join(dir, 'assets', 'gz-only.js.gz'), gzipSync(SCRIPT));
  writeWithSiblings(path.join(dir, 'assets', 'stale.js'), SCRIPT);
  const past = new Date(Date.now() - 60_000);
  utimesSync(path.join(dir, 'assets', 'stale.js.br'), past, past);
  utimesSync(path.join(dir, 'assets', 'stale.js.gz'), past, past);
  server = await startTestServer({ root: dir });
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: target, method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('content coding', () => {
  it('sends the brotli file to a client accepting br, with its own length and Vary', async () => {
    const r = await get('/assets/app-1234.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(brotliDecompressSync(r.body)).toEqual(SCRIPT);
  });

  it('sends gzip when br is not accepted, or weighs less', async () => {
    for (const accept of ['gzip', 'br;q=0.2, gzip;q=0.9']) {
      const r = await get('/assets/app-1234.js', { 'accept-encoding': accept });
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(Number(r.headers['content-length'])).toBe(r.body.length);
      expect(gunzipSync(r.body)).toEqual(SCRIPT);
    }
  });

  it('sends the file as it is with no Accept-Encoding or none that fits', async () => {
    const cases: Record<string, string>[] = [
      {},
      { 'accept-encoding': 'zstd' },
      { 'accept-encoding': 'br;q=0, gzip;q=0' },
    ];
    for (const headers of cases) {
      const r = await get('/assets/app-1234.js', headers);
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.headers['content-length']).toBe(String(SCRIPT.length));
      expect(r.body).toEqual(SCRIPT);
    }
  });

  it('uses only the siblings that exist and are not older than the file', async () => {
    const gz = await get('/assets/gz-only.js', { 'accept-encoding': 'br, gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const stale = await get('/assets/stale.js', { 'accept-encoding': 'br, gzip' });
    expect(stale.headers['content-encoding']).toBeUndefined();
    expect(stale.body).toEqual(SCRIPT);
  });

  it('answers HEAD with the headers of the GET it stands for and no body', async () => {
    const getR = await get('/assets/app-1234.js', { 'accept-encoding': 'br' });
    const head = await get('/assets/app-1234.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const name of ['content-encoding', 'content-length', 'etag', 'cache-control', 'vary'])
      expect(head.headers[name]).toBe(getR.headers[name]);
  });

  it('serves the page compressed at / and for an app route', async () => {
    for (const target of ['/', '/index.html', '/lessons/masking']) {
      const r = await get(target, { 'accept-encoding': 'br', accept: 'text/html' });
      expect(r.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(r.body)).toEqual(PAGE);
    }
  });
});

describe('caching', () => {
  it('marks hashed assets immutable for a year, and the page and sw.js no-cache', async () => {
    const asset = await get('/assets/app-1234.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const target of ['/', '/sw.js'])
      expect((await get(target)).headers['cache-control']).toBe('no-cache');
  });

  it('gives each coding of a file its own strong ETag', async () => {
    const tags = await Promise.all(
      ['br', 'gzip', 'identity'].map(async (c) => (await get('/', { 'accept-encoding': c })).headers.etag),
    );
    for (const tag of tags) expect(tag).toMatch(/^"[\w-]{27}"$/); // strong: no W/ prefix
    expect(new Set(tags).size).toBe(3);
  });

  it('answers 304 with no body when If-None-Match holds the current tag', async () => {
    const first = await get('/', { 'accept-encoding': 'br' });
    const again = await get('/', { 'accept-encoding': 'br', 'if-none-match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['cache-control']).toBe('no-cache');
    expect(again.headers.vary).toBe('Accept-Encoding');
  });

  it('answers 200 when the tag is for another coding or an older file', async () => {
    const br = await get('/', { 'accept-encoding': 'br' });
    const asGzip = await get('/', { 'accept-encoding': 'gzip', 'if-none-match': br.headers.etag! });
    expect(asGzip.status).toBe(200);
    expect(asGzip.headers['content-encoding']).toBe('gzip');
    expect((await get('/', { 'if-none-match': '"an-old-build"' })).status).toBe(200);
  });

  it('changes the ETag when the file changes', async () => {
    const file = path.join(dir, 'assets', 'gz-only.js');
    const before = (await get('/assets/gz-only.js')).headers.etag;
    writeFileSync(file, Buffer.concat([SCRIPT, Buffer.from('// v2\n')]));
    const after = await get('/assets/gz-only.js', { 'if-none-match': before! });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before);
  });
});
