/**
 * `playgroundServer()`: the WebSocket endpoints on Vite's own port, in dev and in preview.
 *
 * - dev: Vite's HMR socket shares the server: upgrades offering its subprotocol (vite-hmr,
 *   vite-ping) are left to Vite untouched; any other unknown path gets a 404 rather than hanging.
 * - preview: Vite has no WebSocket of its own, so an unknown path gets a 404 instead of a
 *   socket that hangs; the build's files are sent precompressed (static.ts), as `serve` does.
 *   The dev server's files stay Vite's (modules transformed on request, nothing to precompress).
 * Each server gets its own services (its own chat room). Vite's close() destroys every socket
 * it knows, so the plugin wraps it: our connections get their 1001 close first (bounded wait).
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Plugin } from 'vite';
import { SERVER_HEADER } from '../services/index.ts';
import { parseAllowList } from './relay-target.ts';
import { createPlaygroundServer, type PlaygroundServerOptions, type UpgradeOptions } from './server.ts';
import { createFileMiddleware } from './static.ts';

/** Longest wait for our closing handshakes before Vite tears the sockets down. */
const CLOSE_GRACE_MS = 1_000;

interface Closable {
  httpServer: unknown;
  middlewares: {
    use(fn: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): void;
  };
  close(): Promise<void>;
  config: { base: string; logger: { info(msg: string, options?: { timestamp?: boolean }): void } };
}

function hook(server: Closable, options: PlaygroundServerOptions, upgrade: UpgradeOptions): void {
  const httpServer = server.httpServer as EventEmitter | null;
  if (!httpServer) return; // middleware mode: no server of ours to hang on
  const playground = createPlaygroundServer({
    base: server.config.base,
    log: (line) => server.config.logger.info(`[ws] ${line}`, { timestamp: true }),
    // The relay's targets besides loopback: WSP_RELAY_ALLOW=host:port,... npm run dev.
    relayAllow: parseAllowList([process.env['WSP_RELAY_ALLOW'] ?? '']),
    ...options,
  });
  server.middlewares.use((req, res, next) => {
    res.setHeader(SERVER_HEADER, '1'); // the page's probe looks for it (app/loopback/mode.ts)
    // A plain GET to an endpoint: 426 saying so, not the page (see handleRequest).
    if (!playground.handleRequest(req, res)) next();
  });
  playground.attach(httpServer, upgrade);
  const grace = Math.min(options.closeTimeout ?? CLOSE_GRACE_MS, CLOSE_GRACE_MS);
  const close = server.close.bind(server);
  server.close = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      playground.close(1001, 'server shutting down'),
      new Promise<void>((r) => (timer = setTimeout(r, grace))),
    ]);
    clearTimeout(timer);
    return close();
  };
  httpServer.once('close', () => void playground.close(1001, 'server shutting down'));
}

/** Vite's own sockets (HMR and its reconnect ping) announce themselves by subprotocol. */
export function isViteSocket(req: { headers: Record<string, string | string[] | undefined> }): boolean {
  const offered = req.headers['sec-websocket-protocol'];
  return /\bvite-(hmr|ping)\b/.test(Array.isArray(offered) ? offered.join(',') : (offered ?? ''));
}

export function playgroundServer(options: PlaygroundServerOptions = {}): Plugin {
  return {
    name: 'websocket-playground-server',
    configureServer(server) {
      hook(server, options, { leave: isViteSocket });
    },
    configurePreviewServer(server) {
      hook(server, options, { unknown: 'reject' });
      // The build as `serve` sends it (precompressed, ETag/304, immutable assets), ahead of
      // Vite's own static files, which it would gzip on every request.
      const { root, base, build } = server.config;
      server.middlewares.use(createFileMiddleware(path.resolve(root, build.outDir), base));
    },
  };
}
