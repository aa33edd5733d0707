/**
 * The `ws` package's server side, as learner code gets it from `require('ws')`:
 * `new WebSocketServer({ port })` (or `{ server }` with `http.createServer()`) listens on
 * ws://localhost:PORT of the page's virtual network (app/sandbox/network.ts). The page runs the
 * handshakes and connections; it asks this side (`srv:*`) for the learner's acceptKey and
 * verifyClient answers, and hands over each accepted connection as a ws socket (`conn:*`).
 */
import { STATUS_TEXT } from '../../protocol/http-status.ts';
import type { HostMessage, WorkerMessage } from '../protocol.ts';
import type { SandboxConsole } from './console.ts';
import { EventEmitter } from './event-emitter.ts';
import { NodeBuffer } from './node-buffer.ts';
import type { NodeWebSocket, NodeWebSocketClass } from './node-websocket.ts';

export interface ServerContext {
  post(m: WorkerMessage): void;
  setTimeout(fn: () => void, ms: number): unknown;
  console: SandboxConsole;
  /** A free port for `{ port: 0 }`. */
  randomPort(): number;
}

/** What verifyClient is given, as ws gives it. */
export interface VerifyInfo {
  origin: string | undefined;
  secure: boolean;
  req: {
    method: string;
    url: string;
    headers: Record<string, string>;
    socket: { remoteAddress: string; remotePort: number; remoteFamily: string };
  };
}

export function createWsServers(ctx: ServerContext, NodeWebSocket: NodeWebSocketClass) {
  let nextServerId = 1;
  const servers = new Map<number, WebSocketServer>();
  const conns = new Map<number, NodeWebSocket>();

  interface ServerOptions {
    port?: number;
    host?: string;
    path?: string;
    server?: HttpServer;
    noServer?: boolean;
    clientTracking?: boolean;
    handleProtocols?: unknown;
    /**
     * As ws: decides on each handshake before the 101 (4.2.2 item 4, 10.2). `(info) => boolean`
     * (false: 401), or `(info, done) => done(ok, status?, message?)`; info is `{ origin, secure,
     * req }`.
     */
    verifyClient?: (
      info: VerifyInfo,
      done?: (ok: unknown, code?: unknown, message?: unknown) => void,
    ) => unknown;
    /** As ws: the largest message accepted, in bytes; over it the connection fails with 1009. */
    maxPayload?: number;
    /** The playground's own: answers each handshake's Sec-WebSocket-Accept (4.2.2, lesson 2). */
    acceptKey?: (key: string) => string | PromiseLike<string>;
  }

  /** `new WebSocketServer({ port })`: listens on ws://localhost:PORT of the virtual network. */
  class WebSocketServer extends EventEmitter {
    clients: Set<NodeWebSocket>;
    options: ServerOptions;
    _sid = nextServerId++;
    _port: number | undefined;
    _state: 'idle' | 'listening' | 'closed' = 'idle';

    constructor(options: ServerOptions = {}, callback?: () => void) {
      super();
      this.options = options;
      this.clients = new Set();
      if (options.clientTracking === false) this.clients = undefined as unknown as Set<NodeWebSocket>;
      if (options.port === undefined && !options.server && !options.noServer) {
        throw new TypeError(
          'One and only one of the "port", "server", or "noServer" options must be specified',
        );
      }
      if (options.noServer) {
        throw new Error(
          'noServer and handleUpgrade are not available in the playground: use { port } (or { server } with http.createServer())',
        );
      }
      if (options.handleProtocols) {
        ctx.console.emit('warn', [
          'ws in the playground: handleProtocols is not supported; the server picks no subprotocol.',
        ]);
      }
      if (options.verifyClient !== undefined && typeof options.verifyClient !== 'function') {
        throw new TypeError(
          'The "verifyClient" option must be a function: (info) => boolean, or (info, done) => done(ok, status, message)',
        );
      }
      if (
        options.maxPayload !== undefined &&
        !(Number.isSafeInteger(options.maxPayload) && options.maxPayload >= 0)
      ) {
        throw new TypeError('The "maxPayload" option must be a whole number of bytes');
      }
      if (options.acceptKey !== undefined && typeof options.acceptKey !== 'function') {
        throw new TypeError(
          'The "acceptKey" option must be a function: (key) => the Sec-WebSocket-Accept value',
        );
      }
      if (callback) this.once('listening', callback);
      servers.set(this._sid, this);
      if (options.server) {
        const http = options.server;
        if (http._port !== undefined) this._listen(http._port);
        else http.once('listening', () => this._listen(http._port!));
      } else {
        this._listen(Number(options.port));
      }
    }
    _listen(port: number): void {
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new RangeError(`options.port should be >= 0 and < 65536. Received ${port}.`);
      }
      this._port = port === 0 ? ctx.randomPort() : port;
      ctx.post({
        kind: 'srv:listen',
        sid: this._sid,
        port: this._port,
        ...(this.options.path ? { path: this.options.path } : {}),
        ...(this.options.acceptKey ? { acceptKey: true } : {}),
        ...(this.options.verifyClient ? { verify: true } : {}),
        // ws: 0 means no limit (the page's default limit still applies).
        ...(this.options.maxPayload ? { maxPayload: this.options.maxPayload } : {}),
      });
    }
    address(): { address: string; family: string; port: number } | null {
      return this._port === undefined ? null : { address: '::', family: 'IPv6', port: this._port };
    }
    close(cb?: (err?: Error) => void): void {
      if (this._state === 'closed') {
        if (cb) queueMicrotask(() => cb(new Error('The server is not running')));
        return;
      }
      this._state = 'closed';
      ctx.post({ kind: 'srv:close', sid: this._sid });
      ctx.setTimeout(() => {
        cb?.();
        this.emit('close');
      }, 0);
    }
    handleUpgrade(): never {
      throw new Error('handleUpgrade is not available in the playground');
    }
    shouldHandle(): boolean {
      return true;
    }
  }
  Object.defineProperty(WebSocketServer, 'name', { value: 'WebSocketServer' });

  /** Just enough of `http.createServer()` to host a WebSocketServer({ server }). */
  class HttpServer extends EventEmitter {
    _port: number | undefined;
    listening = false;
    listen(port: number, ...rest: unknown[]): this {
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      this._port = Number(port);
      if (cb) this.once('listening', cb);
      ctx.setTimeout(() => {
        this.listening = true;
        this.emit('listening');
      }, 0);
      return this;
    }
    address(): { address: string; family: string; port: number } | null {
      return this._port === undefined ? null : { address: '::', family: 'IPv6', port: this._port };
    }
    close(cb?: () => void): this {
      if (cb) ctx.setTimeout(cb, 0);
      return this;
    }
  }
  Object.defineProperty(HttpServer, 'name', { value: 'Server' });

  const deliver = (m: HostMessage): void => {
    switch (m.kind) {
      case 'srv:listening': {
        const s = servers.get(m.sid);
        if (!s || s._state === 'closed') return;
        s._state = 'listening';
        s.emit('listening');
        return;
      }
      case 'srv:error': {
        const s = servers.get(m.sid);
        if (!s) return;
        s._state = 'closed';
        const err = Object.assign(new Error(m.message), { code: m.code });
        if (s.listenerCount('error') > 0) s.emit('error', err);
        else ctx.console.reportUncaught(err, 'Uncaught');
        return;
      }
      case 'srv:accept-key': {
        const s = servers.get(m.sid);
        if (!s?.options.acceptKey)
          return ctx.post({ kind: 'srv:accept', rid: m.rid, error: 'has no server' });
        answerAcceptKey(s.options.acceptKey, m.key, m.rid);
        return;
      }
      case 'srv:verify': {
        const s = servers.get(m.sid);
        if (!s?.options.verifyClient)
          return ctx.post({
            kind: 'srv:verified',
            rid: m.rid,
            ok: false,
            status: 500,
            message: 'no verifyClient',
          });
        answerVerify(s.options.verifyClient, m.url, m.headers, m.rid);
        return;
      }
      case 'srv:conn': {
        const s = servers.get(m.sid);
        if (!s) return;
        const ws = new NodeWebSocket();
        ws._route = { kind: 'conn', cid: m.cid };
        ws.readyState = 1;
        ws.protocol = m.protocol;
        conns.set(m.cid, ws);
        s.clients?.add(ws);
        ws.once('close', () => s.clients?.delete(ws));
        const u = new URL(m.url);
        const req = {
          method: 'GET',
          url: u.pathname + u.search,
          // The request's own headers when the page gives them (the in-page network does).
          headers: m.headers
            ? { ...m.headers }
            : {
                host: u.host,
                upgrade: 'websocket',
                connection: 'Upgrade',
                'sec-websocket-version': '13',
                ...(m.origin ? { origin: m.origin } : {}),
                ...(m.protocols.length ? { 'sec-websocket-protocol': m.protocols.join(', ') } : {}),
              },
          socket: { remoteAddress: '127.0.0.1', remotePort: 40000 + m.cid, remoteFamily: 'IPv4' },
        };
        s.emit('connection', ws, req);
        return;
      }
      case 'conn:message': {
        const ws = conns.get(m.cid);
        if (ws) ws.emit('message', ws._data(m.data, m.isBinary), m.isBinary);
        return;
      }
      case 'conn:ping':
      case 'conn:pong': {
        const ws = conns.get(m.cid);
        if (ws) ws.emit(m.kind === 'conn:ping' ? 'ping' : 'pong', new NodeBuffer(m.data));
        return;
      }
      case 'conn:close': {
        const ws = conns.get(m.cid);
        conns.delete(m.cid);
        ws?._closed(m.code, m.reason);
        return;
      }
      default:
        return;
    }
  };

  /** Runs the server's acceptKey for one handshake; the page writes the answer into the 101. */
  const answerAcceptKey = (fn: NonNullable<ServerOptions['acceptKey']>, key: string, rid: number): void => {
    const give = (value: unknown): void => {
      if (typeof value === 'string') return ctx.post({ kind: 'srv:accept', rid, accept: value });
      const what = value === null ? 'null' : typeof value;
      ctx.console.emit('warn', [
        `acceptKey returned ${what}, not a string: the client got a 500 instead of a 101.`,
      ]);
      ctx.post({ kind: 'srv:accept', rid, error: `returned ${what}, not a string` });
    };
    const failed = (error: unknown): void => {
      ctx.console.reportUncaught(error, 'Uncaught (in acceptKey)');
      ctx.post({
        kind: 'srv:accept',
        rid,
        error: `threw: ${error instanceof Error ? error.message : String(error)}`,
      });
    };
    try {
      const value = fn(key);
      if (value && typeof (value as PromiseLike<string>).then === 'function')
        (value as PromiseLike<string>).then(give, failed);
      else give(value);
    } catch (error) {
      failed(error);
    }
  };

  /** Runs the server's verifyClient for one handshake, as ws calls it; the page answers from its verdict. */
  const answerVerify = (
    fn: NonNullable<ServerOptions['verifyClient']>,
    url: string,
    headers: Record<string, string>,
    rid: number,
  ): void => {
    let answered = false;
    const verdict = (ok: unknown, code?: unknown, message?: unknown): void => {
      if (answered) return;
      answered = true;
      if (ok) return ctx.post({ kind: 'srv:verified', rid, ok: true });
      // ws: a refusal without a code is 401.
      const status =
        typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599 ? code : 401;
      const text = typeof message === 'string' && message ? message : (STATUS_TEXT[status] ?? 'Refused');
      ctx.post({ kind: 'srv:verified', rid, ok: false, status, message: text.slice(0, 200) });
    };
    const info: VerifyInfo = {
      origin: headers.origin,
      secure: false,
      req: {
        method: 'GET',
        url,
        headers: { ...headers },
        socket: { remoteAddress: '127.0.0.1', remotePort: 40000 + rid, remoteFamily: 'IPv4' },
      },
    };
    try {
      if (fn.length >= 2) fn(info, verdict);
      else verdict(fn(info));
    } catch (error) {
      ctx.console.reportUncaught(error, 'Uncaught (in verifyClient)');
      verdict(false, 500, 'verifyClient threw');
    }
  };

  return { WebSocketServer, HttpServer, deliver };
}
