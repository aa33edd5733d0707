/**
 * The standalone server: one http.Server that serves dist/ and the WebSocket endpoints.
 * Used by the CLI (serve, classroom), the tests and the benchmark.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SERVER_HEADER, SERVICE_PATHS } from '../services/index.ts';
import type { ClassroomHost } from './classroom.ts';
import { createPlaygroundServer, type PlaygroundServer, type PlaygroundServerOptions } from './server.ts';
import { createStaticHandler } from './static.ts';

export const DEFAULT_ROOT = fileURLToPath(new URL('../../dist/', import.meta.url));
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface StandaloneOptions extends PlaygroundServerOptions {
  host?: string;
  port?: number;
  /** The built site; default dist/ at the project root. */
  root?: string;
  /** Time for a client to send a complete request head (then 408 and TCP closed). Default 10 s. */
  handshakeTimeout?: number;
  /** PEM certificate and key: the server speaks HTTPS and wss:// (TLS), its URLs say so. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The classroom (app/server/classroom.ts): its services, hooks and probe answer. */
  classroom?: ClassroomHost;
}

export interface Standalone {
  readonly server: http.Server | https.Server;
  readonly playground: PlaygroundServer;
  readonly host: string;
  readonly port: number;
  /** http://host:port/ with an IPv6 host in brackets. */
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Whether dist/ was there at start-up. */
  readonly built: boolean;
  /** Closes every WebSocket with 1001 (bounded by the close timeout), then the HTTP server. */
  stop(): Promise<void>;
}

export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function notBuiltPage(): string {
  const list = SERVICE_PATHS.map((p) => `<li><code>${p}</code></li>`).join('');
  return `<!doctype html><meta charset="utf-8"><title>WebSocket Playground server</title>
<h1>WebSocket Playground server</h1>
<p>The site is not built yet: run <code>npm run build</code>, then reload. The WebSocket endpoints work already:</p>
<ul>${list}</ul>
`;
}

export async function startStandalone(options: StandaloneOptions = {}): Promise<Standalone> {
  const host = options.host ?? '127.0.0.1';
  const handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const files = createStaticHandler(options.root ?? DEFAULT_ROOT, notBuiltPage());
  const classroom = options.classroom;
  const playground = createPlaygroundServer(
    classroom
      ? {
          ...options,
          services: classroom.services,
          onOpen: (info) => {
            classroom.hooks.onOpen(info);
            options.onOpen?.(info);
          },
          onClose: (info) => {
            classroom.hooks.onClose(info);
            options.onClose?.(info);
          },
        }
      : options,
  );
  const serverOptions: http.ServerOptions = {
    // The handshake timeout: a head must arrive within it (Node answers 408 and closes).
    headersTimeout: handshakeTimeout,
    requestTimeout: handshakeTimeout,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(handshakeTimeout / 4))),
    keepAliveTimeout: 5_000,
  };
  const handler: http.RequestListener = (req, res) => {
    res.setHeader(SERVER_HEADER, '1'); // the page's probe looks for it (app/loopback/mode.ts)
    if (classroom?.handleRequest(req, res)) return;
    if (!playground.handleRequest(req, res)) files(req, res);
  };
  const server = options.tls
    ? https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler)
    : http.createServer(serverOptions, handler);
  server.maxHeadersCount = 100;
  // Garbage instead of a request: Node's parser fails; answer 400 and close (never throw).
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.destroyed) {
      const status =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? '431 Request Header Fields Too Large'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      setTimeout(() => socket.destroy(), 1_000).unref();
    } else socket.destroy();
  });
  playground.attach(server, { unknown: 'reject' });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = hostForUrl(host);
  let stopping: Promise<void> | undefined;
  return {
    server,
    playground,
    host,
    port,
    httpUrl: `${options.tls ? 'https' : 'http'}://${shown}:${port}/`,
    wsUrl: `${options.tls ? 'wss' : 'ws'}://${shown}:${port}/echo`,
    built: files.built,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await playground.close(1001, 'server shutting down');
        server.closeAllConnections();
        await closed;
      })();
      return stopping;
    },
  };
}
