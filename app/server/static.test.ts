/** Static serving of dist/: MIME types, index fallback, no way out of the root. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standalone } from './standalone.ts';
import { resolveInside } from './static.ts';
import { RawClient, startTestServer } from './test-helpers.ts';

let dir: string;
let root: string;
let server: Standalone;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wsp-static-'));
  root = path.join(dir, 'dist');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>playground</title>');
  writeFileSync(path.join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'assets', 'app-1234.css'), 'body{}');
  writeFileSync(path.join(root, 'favicon.svg'), '<svg/>');
  writeFileSync(path.join(root, 'engine.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  // A secret next to the root, which no URL may reach.
  writeFileSync(path.join(dir, 'secret.txt'), 'TOP SECRET');
  server = await startTestServer({ root });
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const url = (p: string): string => `http://127.0.0.1:${server.port}${p}`;

/** A request sent byte for byte (fetch would normalise the dots away). */
async function rawGet(target: string): Promise<string> {
  const c = await RawClient.connect(server.port);
  c.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await c.ended;
  return c.buffer.toString('latin1');
}

describe('static files', () => {
  it('serves index.html at / with its MIME type', async () => {
    const r = await fetch(url('/'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    // The page's mode probe (app/loopback/mode.ts) finds the real endpoints by this header.
    expect(r.headers.get('x-websocket-playground')).toBe('1');
    expect(await r.text()).toContain('<title>playground</title>');
  });

  it('serves assets with the right MIME types, hashed ones as immutable', async () => {
    const js = await fetch(url('/assets/app-1234.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await fetch(url('/assets/app-1234.css'))).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await fetch(url('/favicon.svg'))).headers.get('content-type')).toBe('image/svg+xml');
    expect((await fetch(url('/engine.wasm'))).headers.get('content-type')).toBe('application/wasm');
  });

  it('falls back to index.html for app routes, and 404s for missing files', async () => {
    const page = await fetch(url('/lessons/masking'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('playground');
    expect((await fetch(url('/assets/missing.js'))).status).toBe(404);
  });

  it('answers HEAD without a body and refuses POST with 405', async () => {
    const head = await fetch(url('/assets/app-1234.js'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
    expect(await head.text()).toBe('');
    expect((await fetch(url('/'), { method: 'POST', body: 'x' })).status).toBe(405);
  });

  for (const target of [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%5csecret.txt',
    '/%00',
    '/%E0%A4%A',
  ]) {
    it(`never serves outside the root: ${target}`, async () => {
      const answer = await rawGet(target);
      expect(answer).not.toContain('TOP SECRET');
      expect(answer).toMatch(/^HTTP\/1\.1 (200|400|404)/);
    });
  }

  it('resolveInside keeps every path inside the root', () => {
    const r = path.resolve('/srv/dist');
    expect(resolveInside(r, '/index.html')).toBe(path.join(r, 'index.html'));
    expect(resolveInside(r, '/a/../b.js')).toBe(path.join(r, 'b.js'));
    expect(resolveInside(r, '/../../etc/passwd')).toBe(path.join(r, 'etc/passwd'));
    expect(resolveInside(r, '/%2e%2e/x')).toBe(path.join(r, 'x'));
    expect(resolveInside(r, '/x%00.js')).toBeNull();
    expect(resolveInside(r, '/%zz')).toBeNull();
    expect(resolveInside(r, '/a\\..\\..\\x')).toBeNull();
  });

  it('serves a page naming the endpoints when dist/ is not built', async () => {
    const bare = await startTestServer();
    try {
      const r = await fetch(`http://127.0.0.1:${bare.port}/`);
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text).toContain('npm run build');
      expect(text).toContain('/echo');
      expect(bare.built).toBe(false);
    } finally {
      await bare.stop();
    }
  });
});
