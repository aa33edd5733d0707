/**
 * A plain static file host, as a learner gets on any static hosting: files from a folder under
 * a sub-path, nothing else. No WebSocket upgrade handler, no playground header, so the page
 * must fall back to its loopback. Files are sent as a good static host sends them (Netlify,
 * Cloudflare Pages, nginx with brotli_static): the precompressed sibling, ETag/304, caching. Used by the `static` Playwright project and by specs that
 * want to see every request.
 *
 *   tsx scripts/static-host.ts --dir dist --base /playground/ --port 4173
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sendFile } from '../app/server/send-file.ts';
import { cacheControlFor, findFile } from '../app/server/static.ts';

export interface StaticHost {
  /** e.g. http://127.0.0.1:4173/playground/ */
  url: string;
  /** Every request seen, whether it asked to upgrade to WebSocket, and the status answered. */
  seen: { method: string; path: string; upgrade: boolean; status?: number }[];
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
    const entry: StaticHost['seen'][number] = {
      method: req.method ?? '',
      path: url.pathname,
      upgrade: req.headers.upgrade !== undefined,
    };
    seen.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const served = url.pathname.startsWith(base)
      ? findFile(root, url.pathname.slice(base.length - 1))
      : Promise.resolve(null);
    served
      .then((file) => {
        if (!file) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        // As a good static host does: precompressed files, ETag/304, long caching for hashed assets.
        else return sendFile(req, res, file, cacheControlFor(root, file.path));
      })
      .catch(() => res.destroy());
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
