/**
 * A plain static file host, as a learner gets on any static hosting: files from a folder under
 * a sub-path, nothing else. No WebSocket upgrade handler, no playground header, so the page
 * must fall back to its loopback. Used by the `static` Playwright project and by specs that
 * want to see every request.
 *
 *   tsx scripts/static-host.ts --dir dist --base /playground/ --port 4173
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

export interface StaticHost {
  /** e.g. http://127.0.0.1:4173/playground/ */
  url: string;
  /** Every request seen, and whether it asked to upgrade to WebSocket. */
  seen: { method: string; path: string; upgrade: boolean }[];
  close(): Promise<void>;
}

export async function startStaticHost(options: {
  dir: string;
  base: string;
  port?: number;
}): Promise<StaticHost> {
  const root = resolve(options.dir);
  const base = options.base.endsWith('/') ? options.base : `${options.base}/`;
  const seen: StaticHost['seen'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    seen.push({ method: req.method ?? '', path: url.pathname, upgrade: req.headers.upgrade !== undefined });
    let rel = url.pathname.startsWith(base) ? decodeURIComponent(url.pathname.slice(base.length)) : undefined;
    if (rel === '' || rel?.endsWith('/')) rel += 'index.html';
    const file = rel === undefined ? '' : normalize(join(root, rel));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  // A static host has no WebSocket endpoints: an upgrade is refused like any unknown request.
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, base: { type: 'string' }, port: { type: 'string' } },
  });
  const host = await startStaticHost({
    dir: values.dir ?? 'dist',
    base: values.base ?? '/',
    port: values.port ? Number(values.port) : 0,
  });
  console.log(`static host: ${host.url}`);
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
