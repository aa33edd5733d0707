/** The Vite plugin on a real Vite dev and preview server (127.0.0.1, port 0). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, preview } from 'vite';
import { WebSocket } from 'ws';
import { playgroundServer } from './vite-plugin.ts';
import { RawClient, closed, inboxOf, openWs, requestHead, withTimeout } from './test-helpers.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wsp-vite-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>dev</title>');
  mkdirSync(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>built</title>');
  mkdirSync(path.join(dir, 'dist', 'assets'));
  writeFileSync(path.join(dir, 'dist', 'assets', 'app-1234.js'), ASSET);
  writeFileSync(path.join(dir, 'dist', 'assets', 'app-1234.js.br'), brotliCompressSync(ASSET));
});

const ASSET = 'export const lesson = "masking";\n'.repeat(64);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('playgroundServer() in vite dev', () => {
  it('serves /echo on the dev server’s port and leaves Vite’s HMR socket working', async () => {
    const server = await createServer({
      configFile: false,
      root: dir,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false },
      plugins: [playgroundServer()],
    });
    await server.listen();
    try {
      const port = (server.httpServer?.address() as AddressInfo).port;
      const ws = await openWs(`ws://127.0.0.1:${port}/echo`, ['json']);
      expect(ws.protocol).toBe('json');
      ws.send('dev echo');
      expect((await inboxOf(ws).next()).data).toBe('dev echo');

      // Vite's own WebSocket (HMR) still answers on the same port.
      const hmr = new WebSocket(`ws://127.0.0.1:${port}/?token=${server.config.webSocketToken}`, 'vite-hmr');
      const first = await withTimeout(
        new Promise<string>((resolve, reject) => {
          hmr.once('message', (d: Buffer) => resolve(d.toString()));
          hmr.once('error', reject);
        }),
        5_000,
        'HMR hello',
      );
      expect(JSON.parse(first)).toMatchObject({ type: 'connected' });
      hmr.terminate();

      // Any other unknown path gets a 404 at once, instead of a socket that hangs.
      const other = await RawClient.connect(port);
      other.write(requestHead('/not-ours', port));
      expect(await other.readHead()).toMatch(/^HTTP\/1\.1 404/);
      other.destroy();

      // A plain GET to an endpoint gets 426 saying what it is, not the dev page.
      const plain = await fetch(`http://127.0.0.1:${port}/echo`);
      expect(plain.status).toBe(426);
      expect(plain.headers.get('upgrade')).toBe('websocket');
      expect(await plain.text()).toContain('/echo is a WebSocket endpoint');

      // Every HTTP response says our server is here (the page's mode probe reads it).
      const page = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
      expect(page.headers.get('x-websocket-playground')).toBe('1');

      // The polling feed (for the lesson on why WebSockets): the feed's own head, byte for byte, with Vite's headers gone.
      const poll = await RawClient.connect(port);
      const pollRequest = `GET /poll?since=0 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n\r\n`;
      poll.write(pollRequest);
      const pollHead = await poll.readHead();
      poll.destroy();
      expect(pollHead).toContain(`\r\nX-Request-Head-Bytes: ${pollRequest.length}\r\n`);
      expect(pollHead).toMatch(
        /^HTTP\/1\.1 200 OK\r\nX-Request-Head-Bytes: \d+\r\nContent-Type: application\/json\r\nCache-Control: no-store\r\nX-WebSocket-Playground: 1\r\nContent-Length: \d+\r\nConnection: keep-alive\r\n\r\n$/,
      );

      const c = closed(ws);
      await server.close();
      expect((await c).code).toBe(1001);
    } finally {
      await server.close();
    }
  }, 30_000);
});

function startPreview(): ReturnType<typeof preview> {
  return preview({
    configFile: false,
    root: dir,
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    plugins: [playgroundServer()],
  });
}

describe('playgroundServer() in vite preview', () => {
  it('serves /echo and /chat, and answers an unknown path with 404', async () => {
    const server = await startPreview();
    try {
      const port = (server.httpServer.address() as AddressInfo).port;
      const ws = await openWs(`ws://127.0.0.1:${port}/echo`);
      ws.send(Buffer.from([1, 2, 3]));
      expect([...((await inboxOf(ws).next()).data as Buffer)]).toEqual([1, 2, 3]);
      const chat = await openWs(`ws://127.0.0.1:${port}/chat`);
      expect(JSON.parse((await inboxOf(chat).next()).data as string)).toMatchObject({
        type: 'presence',
        online: 1,
      });
      const plain = await fetch(`http://127.0.0.1:${port}/chat`);
      expect(plain.status).toBe(426);
      expect(await plain.text()).toContain('/chat is a WebSocket endpoint');
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      const unknown = await RawClient.connect(port);
      unknown.write(requestHead('/nope', port));
      expect(await unknown.readHead()).toMatch(/^HTTP\/1\.1 404/);
      await unknown.ended;
      const closes = [closed(ws), closed(chat)];
      await server.close();
      for (const c of await Promise.all(closes)) expect(c.code).toBe(1001);
    } finally {
      await server.close();
    }
  }, 30_000);
});

describe('vite preview sends the build as `serve` does', () => {
  it('sends the brotli file with a strong ETag, immutable caching, and 304 on revalidation', async () => {
    const server = await startPreview();
    try {
      const url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/assets/app-1234.js`;
      const r = await fetch(url, { headers: { 'accept-encoding': 'br' } });
      expect(r.headers.get('content-encoding')).toBe('br');
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('vary')).toBe('Accept-Encoding');
      expect(r.headers.get('x-websocket-playground')).toBe('1');
      expect(await r.text()).toBe(ASSET);
      const etag = r.headers.get('etag')!;
      expect(etag).toMatch(/^"/); // strong
      const again = await fetch(url, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
      expect(again.status).toBe(304);
      // The page is not precompressed here: identity, revalidated (not immutable).
      const page = await fetch(url.replace('assets/app-1234.js', ''), {
        headers: { 'accept-encoding': 'br' },
      });
      expect(page.headers.get('content-encoding')).toBeNull();
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(await page.text()).toContain('<title>built</title>');
    } finally {
      await server.close();
    }
  }, 30_000);
});
