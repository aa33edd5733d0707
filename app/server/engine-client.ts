/**
 * A WebSocket client on the engine over node:net, for tests and the bench: the client role of
 * app/protocol against any server (`ws`, python websockets, ours), permessage-deflate included.
 * Not a product API: no TLS, no redirects, no timeouts of its own.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Connection } from '../protocol/connection.ts';
import { buildClientRequest, generateKey, validateServerResponse } from '../protocol/handshake.ts';
import { HeadReader, parseResponse } from '../protocol/http.ts';
import type { ConnectionEvent, Entropy } from '../protocol/types.ts';
import type { DeflateParams } from '../protocol/permessage-deflate.ts';
import { zlibCodec } from './zlib-codec.ts';

export const nodeEntropy: Entropy = { randomBytes: (n) => new Uint8Array(randomBytes(n)) };

export interface EngineClient {
  readonly connection: Connection;
  /** What the server's 101 agreed to (undefined: no compression). */
  readonly deflate: DeflateParams | undefined;
  readonly extensions: string;
  /** Every event so far, in order (frames included). */
  readonly events: ConnectionEvent[];
  /** Resolves with the next event of this type (already seen ones first). */
  next<T extends ConnectionEvent['kind']>(type: T): Promise<Extract<ConnectionEvent, { kind: T }>>;
  /** Writes what the connection queued (call after send*). */
  flush(): void;
  readonly socket: net.Socket;
}

export interface EngineClientOptions {
  /** Sec-WebSocket-Extensions offers, e.g. [BROWSER_DEFLATE_OFFER]. */
  extensions?: string[];
  maxMessageSize?: number;
}

/** Opens `url` (ws://host:port/path) and resolves once the 101 was checked. */
export function connectEngineClient(url: string, options: EngineClientOptions = {}): Promise<EngineClient> {
  const u = new URL(url);
  const key = generateKey(nodeEntropy);
  const offers = options.extensions ?? [];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const head = new HeadReader();
    const taken = new WeakSet<ConnectionEvent>();
    const events: ConnectionEvent[] = [];
    const waiters: Array<() => void> = [];
    let client: EngineClient | undefined;
    let conn: Connection | undefined;
    const pump = (): void => {
      if (conn === undefined) return;
      for (let e = conn.events(); e.length > 0; e = conn.events()) events.push(...e);
      for (const b of conn.dataToSend()) socket.write(b);
      if (conn.shouldCloseTransport) socket.end();
      for (const w of waiters.splice(0)) w();
    };
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(
        buildClientRequest({ host: u.host, path: u.pathname + u.search, key, extensions: offers }),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      let rest: Uint8Array = new Uint8Array(chunk);
      if (conn === undefined) {
        const r = head.push(rest);
        if (r.kind === 'more') return;
        if (r.kind === 'error') return reject(r.error);
        const p = parseResponse(r.text);
        if (!p.ok) return reject(p.error);
        const v = validateServerResponse(p.response, { key, extensions: offers });
        if (!v.ok) {
          socket.destroy();
          return reject(v.error);
        }
        const extensions = p.response.headers['sec-websocket-extensions'] ?? '';
        conn = new Connection({
          role: 'client',
          entropy: nodeEntropy,
          maxMessageSize: options.maxMessageSize ?? 1 << 24,
          protocol: v.protocol,
          extensions,
          ...(v.deflate !== undefined ? { deflate: { params: v.deflate, codec: zlibCodec() } } : {}),
        });
        const c = conn;
        client = {
          connection: c,
          deflate: v.deflate,
          extensions,
          events,
          socket,
          flush: pump,
          next(type) {
            return new Promise((res) => {
              const look = (): void => {
                const e = events.find((x) => x.kind === type && !taken.has(x));
                if (e === undefined) return void waiters.push(look);
                taken.add(e);
                res(e as never);
              };
              look();
            });
          },
        };
        resolve(client);
        rest = r.rest;
      }
      if (rest.length > 0) conn.receiveData(rest);
      pump();
    });
    socket.on('end', () => {
      conn?.receiveEof();
      pump();
    });
  });
}
