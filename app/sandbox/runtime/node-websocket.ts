/**
 * The `ws` package's WebSocket, as learner code gets it from `require('ws')`: an EventEmitter
 * with 'message' (data, isBinary), 'close' (code, reason), 'ping', 'pong', 'error' (and 'open'
 * for clients), ws's send/ping/pong/close/terminate, and the browser-style on* attributes and
 * addEventListener that ws also has. Two kinds: a client (`new WebSocket(url)`, a connection the
 * page runs on its virtual network, messages `ws:*`) and a learner server's side of a connection
 * (made by ws-server.ts, messages `conn:*`).
 */
import { parseProtocols, parseWebSocketUrl } from '../../loopback/whatwg-websocket.ts';
import type { HostMessage, SocketReport, WorkerMessage } from '../protocol.ts';
import type { SandboxConsole } from './console.ts';
import { EventEmitter, type Listener } from './event-emitter.ts';
import { decodeUtf8, encodeText, isBinary, NodeBuffer, toBytes } from './node-buffer.ts';

/** What the ws sockets need from the worker around them. */
export interface NodeSocketContext {
  post(m: WorkerMessage): void;
  /** Tells the page what a client socket did through its API (the lab mirrors it). */
  report(id: number, socket: { readyState: number; bufferedAmount: number }, r: SocketReport): void;
  /** A fresh socket id, shared with the worker's other kinds of socket. */
  nextId(): number;
  /** Relative URLs resolve against it. */
  base(): string | undefined;
  setTimeout(fn: () => void, ms: number): unknown;
  console: SandboxConsole;
}

export type NodeWebSocketClass = ReturnType<typeof createNodeWebSockets>['NodeWebSocket'];
export type NodeWebSocket = InstanceType<NodeWebSocketClass>;

export function createNodeWebSockets(ctx: NodeSocketContext) {
  const clients = new Map<number, NodeWebSocket>();

  const EVENT_TYPES = ['open', 'message', 'error', 'close'] as const;

  /**
   * The readyState constants and onopen/onmessage/onerror/onclose on a socket class's
   * prototype, as both the browser's WebSocket and ws have them: event handler attributes (one
   * listener each, registered when first set, calling whatever handler is current).
   */
  type HandlerHost = {
    _handlers: Partial<Record<string, ((e: unknown) => unknown) | null>>;
    addEventListener(type: string, listener: (e: unknown) => void): void;
  };
  function defineSocketAttributes(proto: object): void {
    for (const [i, name] of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].entries()) {
      Object.defineProperty(proto, name, { value: i, enumerable: true });
    }
    for (const type of EVENT_TYPES) {
      Object.defineProperty(proto, `on${type}`, {
        get(this: HandlerHost) {
          return this._handlers[type] ?? null;
        },
        set(this: HandlerHost, fn: unknown) {
          const had = type in this._handlers;
          this._handlers[type] = typeof fn === 'function' ? (fn as (e: unknown) => unknown) : null;
          if (!had) this.addEventListener(type, (e) => this._handlers[type]?.call(this, e));
        },
        enumerable: true,
        configurable: true,
      });
    }
  }

  const READY = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
  const validCloseCode = (c: number): boolean =>
    (c >= 1000 && c <= 1014 && c !== 1004 && c !== 1005 && c !== 1006) || (c >= 3000 && c <= 4999);

  type Route = { kind: 'conn'; cid: number } | { kind: 'client'; id: number };

  /**
   * A socket as `ws` gives it: an EventEmitter with 'message' (data, isBinary), 'close'
   * (code, reason), 'ping', 'pong', 'error' (and 'open' for clients), plus ws's methods.
   */
  class NodeWebSocket extends EventEmitter {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    declare readonly CONNECTING: 0;
    declare readonly OPEN: 1;
    declare readonly CLOSING: 2;
    declare readonly CLOSED: 3;
    readyState = 0;
    protocol = '';
    extensions = '';
    binaryType: 'nodebuffer' | 'arraybuffer' | 'fragments' = 'nodebuffer';
    isPaused = false;
    url: string | undefined;
    _route!: Route;
    _handlers: Record<string, ((e: unknown) => unknown) | null> = {};

    /** `new WebSocket(address, protocols?, options?)`: a client on the virtual network. */
    constructor(address?: unknown, protocols?: unknown, options?: unknown) {
      super();
      if (address === null || address === undefined) return; // a server-side socket (made below)
      let list = protocols;
      let opts = options as { autoPong?: boolean } | undefined;
      if (list && typeof list === 'object' && !Array.isArray(list)) {
        opts = list as { autoPong?: boolean };
        list = undefined;
      }
      const parsed = parseWebSocketUrl(address, ctx.base());
      const parsedProtocols = parseProtocols(list ?? []);
      const id = ctx.nextId();
      this.url = parsed.href;
      this._route = { kind: 'client', id };
      clients.set(id, this);
      ctx.post({
        kind: 'sock:create',
        id,
        url: this.url,
        protocols: parsedProtocols,
        route: 'loopback',
        node: { autoPong: opts?.autoPong !== false },
      });
    }
    get bufferedAmount(): number {
      return 0;
    }
    send(data: unknown, options?: unknown, cb?: (err?: Error) => void): void {
      if (typeof options === 'function') {
        cb = options as (err?: Error) => void;
        options = undefined;
      }
      if (this.readyState === 0) throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
      if (typeof data === 'number') data = String(data);
      if (Array.isArray(data)) data = NodeBuffer.concat(data as Uint8Array[]); // binaryType 'fragments'
      if (this.readyState !== 1) {
        const err = new Error(
          `WebSocket is not open: readyState ${this.readyState} (${READY[this.readyState]})`,
        );
        if (cb) queueMicrotask(() => cb!(err));
        return;
      }
      const opts = (options ?? {}) as { binary?: boolean; fin?: boolean };
      let payload: string | ArrayBuffer;
      let binary: boolean;
      if (typeof data === 'string') {
        binary = opts.binary === true;
        payload = binary ? (encodeText(data).buffer as ArrayBuffer) : data;
      } else if (isBinary(data)) {
        binary = opts.binary !== false;
        payload = binary ? toBytes(data).slice().buffer : decodeUtf8(toBytes(data));
      } else {
        throw new TypeError(
          'The "data" argument must be of type string or an instance of Buffer, TypedArray, DataView or ArrayBuffer. Use JSON.stringify() to send an object.',
        );
      }
      const r = this._route;
      // 5.4: { fin: false } sends one piece of a message the next send continues (server side).
      const piece = opts.fin === false;
      if (r.kind === 'conn')
        ctx.post({ kind: 'conn:send', cid: r.cid, data: payload, binary, ...(piece ? { fin: false } : {}) });
      else if (piece)
        throw new Error(
          'send(data, { fin: false }) works on the server side in the playground; a ws client sends whole messages',
        );
      else {
        const wire = binary ? payload : String(payload);
        ctx.post({ kind: 'ws:send', id: r.id, data: wire });
        ctx.report(r.id, this, { kind: 'send', data: wire });
      }
      if (cb) ctx.setTimeout(() => cb!(), 0);
    }
    ping(data?: unknown, _mask?: unknown, cb?: (err?: Error) => void): void {
      this._control('ping', data, cb);
    }
    pong(data?: unknown, _mask?: unknown, cb?: (err?: Error) => void): void {
      this._control('pong', data, cb);
    }
    _control(kind: 'ping' | 'pong', data: unknown, cb?: (err?: Error) => void): void {
      if (typeof data === 'function') {
        cb = data as (err?: Error) => void;
        data = undefined;
      }
      if (this.readyState === 0) throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
      if (this.readyState !== 1) {
        if (cb)
          queueMicrotask(() =>
            cb!(
              new Error(`WebSocket is not open: readyState ${this.readyState} (${READY[this.readyState]})`),
            ),
          );
        return;
      }
      const bytes =
        data === undefined
          ? new Uint8Array(0)
          : typeof data === 'string' || typeof data === 'number'
            ? encodeText(String(data))
            : isBinary(data)
              ? toBytes(data).slice()
              : encodeText(String(data));
      if (bytes.length > 125) throw new RangeError('The data size must not be greater than 125 bytes');
      const r = this._route;
      if (r.kind === 'conn')
        ctx.post({
          kind: kind === 'ping' ? 'conn:ping' : 'conn:pong',
          cid: r.cid,
          data: bytes.buffer as ArrayBuffer,
        });
      else
        ctx.post({
          kind: kind === 'ping' ? 'ws:ping' : 'ws:pong',
          id: r.id,
          data: bytes.buffer as ArrayBuffer,
        });
      if (cb) ctx.setTimeout(() => cb!(), 0);
    }
    close(code?: number, reason?: unknown): void {
      if (this.readyState === 3) return;
      if (code !== undefined && (typeof code !== 'number' || !validCloseCode(code))) {
        throw new TypeError('First argument must be a valid error code number');
      }
      const why =
        reason === undefined
          ? undefined
          : typeof reason === 'string'
            ? reason
            : isBinary(reason)
              ? decodeUtf8(toBytes(reason))
              : String(reason);
      if (why !== undefined && encodeText(why).length > 123)
        throw new RangeError('The message must not be greater than 123 bytes');
      if (this.readyState === 0) {
        this.terminate();
        return;
      }
      if (this.readyState === 2) return;
      this.readyState = 2;
      const r = this._route;
      const extra = {
        ...(code !== undefined ? { code } : {}),
        ...(why !== undefined ? { reason: why } : {}),
      };
      if (r.kind === 'conn') ctx.post({ kind: 'conn:close', cid: r.cid, ...extra });
      else {
        ctx.post({ kind: 'ws:close', id: r.id, ...extra });
        ctx.report(r.id, this, { kind: 'close-call', ...extra });
      }
    }
    terminate(): void {
      if (this.readyState === 3) return;
      this.readyState = 2;
      const r = this._route;
      if (r.kind === 'conn') ctx.post({ kind: 'conn:terminate', cid: r.cid });
      else ctx.post({ kind: 'ws:abort', id: r.id });
    }
    pause(): void {
      this.isPaused = true;
    }
    resume(): void {
      this.isPaused = false;
    }
    addEventListener(type: string, fn: (e: unknown) => unknown, options?: { once?: boolean }): void {
      const wrap = (...a: unknown[]): unknown => fn.call(this, this._asEvent(type, a));
      (wrap as Listener).listener = fn;
      if (options?.once) this.once(type, wrap);
      else this.on(type, wrap);
    }
    removeEventListener(type: string, fn: (e: unknown) => unknown): void {
      this.off(type, fn);
    }
    _asEvent(type: string, a: unknown[]): unknown {
      switch (type) {
        case 'message':
          return { type, target: this, data: a[1] ? a[0] : String(a[0]) };
        case 'close':
          return { type, target: this, code: a[0], reason: String(a[1] ?? ''), wasClean: a[0] !== 1006 };
        case 'error':
          return { type, target: this, error: a[0], message: (a[0] as Error | undefined)?.message };
        default:
          return { type, target: this };
      }
    }
    _data(data: string | ArrayBuffer, isBinaryData: boolean): unknown {
      if (!isBinaryData) return NodeBuffer.from(data as string);
      if (this.binaryType === 'arraybuffer') return data;
      const buf = new NodeBuffer(data as ArrayBuffer);
      return this.binaryType === 'fragments' ? [buf] : buf;
    }
    _closed(code: number, reason: string): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.emit('close', code, NodeBuffer.from(reason));
    }
  }
  defineSocketAttributes(NodeWebSocket.prototype);
  Object.defineProperty(NodeWebSocket, 'name', { value: 'WebSocket' });

  const deliverTo = (ws: NodeWebSocket, m: HostMessage): void => {
    switch (m.kind) {
      case 'ws:open':
        ws.readyState = 1;
        ws.protocol = m.protocol;
        ws.extensions = m.extensions;
        // The page mirrors this socket for the lab, as it does the browser API's.
        ctx.report(m.id, ws, { kind: 'open', protocol: m.protocol, extensions: m.extensions });
        ws.emit('open');
        return;
      case 'ws:message': {
        const binary = typeof m.data !== 'string';
        ctx.report(m.id, ws, { kind: 'message', data: m.data });
        ws.emit('message', ws._data(m.data, binary), binary);
        return;
      }
      case 'ws:ping':
        ws.emit('ping', new NodeBuffer(m.data));
        return;
      case 'ws:pong':
        ws.emit('pong', new NodeBuffer(m.data));
        return;
      case 'ws:closing':
        if (ws.readyState < 2) ws.readyState = 2;
        return;
      case 'ws:closed':
        if (ws._route.kind === 'client') clients.delete(ws._route.id);
        if (m.failed) {
          const err = new Error(m.error ?? 'WebSocket connection failed');
          ctx.report(m.id, { readyState: 3, bufferedAmount: 0 }, { kind: 'error' });
          if (ws.listenerCount('error') > 0) ws.emit('error', err);
          else ctx.console.reportUncaught(err, 'Uncaught (unhandled "error" event)');
        }
        ctx.report(
          m.id,
          { readyState: 3, bufferedAmount: 0 },
          {
            kind: 'close',
            code: m.code,
            reason: m.reason,
            wasClean: m.wasClean,
          },
        );
        ws._closed(m.code, m.reason);
        return;
      default:
        return;
    }
  };

  return {
    NodeWebSocket,
    /** A live client by id (the lab's commands). */
    get: (id: number): NodeWebSocket | undefined => clients.get(id),
    /** Delivers a `ws:*` message from the page to a client; false when none has that id. */
    deliver(m: HostMessage): boolean {
      if (!('id' in m)) return false;
      const ws = clients.get(m.id);
      if (!ws) return false;
      deliverTo(ws, m);
      return true;
    },
  };
}
