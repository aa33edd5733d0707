/**
 * Static file serving for the standalone server: the built site in dist/.
 * GET and HEAD only; MIME types by extension; `index.html` for directories and as the
 * single-page-app fallback for paths that look like pages; nothing outside the root is ever
 * read (the decoded path is resolved and checked against the root, NUL and `..` refused).
 */
import { statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendFile, statAsync, type FoundFile } from './send-file.ts';

/**
 * The file for a URL path inside `root`, or null when the path is malformed or escapes it.
 * Pure, so it is tested on its own.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, '.' + path.posix.normalize('/' + decoded));
  const rel = path.relative(base, full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return full;
}

export interface StaticHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Whether the root existed when the handler was made (for the start-up banner). */
  readonly built: boolean;
}

/** A request handler serving `root`; `notBuiltPage` is served at every path when root is absent. */
export function createStaticHandler(root: string, notBuiltPage: string): StaticHandler {
  const base = path.resolve(root);
  // Once at start-up: whether dist/ exists decides what is served.
  const built = statSyncSafe(base)?.isDirectory() ?? false;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    serve(base, notBuiltPage, req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', req.method === 'HEAD');
      else res.destroy();
    });
  };
  return Object.assign(handler, { built });
}

function statSyncSafe(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

async function serve(
  base: string,
  notBuiltPage: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', head);
    return;
  }
  const urlPath = (req.url ?? '/').split('?')[0]?.split('#')[0] ?? '/';
  // Checked per request, so a build made while the server runs is picked up.
  if (!(await statAsync(base))?.isDirectory()) {
    send(
      res,
      urlPath === '/' || urlPath === '/index.html' ? 200 : 404,
      'text/html; charset=utf-8',
      notBuiltPage,
      head,
    );
    return;
  }
  if (resolveInside(base, urlPath) === null) {
    send(res, 400, 'text/plain; charset=utf-8', 'bad path\n', head);
    return;
  }
  let found = await findFile(base, urlPath);
  if (!found) {
    // Single-page app: a path without an extension (or one asking for HTML) gets index.html.
    const wantsPage = path.extname(urlPath) === '' || (req.headers.accept ?? '').includes('text/html');
    found = wantsPage ? await findFile(base, '/index.html') : null;
    if (!found) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
      return;
    }
  }
  await sendFile(req, res, found, cacheControlFor(base, found.path));
}

/** A file for a URL path inside `base` (a directory means its index.html), or null. */
export async function findFile(base: string, urlPath: string): Promise<FoundFile | null> {
  const file = resolveInside(base, urlPath);
  if (file === null) return null;
  const stats = await statAsync(file);
  if (stats?.isDirectory()) return findFile(base, path.posix.join(urlPath, 'index.html'));
  return stats?.isFile() ? { path: file, stats } : null;
}

/**
 * Connect-style middleware for `vite preview`: files of the build that exist are sent like
 * `serve` sends them (precompressed, ETag/304, caching); anything else goes on to Vite.
 * `base` is Vite's (an absolute one is stripped; `./` means the site is at /).
 */
export function createFileMiddleware(
  root: string,
  base = '/',
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const prefix = base.startsWith('/') ? base.replace(/\/?$/, '/') : '/';
  return (req, res, next) => {
    const urlPath = (req.url ?? '/').split('?')[0] ?? '/';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !urlPath.startsWith(prefix)) return next();
    findFile(root, urlPath.slice(prefix.length - 1))
      .then((found) => (found ? sendFile(req, res, found, cacheControlFor(root, found.path)) : next()))
      .catch(() => (res.headersSent ? res.destroy() : next()));
  };
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Vite's hashed assets (under assets/) never change; everything else is revalidated. */
export function cacheControlFor(base: string, file: string): string {
  return path.relative(base, file).startsWith('assets' + path.sep) ? IMMUTABLE : 'no-cache';
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': bytes.length,
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(head ? undefined : bytes);
}
