/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-this-alias */
/**
 * The sandbox's worker: where learner code runs. It lives in a Web Worker created inside a
 * sandboxed iframe (opaque origin: no access to the page's origin, storage or DOM), talks to
 * the page only through one MessagePort, and gives the learner's code:
 *
 * - `console`, whose lines leave at once while it is quiet (so what was printed before a hang
 *   is seen) and in batches when it floods (so a flood never floods the page);
 * - `WebSocket`: the browser's own one to our Node server (server mode, with a tap token in
 *   the URL so the page can show the bytes), or a WHATWG-faithful proxy whose connection
 *   runs on the page's virtual network (static mode, and any learner server);
 * - `require('ws')` / `import ... from 'ws'`: the `ws` package's server API (WebSocketServer,
 *   server-side sockets as EventEmitters, Buffer data) and its client, on the virtual network;
 * - a heartbeat, so the page's watchdog can tell a runaway loop from a busy program.
 *
 * Bundled at build time into one script (worker-entry.ts, by app/sandbox/build/vite-plugin.ts),
 * which the iframe starts from a blob. Class names are set explicitly: the minifier may rename
 * classes, and learner code sees `WebSocket.name`, `Buffer.name`.
 */
import type {
  ConsoleEntry,
  ConsoleLevel,
  HostMessage,
  InitRequest,
  RunRequest,
  SocketReport,
  WorkerMessage,
  WireData,
} from '../protocol.ts';
import { parseProtocols, parseWebSocketUrl } from '../../loopback/whatwg-websocket.ts';
import { createBridgedSockets } from './bridged-websocket.ts';
import type { installMemoryMeter } from './memory.ts';
import type { sealGlobals } from './seal.ts';

/** Guards applied just before learner code runs (memory.ts, seal.ts). */
export interface WorkerGuards {
  memory: typeof installMemoryMeter;
  seal: typeof sealGlobals;
}

export function workerMain(formatArgs: (args: readonly unknown[]) => string, guards?: WorkerGuards): void {
  const g = globalThis as any;
  // Captured before learner code runs: it may patch MessagePort.prototype.postMessage to get
  // hold of the page's port (and forge messages); the runtime's own posts never go through it.
  const portPost: MessagePort['postMessage'] = MessagePort.prototype.postMessage;
  const NativeWebSocket: typeof WebSocket = g.WebSocket;
  const nativeSetTimeout: typeof setTimeout = g.setTimeout.bind(g);
  const nativeSetInterval: typeof setInterval = g.setInterval.bind(g);
  const nativeClearTimeout: typeof clearTimeout = g.clearTimeout.bind(g);
  const nativeEval: (code: string) => unknown = g.eval;
  const now = Date.now.bind(Date);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // keeps a leading U+FEFF, as ws does

  let port: MessagePort | null = null;
  let toPage: ((m: WorkerMessage) => void) | null = null;
  let config: InitRequest = { mode: 'static', base: 'http://localhost/', virtualHosts: [], beatMs: 250 };
  let virtualHosts = new Set<string>();
  let run: RunRequest | null = null;

  const post = (m: WorkerMessage): void => {
    toPage?.(m);
  };
  const named = <T extends object>(target: T, name: string): T => {
    Object.defineProperty(target, 'name', { value: name });
    return target;
  };

  // ---- console ---------------------------------------------------------------------------

  /** Lines waiting for the next flush; beyond this the oldest are dropped and counted. */
  const MAX_PENDING = 1000;
  /**
   * The console's rate window (ms). Within one window the first few lines each leave the worker
   * at once (a line printed just before a `while (true) {}` is already on its way: a message
   * posted from a worker is delivered even if the worker then never yields); beyond that the
   * output is batched into one message per window, so a flood costs the page little.
   */
  const FLUSH_MS = 30;
  /** Messages per window that go out at once, before batching starts. */
  const EAGER_PER_WINDOW = 8;
  let pending: ConsoleEntry[] = [];
  let dropped = 0;
  let flushTimer: any = 0;
  let windowStart = -Infinity;
  let postsInWindow = 0;
  let groupDepth = 0;

  /** Starts a new rate window when the current one is over. */
  const roll = (at: number): void => {
    if (at - windowStart >= FLUSH_MS) {
      windowStart = at;
      postsInWindow = 0;
    }
  };
  const flush = (): void => {
    if (flushTimer) nativeClearTimeout(flushTimer);
    flushTimer = 0;
    if (pending.length === 0 && dropped === 0) return;
    roll(performance.now());
    postsInWindow++;
    const entries = pending;
    pending = [];
    post({ t: 'console', entries, dropped });
    dropped = 0;
  };
  const push = (entry: ConsoleEntry): void => {
    if (groupDepth > 0) entry.indent = groupDepth;
    pending.push(entry);
    if (pending.length > MAX_PENDING) {
      pending.shift();
      dropped++;
    }
    // Decided by the clock, not by a timer, so it works inside a synchronous loop too: while
    // the window's budget lasts each line goes at once; past it, the window's other lines go
    // together when it ends (by the timer if the code yields, else with the first line printed
    // in the next window). So only a flood that then hangs can lose its last window of lines.
    roll(performance.now());
    if (postsInWindow < EAGER_PER_WINDOW) flush();
    else if (!flushTimer)
      flushTimer = nativeSetTimeout(flush, Math.max(0, windowStart + FLUSH_MS - performance.now()));
  };
  const emit = (level: ConsoleLevel, args: readonly unknown[]): void => {
    let text: string;
    try {
      text = formatArgs(args.map((a) => (a instanceof Error ? mapError(a).text : a)));
    } catch (error) {
      text = `(could not format: ${String(error)})`;
    }
    push({ level, t: now(), text });
  };

  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const sandboxConsole = {
    log: (...a: unknown[]) => emit('log', a),
    info: (...a: unknown[]) => emit('info', a),
    warn: (...a: unknown[]) => emit('warn', a),
    error: (...a: unknown[]) => emit('error', a),
    debug: (...a: unknown[]) => emit('debug', a),
    trace: (...a: unknown[]) => {
      const stack = mapStack(new Error().stack ?? '')
        .split('\n')
        .slice(1)
        .join('\n');
      emit('log', [formatArgs(['Trace:', ...a]) + (stack ? '\n' + stack : '')]);
    },
    dir: (o: unknown) => emit('log', [o]),
    dirxml: (...a: unknown[]) => emit('log', a),
    table: (o: unknown) => emit('log', [o]),
    assert: (condition: unknown, ...a: unknown[]) => {
      if (!condition) emit('error', a.length ? ['Assertion failed:', ...a] : ['Assertion failed']);
    },
    group: (...a: unknown[]) => {
      if (a.length) emit('log', a);
      groupDepth++;
    },
    groupCollapsed: (...a: unknown[]) => sandboxConsole.group(...a),
    groupEnd: () => {
      groupDepth = Math.max(0, groupDepth - 1);
    },
    count: (label = 'default') => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      emit('log', [`${label}: ${n}`]);
    },
    countReset: (label = 'default') => void counts.delete(label),
    time: (label = 'default') => void timers.set(label, performance.now()),
    timeLog: (label = 'default', ...a: unknown[]) => {
      const start = timers.get(label);
      if (start === undefined) return emit('warn', [`Timer '${label}' does not exist`]);
      emit('log', [`${label}: ${(performance.now() - start).toFixed(3)} ms`, ...a]);
    },
    timeEnd: (label = 'default') => {
      sandboxConsole.timeLog(label);
      timers.delete(label);
    },
    clear: () => {
      pending = [];
      push({ level: 'system', t: now(), text: 'console.clear()' });
    },
  };
  Object.defineProperty(g, 'console', { value: sandboxConsole, writable: true, configurable: true });

  // ---- errors, with lines mapped to the editor --------------------------------------------

  /** The wrapper puts the learner's first line on line 2 of the evaluated script. */
  const WRAPPER_LINES = 1;
  const editorLine = (generated: number): number | undefined => {
    const line = generated - WRAPPER_LINES;
    if (line < 1) return undefined;
    const map = run?.lineMap;
    if (!map) return line;
    return map[line] ?? undefined;
  };
  const fileRe = (): RegExp =>
    new RegExp(`${(run?.filename ?? 'learner.js').replace(/\./g, '\\.')}:(\\d+):(\\d+)`);
  /** Keeps the learner's frames (renamed to editor lines) and drops the runtime's. */
  const mapStack = (stack: string): string => {
    const re = fileRe();
    const out: string[] = [];
    for (const line of stack.split('\n')) {
      if (!/^\s+at /.test(line)) {
        out.push(line);
        continue;
      }
      const m = re.exec(line);
      if (!m) continue;
      const mapped = editorLine(Number(m[1]));
      if (mapped === undefined) continue;
      out.push(line.replace(m[0], `line ${mapped}:${m[2]}`).replace(/\bat eval \(/, 'at ('));
    }
    return out.join('\n');
  };
  const firstLine = (stack: string): number | undefined => {
    const re = fileRe();
    for (const line of stack.split('\n')) {
      const m = re.exec(line);
      if (m) {
        const mapped = editorLine(Number(m[1]));
        if (mapped !== undefined) return mapped;
      }
    }
    return undefined;
  };
  const mapError = (error: unknown): { text: string; line?: number } => {
    if (error instanceof Error) {
      const stack = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`;
      const line = firstLine(stack);
      return { text: mapStack(stack), ...(line !== undefined ? { line } : {}) };
    }
    return { text: formatArgs([error]) };
  };
  const reportUncaught = (error: unknown, prefix = 'Uncaught', fallbackLine?: number): void => {
    const m = mapError(error);
    const line = m.line ?? fallbackLine;
    push({ level: 'error', t: now(), text: `${prefix} ${m.text}`, ...(line !== undefined ? { line } : {}) });
  };
  g.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    const fromLearner = typeof e.filename === 'string' && e.filename.endsWith(run?.filename ?? 'learner.js');
    reportUncaught(e.error ?? e.message, 'Uncaught', fromLearner ? editorLine(e.lineno) : undefined);
  });
  g.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
    e.preventDefault();
    reportUncaught(e.reason, 'Uncaught (in promise)');
  });

  // ---- Buffer (the part of Node's that `ws` code uses) -----------------------------------

  const isBinary = (d: unknown): d is ArrayBuffer | ArrayBufferView =>
    d instanceof ArrayBuffer || ArrayBuffer.isView(d);
  const toBytes = (d: ArrayBuffer | ArrayBufferView): Uint8Array =>
    d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

  class NodeBuffer extends Uint8Array {
    static override from(value: unknown, encodingOrOffset?: unknown, length?: number): NodeBuffer {
      if (typeof value === 'string') {
        if (encodingOrOffset === 'hex') {
          const clean = value.replace(/[^0-9a-f]/gi, '');
          const out = new NodeBuffer(clean.length >> 1);
          for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
          return out;
        }
        if (encodingOrOffset === 'base64') {
          const bin = atob(value);
          const out = new NodeBuffer(bin.length);
          for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
          return out;
        }
        const bytes = encoder.encode(value);
        return new NodeBuffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      if (value instanceof ArrayBuffer) {
        const offset = typeof encodingOrOffset === 'number' ? encodingOrOffset : 0;
        return new NodeBuffer(value, offset, length ?? value.byteLength - offset);
      }
      if (ArrayBuffer.isView(value)) {
        const copy = new NodeBuffer(value.byteLength);
        copy.set(toBytes(value));
        return copy;
      }
      if (Array.isArray(value)) return new NodeBuffer(value);
      throw new TypeError(
        'The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array',
      );
    }
    static alloc(size: number, fill = 0): NodeBuffer {
      return new NodeBuffer(size).fill(typeof fill === 'number' ? fill : 0) as NodeBuffer;
    }
    static isBuffer(value: unknown): boolean {
      return value instanceof NodeBuffer;
    }
    static byteLength(value: unknown): number {
      if (typeof value === 'string') return encoder.encode(value).length;
      if (isBinary(value)) return value.byteLength;
      return 0;
    }
    static concat(list: readonly Uint8Array[], total?: number): NodeBuffer {
      const size = total ?? list.reduce((n, b) => n + b.length, 0);
      const out = new NodeBuffer(size);
      let at = 0;
      for (const b of list) {
        out.set(b.subarray(0, Math.max(0, size - at)), at);
        at += b.length;
        if (at >= size) break;
      }
      return out;
    }
    override toString(encoding = 'utf8', start = 0, end = this.length): string {
      const part = this.subarray(start, end);
      if (encoding === 'hex') return Array.from(part, (b) => b.toString(16).padStart(2, '0')).join('');
      if (encoding === 'base64') return btoa(String.fromCharCode(...part));
      if (encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii')
        return String.fromCharCode(...part);
      return decoder.decode(part);
    }
    toJSON(): { type: 'Buffer'; data: number[] } {
      return { type: 'Buffer', data: Array.from(this) };
    }
    equals(other: Uint8Array): boolean {
      return other.length === this.length && this.every((b, i) => b === other[i]);
    }
    static get [Symbol.species](): Uint8ArrayConstructor {
      return NodeBuffer as unknown as Uint8ArrayConstructor;
    }
  }
  named(NodeBuffer, 'Buffer');
  g.Buffer = NodeBuffer;
  g.process = {
    env: {},
    argv: ['node', 'playground'],
    platform: 'browser',
    version: 'v20.0.0',
    versions: {},
    nextTick: (fn: (...a: unknown[]) => void, ...a: unknown[]) => queueMicrotask(() => fn(...a)),
    exit: () => {
      throw new Error('process.exit() is not available in the playground: press Stop instead');
    },
    on: () => undefined,
  };

  // ---- EventEmitter ------------------------------------------------------------------------

  type Listener = ((...a: any[]) => unknown) & { listener?: (...a: any[]) => unknown };
  class EventEmitter {
    _events = new Map<string | symbol, Listener[]>();
    static defaultMaxListeners = 10;
    on(event: string | symbol, fn: Listener): this {
      if (typeof fn !== 'function') throw new TypeError('The "listener" argument must be of type function');
      const list = this._events.get(event) ?? [];
      list.push(fn);
      this._events.set(event, list);
      return this;
    }
    addListener(event: string | symbol, fn: Listener): this {
      return this.on(event, fn);
    }
    prependListener(event: string | symbol, fn: Listener): this {
      this._events.set(event, [fn, ...(this._events.get(event) ?? [])]);
      return this;
    }
    once(event: string | symbol, fn: Listener): this {
      const self = this;
      const wrapper: Listener = function (this: unknown, ...args: unknown[]) {
        self.off(event, wrapper);
        return fn.apply(this, args);
      };
      wrapper.listener = fn;
      return this.on(event, wrapper);
    }
    off(event: string | symbol, fn: Listener): this {
      const list = this._events.get(event);
      if (!list) return this;
      const i = list.findIndex((l) => l === fn || l.listener === fn);
      if (i !== -1) list.splice(i, 1);
      if (list.length === 0) this._events.delete(event);
      return this;
    }
    removeListener(event: string | symbol, fn: Listener): this {
      return this.off(event, fn);
    }
    removeAllListeners(event?: string | symbol): this {
      if (event === undefined) this._events.clear();
      else this._events.delete(event);
      return this;
    }
    emit(event: string | symbol, ...args: unknown[]): boolean {
      const list = this._events.get(event);
      if (!list || list.length === 0) {
        if (event === 'error')
          throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error. (${String(args[0])})`);
        return false;
      }
      for (const fn of [...list]) fn.apply(this, args);
      return true;
    }
    listenerCount(event: string | symbol): number {
      return this._events.get(event)?.length ?? 0;
    }
    listeners(event: string | symbol): Listener[] {
      return (this._events.get(event) ?? []).map((l) => l.listener ?? l);
    }
    eventNames(): (string | symbol)[] {
      return [...this._events.keys()];
    }
    setMaxListeners(): this {
      return this;
    }
    getMaxListeners(): number {
      return EventEmitter.defaultMaxListeners;
    }
  }
  named(EventEmitter, 'EventEmitter');

  // ---- browser WebSocket: native (server mode) or bridged to the page ----------------------

  let nextSocketId = 1;
  const natives = new Map<number, WebSocket>();
  const nodeClients = new Map<number, NodeWebSocket>();

  /** The data as it can cross the port: a copy for binary, a Blob as is. */
  const portable = (data: unknown): WireData => {
    if (typeof data === 'string') return data;
    if (data instanceof Blob) return data;
    if (isBinary(data)) return toBytes(data).slice().buffer;
    return String(data);
  };

  const report = (
    id: number,
    socket: { readyState: number; bufferedAmount: number },
    r: SocketReport,
  ): void =>
    post({
      t: 'sock:report',
      id,
      report: r,
      readyState: socket.readyState,
      bufferedAmount: socket.bufferedAmount,
    });

  const EVENT_TYPES = ['open', 'message', 'error', 'close'] as const;

  /**
   * The readyState constants and onopen/onmessage/onerror/onclose on a socket class's
   * prototype, as both the browser's WebSocket and ws have them: event handler attributes (one
   * listener each, registered when first set, calling whatever handler is current). Defined in
   * here, not at module level: workerMain is shipped as its own source text.
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

  const bridgedSockets = createBridgedSockets({
    post,
    base: () => config.base,
    nextId: () => nextSocketId++,
    // Server mode: a host the page does not serve is reached with the browser's own socket.
    openNative: (url, protocols) =>
      config.mode === 'server' && !virtualHosts.has(url.host.toLowerCase())
        ? openNative(url, protocols)
        : undefined,
    nativeClass: NativeWebSocket,
  });
  const BridgedWebSocket = bridgedSockets.WebSocket;

  /** A 24-character tap token (the server accepts 16-128 of A-Z a-z 0-9 _ -). */
  const tapToken = (): string => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => alphabet[b & 63]).join('');
  };

  /** The browser's own socket; the page mirrors it (for the lab) from what it reports. */
  function openNative(url: URL, protocols: string[]): WebSocket {
    const id = nextSocketId++;
    const pageHost = new URL(config.base).host;
    const ours = url.host === pageHost;
    const token = ours ? tapToken() : undefined;
    const target = new URL(url.href);
    if (token) target.searchParams.set('tap', token);
    const ws = new NativeWebSocket(target.href, protocols);
    // What the learner typed is what they see: the tap token stays out of ws.url.
    Object.defineProperty(ws, 'url', { value: url.href, enumerable: true });
    natives.set(id, ws);
    post({
      t: 'sock:create',
      id,
      url: url.href,
      protocols,
      route: 'native',
      ...(token ? { tap: token } : {}),
    });
    ws.addEventListener('open', () =>
      report(id, ws, { type: 'open', protocol: ws.protocol, extensions: ws.extensions }),
    );
    ws.addEventListener('message', (e) => report(id, ws, { type: 'message', data: portable(e.data) }));
    ws.addEventListener('error', () => report(id, ws, { type: 'error' }));
    ws.addEventListener('close', (e) => {
      natives.delete(id);
      report(id, ws, { type: 'close', code: e.code, reason: e.reason, wasClean: e.wasClean });
    });
    const send = ws.send;
    Object.defineProperty(ws, 'send', {
      value: function (this: WebSocket, data: any) {
        send.call(this, data);
        report(id, ws, { type: 'send', data: portable(data) });
        watchBuffered(id, ws);
      },
    });
    const close = ws.close;
    Object.defineProperty(ws, 'close', {
      value: function (this: WebSocket, code?: number, reason?: string) {
        const before = ws.readyState;
        close.apply(this, [code, reason].slice(0, arguments.length) as [number?, string?]);
        if (before < 2)
          report(id, ws, {
            type: 'close-call',
            ...(code !== undefined ? { code } : {}),
            ...(reason ? { reason } : {}),
          });
      },
    });
    return ws;
  }
  /** The native socket has no event for bufferedAmount draining: poll while there is any. */
  const watching = new Set<number>();
  function watchBuffered(id: number, ws: WebSocket): void {
    if (watching.has(id)) return;
    watching.add(id);
    const tick = (): void => {
      post({
        t: 'sock:report',
        id,
        report: { type: 'buffered' },
        readyState: ws.readyState,
        bufferedAmount: ws.bufferedAmount,
      });
      if (ws.bufferedAmount > 0 && ws.readyState === 1) nativeSetTimeout(tick, 50);
      else watching.delete(id);
    };
    nativeSetTimeout(tick, 50);
  }

  Object.defineProperty(g, 'WebSocket', { value: BridgedWebSocket, writable: true, configurable: true });

  // ---- the `ws` package: server side, and its Node-style client --------------------------

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
    _handlers: Record<string, ((e: any) => unknown) | null> = {};

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
      const parsed = parseWebSocketUrl(address, config.base);
      const parsedProtocols = parseProtocols(list ?? []);
      const id = nextSocketId++;
      this.url = parsed.href;
      this._route = { kind: 'client', id };
      nodeClients.set(id, this);
      post({
        t: 'sock:create',
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
        payload = binary ? encoder.encode(data).buffer : data;
      } else if (isBinary(data)) {
        binary = opts.binary !== false;
        payload = binary ? toBytes(data).slice().buffer : decoder.decode(toBytes(data));
      } else {
        throw new TypeError(
          'The "data" argument must be of type string or an instance of Buffer, TypedArray, DataView or ArrayBuffer. Use JSON.stringify() to send an object.',
        );
      }
      const r = this._route;
      // 5.4: { fin: false } sends one piece of a message the next send continues (server side).
      const piece = opts.fin === false;
      if (r.kind === 'conn')
        post({ t: 'conn:send', cid: r.cid, data: payload, binary, ...(piece ? { fin: false } : {}) });
      else if (piece)
        throw new Error(
          'send(data, { fin: false }) works on the server side in the playground; a ws client sends whole messages',
        );
      else {
        const wire = binary ? payload : String(payload);
        post({ t: 'ws:send', id: r.id, data: wire });
        report(r.id, this, { type: 'send', data: wire });
      }
      if (cb) nativeSetTimeout(() => cb!(), 0);
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
            ? encoder.encode(String(data))
            : isBinary(data)
              ? toBytes(data).slice()
              : encoder.encode(String(data));
      if (bytes.length > 125) throw new RangeError('The data size must not be greater than 125 bytes');
      const r = this._route;
      if (r.kind === 'conn')
        post({
          t: kind === 'ping' ? 'conn:ping' : 'conn:pong',
          cid: r.cid,
          data: bytes.buffer as ArrayBuffer,
        });
      else post({ t: kind === 'ping' ? 'ws:ping' : 'ws:pong', id: r.id, data: bytes.buffer as ArrayBuffer });
      if (cb) nativeSetTimeout(() => cb!(), 0);
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
              ? decoder.decode(toBytes(reason))
              : String(reason);
      if (why !== undefined && encoder.encode(why).length > 123)
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
      if (r.kind === 'conn') post({ t: 'conn:close', cid: r.cid, ...extra });
      else {
        post({ t: 'ws:close', id: r.id, ...extra });
        report(r.id, this, { type: 'close-call', ...extra });
      }
    }
    terminate(): void {
      if (this.readyState === 3) return;
      this.readyState = 2;
      const r = this._route;
      if (r.kind === 'conn') post({ t: 'conn:terminate', cid: r.cid });
      else post({ t: 'ws:abort', id: r.id });
    }
    pause(): void {
      this.isPaused = true;
    }
    resume(): void {
      this.isPaused = false;
    }
    addEventListener(type: string, fn: (e: any) => unknown, options?: { once?: boolean }): void {
      const wrap = (...a: any[]): unknown => fn.call(this, this._asEvent(type, a));
      (wrap as Listener).listener = fn;
      if (options?.once) this.once(type, wrap);
      else this.on(type, wrap);
    }
    removeEventListener(type: string, fn: (e: any) => unknown): void {
      this.off(type, fn);
    }
    _asEvent(type: string, a: any[]): unknown {
      switch (type) {
        case 'message':
          return { type, target: this, data: a[1] ? a[0] : String(a[0]) };
        case 'close':
          return { type, target: this, code: a[0], reason: String(a[1] ?? ''), wasClean: a[0] !== 1006 };
        case 'error':
          return { type, target: this, error: a[0], message: a[0]?.message };
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
  named(NodeWebSocket, 'WebSocket');

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
    verifyClient?: (info: any, done?: (...a: any[]) => void) => unknown;
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
        sandboxConsole.warn(
          'ws in the playground: handleProtocols is not supported; the server picks no subprotocol.',
        );
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
      this._port = port === 0 ? 49152 + Math.floor(Math.random() * 16000) : port;
      post({
        t: 'srv:listen',
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
      post({ t: 'srv:close', sid: this._sid });
      nativeSetTimeout(() => {
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
  named(WebSocketServer, 'WebSocketServer');

  /** Just enough of `http.createServer()` to host a WebSocketServer({ server }). */
  class HttpServer extends EventEmitter {
    _port: number | undefined;
    listening = false;
    listen(port: number, ...rest: unknown[]): this {
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      this._port = Number(port);
      if (cb) this.once('listening', cb);
      nativeSetTimeout(() => {
        this.listening = true;
        this.emit('listening');
      }, 0);
      return this;
    }
    address(): { address: string; family: string; port: number } | null {
      return this._port === undefined ? null : { address: '::', family: 'IPv6', port: this._port };
    }
    close(cb?: () => void): this {
      if (cb) nativeSetTimeout(cb, 0);
      return this;
    }
  }
  named(HttpServer, 'Server');

  const wsModule: any = NodeWebSocket;
  wsModule.WebSocket = NodeWebSocket;
  wsModule.WebSocketServer = WebSocketServer;
  wsModule.Server = WebSocketServer;
  wsModule.createWebSocketStream = () => {
    throw new Error('createWebSocketStream is not available in the playground');
  };
  const modules: Record<string, unknown> = {
    ws: wsModule,
    events: Object.assign(EventEmitter, { EventEmitter, default: EventEmitter }),
    http: {
      createServer: (handler?: unknown) => {
        const s = new HttpServer();
        if (typeof handler === 'function') s.on('request', handler as Listener);
        return s;
      },
      Server: HttpServer,
    },
    buffer: { Buffer: NodeBuffer },
  };
  const sandboxRequire = (name: string): unknown => {
    const key = String(name).replace(/^node:/, '');
    if (key in modules) return modules[key];
    throw new Error(
      `Cannot find module '${name}': the playground provides 'ws' (and a little of 'http', 'events', 'buffer').`,
    );
  };

  // ---- messages from the page ----------------------------------------------------------------

  const onServer = (m: HostMessage): void => {
    switch (m.t) {
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
        else reportUncaught(err, 'Uncaught');
        return;
      }
      case 'srv:accept-key': {
        const s = servers.get(m.sid);
        if (!s?.options.acceptKey) return post({ t: 'srv:accept', rid: m.rid, error: 'has no server' });
        answerAcceptKey(s.options.acceptKey, m.key, m.rid);
        return;
      }
      case 'srv:verify': {
        const s = servers.get(m.sid);
        if (!s?.options.verifyClient)
          return post({ t: 'srv:verified', rid: m.rid, ok: false, status: 500, message: 'no verifyClient' });
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
        if (ws) ws.emit(m.t === 'conn:ping' ? 'ping' : 'pong', new NodeBuffer(m.data));
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
      if (typeof value === 'string') return post({ t: 'srv:accept', rid, accept: value });
      const what = value === null ? 'null' : typeof value;
      emit('warn', [`acceptKey returned ${what}, not a string: the client got a 500 instead of a 101.`]);
      post({ t: 'srv:accept', rid, error: `returned ${what}, not a string` });
    };
    const failed = (error: unknown): void => {
      reportUncaught(error, 'Uncaught (in acceptKey)');
      post({
        t: 'srv:accept',
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

  /** The ws package's status texts for the refusals a verifyClient may choose. */
  const STATUS: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
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
      if (ok) return post({ t: 'srv:verified', rid, ok: true });
      // ws: a refusal without a code is 401.
      const status =
        typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599 ? code : 401;
      const text = typeof message === 'string' && message ? message : (STATUS[status] ?? 'Refused');
      post({ t: 'srv:verified', rid, ok: false, status, message: text.slice(0, 200) });
    };
    const info = {
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
      reportUncaught(error, 'Uncaught (in verifyClient)');
      verdict(false, 500, 'verifyClient threw');
    }
  };

  const onNodeClient = (ws: NodeWebSocket, m: HostMessage): void => {
    switch (m.t) {
      case 'ws:open':
        ws.readyState = 1;
        ws.protocol = m.protocol;
        ws.extensions = m.extensions;
        // The page mirrors this socket for the lab, as it does the browser API's.
        report(m.id, ws, { type: 'open', protocol: m.protocol, extensions: m.extensions });
        ws.emit('open');
        return;
      case 'ws:message': {
        const binary = typeof m.data !== 'string';
        report(m.id, ws, { type: 'message', data: m.data });
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
        if (ws._route.kind === 'client') nodeClients.delete(ws._route.id);
        if (m.failed) {
          const err = new Error(m.error ?? 'WebSocket connection failed');
          report(m.id, { readyState: 3, bufferedAmount: 0 }, { type: 'error' });
          if (ws.listenerCount('error') > 0) ws.emit('error', err);
          else reportUncaught(err, 'Uncaught (unhandled "error" event)');
        }
        report(
          m.id,
          { readyState: 3, bufferedAmount: 0 },
          {
            type: 'close',
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

  const onHost = (m: HostMessage): void => {
    switch (m.t) {
      case 'init':
        config = m.init;
        // The page's origin: what its sockets send as Origin (the security lesson's servers allow it).
        try {
          g.process.env.PAGE_ORIGIN = new URL(config.base).origin;
        } catch {
          // a base that is no URL: no PAGE_ORIGIN
        }
        virtualHosts = new Set(m.init.virtualHosts.map((h) => h.toLowerCase()));
        nativeSetInterval(() => post({ t: 'beat' }), config.beatMs);
        return;
      case 'hosts':
        virtualHosts = new Set(m.virtualHosts.map((h) => h.toLowerCase()));
        return;
      case 'run':
        start(m.run);
        return;
      case 'sock:cmd': {
        const target: any = bridgedSockets.get(m.id) ?? natives.get(m.id) ?? nodeClients.get(m.id);
        if (!target) return;
        try {
          if (m.op === 'send') target.send(m.data);
          else if (m.code === undefined) target.close();
          else target.close(m.code, m.reason);
        } catch (error) {
          emit('warn', [`The lab's ${m.op} on this socket failed:`, error]);
        }
        return;
      }
      default:
        break;
    }
    if (m.t.startsWith('ws:') && 'id' in m) {
      if (bridgedSockets.deliver(m)) return;
      const n = nodeClients.get(m.id);
      if (n) return onNodeClient(n, m);
      return;
    }
    onServer(m);
  };

  // ---- running the code --------------------------------------------------------------------

  function start(request: RunRequest): void {
    run = request;
    if (guards) {
      guards.seal(g, { runtime: BridgedWebSocket, native: NativeWebSocket });
      if (config.memoryLimit) {
        guards.memory(g, config.memoryLimit, (bytes, limit) => {
          flush();
          post({ t: 'oom', bytes, limit });
        });
      }
    }
    const module = { exports: {} as Record<string, unknown> };
    let fn: (...a: unknown[]) => Promise<unknown>;
    try {
      // The learner's first line is line 2 of this script (WRAPPER_LINES).
      fn = nativeEval(
        `(async function (require, module, exports, __filename, __dirname) {\n${request.code}\n})\n//# sourceURL=${request.filename}`,
      ) as typeof fn;
    } catch (error) {
      reportUncaught(error, 'Uncaught');
      flush();
      post({ t: 'done' });
      return;
    }
    fn.call(g, sandboxRequire, module, module.exports, `/${request.filename}`, '/').then(
      () => post({ t: 'done' }),
      (error) => {
        reportUncaught(error, 'Uncaught');
        post({ t: 'done' });
      },
    );
  }

  // The iframe hands over the page's port once; learner code never sees it.
  const takePort = (e: MessageEvent): void => {
    const p = e.data?.port;
    if (!(p instanceof MessagePort) || port) return;
    g.removeEventListener('message', takePort);
    port = p;
    toPage = portPost.bind(p) as (m: WorkerMessage) => void;
    p.onmessage = (ev: MessageEvent) => onHost(ev.data as HostMessage);
    post({ t: 'ready' });
  };
  g.addEventListener('message', takePort);
}
