/**
 * The sandbox's worker: where learner code runs. It lives in a Web Worker created inside a
 * sandboxed iframe (opaque origin: no access to the page's origin, storage or DOM), talks to
 * the page only through one MessagePort, and gives the learner's code:
 *
 * - `console` (console.ts), whose lines leave at once while it is quiet and in batches when it
 *   floods; uncaught errors with editor lines (stack.ts);
 * - `WebSocket`: the browser's own one to our Node server (server mode, with a tap token in the
 *   URL so the page can show the bytes: native-websocket.ts), or the WHATWG socket whose
 *   connection runs on the page's virtual network (bridged-websocket.ts: static mode, and any
 *   learner server);
 * - `require('ws')` / `import ... from 'ws'` (node-modules.ts): the `ws` package's client
 *   (node-websocket.ts) and server (ws-server.ts), with `Buffer` and `EventEmitter`;
 * - a heartbeat, so the page's watchdog can tell a runaway loop from a busy program.
 *
 * Bundled at build time into one script (worker-entry.ts, by app/sandbox/build/vite-plugin.ts),
 * which the iframe starts from a blob. Class names are set explicitly: the minifier may rename
 * classes, and learner code sees `WebSocket.name`, `Buffer.name`.
 */
import type { HostMessage, InitRequest, RunRequest, SocketReport, WorkerMessage } from '../protocol.ts';
import { createBridgedSockets } from './bridged-websocket.ts';
import { createSandboxConsole } from './console.ts';
import type { installMemoryMeter } from './memory.ts';
import { createMessageSwitch, type SocketCommand } from './message-switch.ts';
import { createNativeSockets } from './native-websocket.ts';
import { NodeBuffer } from './node-buffer.ts';
import { createRequire } from './node-modules.ts';
import { createNodeWebSockets } from './node-websocket.ts';
import type { sealGlobals } from './seal.ts';
import { createStackMapper } from './stack.ts';
import { createWsServers } from './ws-server.ts';

/** Guards applied just before learner code runs (memory.ts, seal.ts). */
export interface WorkerGuards {
  memory: typeof installMemoryMeter;
  seal: typeof sealGlobals;
}

/** The worker's global scope, as far as the runtime touches it. */
// Buffer and process are ours here (Node's types, when another module brings them into the
// page's type check, must not decide their shape).
type Scope = Omit<typeof globalThis, 'Buffer' | 'process'> &
  Record<string, unknown> & {
    Buffer: unknown;
    process: { env: Record<string, string> } & Record<string, unknown>;
  };

export function workerMain(formatArgs: (args: readonly unknown[]) => string, guards?: WorkerGuards): void {
  const g = globalThis as unknown as Scope;
  // Captured before learner code runs: it may patch MessagePort.prototype.postMessage to get
  // hold of the page's port (and forge messages); the runtime's own posts never go through it.
  const portPost: MessagePort['postMessage'] = MessagePort.prototype.postMessage;
  const NativeWebSocket: typeof WebSocket = g.WebSocket;
  const nativeSetTimeout = g.setTimeout.bind(g);
  const nativeSetInterval = g.setInterval.bind(g);
  const nativeClearTimeout = g.clearTimeout.bind(g);
  const nativeEval = g.eval as (code: string) => unknown;
  const now = Date.now.bind(Date);
  const clock = performance.now.bind(performance);
  const setTimer = (fn: () => void, ms: number): unknown => nativeSetTimeout(fn, ms);

  let port: MessagePort | null = null;
  let toPage: ((m: WorkerMessage) => void) | null = null;
  let config: InitRequest = { mode: 'static', base: 'http://localhost/', virtualHosts: [], beatMs: 250 };
  let virtualHosts = new Set<string>();
  let run: RunRequest | null = null;
  let nextSocketId = 1;
  const nextId = (): number => nextSocketId++;

  const post = (m: WorkerMessage): void => {
    toPage?.(m);
  };
  const report = (
    id: number,
    socket: { readyState: number; bufferedAmount: number },
    r: SocketReport,
  ): void =>
    post({
      kind: 'sock:report',
      id,
      report: r,
      readyState: socket.readyState,
      bufferedAmount: socket.bufferedAmount,
    });

  // ---- console and errors ------------------------------------------------------------------

  const stack = createStackMapper(() => run, formatArgs);
  const out = createSandboxConsole({
    post,
    format: formatArgs,
    stack,
    now,
    clock,
    setTimeout: setTimer,
    clearTimeout: (id) => nativeClearTimeout(id as ReturnType<typeof setTimeout>),
  });
  Object.defineProperty(g, 'console', { value: out.console, writable: true, configurable: true });
  g.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    const fromLearner = typeof e.filename === 'string' && e.filename.endsWith(run?.filename ?? 'learner.js');
    out.reportUncaught(
      e.error ?? e.message,
      'Uncaught',
      fromLearner ? stack.editorLine(e.lineno) : undefined,
    );
  });
  g.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
    e.preventDefault();
    out.reportUncaught(e.reason, 'Uncaught (in promise)');
  });

  // ---- Node's globals ----------------------------------------------------------------------

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

  // ---- sockets -----------------------------------------------------------------------------

  const natives = createNativeSockets({
    post,
    report,
    nextId,
    base: () => config.base,
    setTimeout: setTimer,
    NativeWebSocket,
  });
  const bridged = createBridgedSockets({
    post,
    base: () => config.base,
    nextId,
    // Server mode: a host the page does not serve is reached with the browser's own socket.
    openNative: (url, protocols) =>
      config.mode === 'server' && !virtualHosts.has(url.host.toLowerCase())
        ? natives.open(url, protocols)
        : undefined,
    nativeClass: NativeWebSocket,
  });
  const BridgedWebSocket = bridged.WebSocket;
  Object.defineProperty(g, 'WebSocket', { value: BridgedWebSocket, writable: true, configurable: true });

  const nodeSockets = createNodeWebSockets({
    post,
    report,
    nextId,
    base: () => config.base,
    setTimeout: setTimer,
    console: out,
  });
  const wsServers = createWsServers(
    {
      post,
      setTimeout: setTimer,
      console: out,
      randomPort: () => 49152 + (crypto.getRandomValues(new Uint16Array(1))[0]! % 16000),
    },
    nodeSockets.NodeWebSocket,
  );
  const sandboxRequire = createRequire({
    WebSocket: nodeSockets.NodeWebSocket,
    WebSocketServer: wsServers.WebSocketServer,
    HttpServer: wsServers.HttpServer,
  });

  /** The lab acts on a socket of the code's as if the code had. */
  const command = (m: SocketCommand): void => {
    const target = (bridged.get(m.id) ?? natives.get(m.id) ?? nodeSockets.get(m.id)) as
      { send(data: unknown): void; close(code?: number, reason?: string): void } | undefined;
    if (!target) return;
    try {
      if (m.op === 'send') target.send(m.data);
      else if (m.code === undefined) target.close();
      else target.close(m.code, m.reason);
    } catch (error) {
      out.emit('warn', [`The lab's ${m.op} on this socket failed:`, error]);
    }
  };

  // ---- messages from the page ----------------------------------------------------------------

  const onHost = createMessageSwitch({
    init: (init) => {
      config = init;
      // The page's origin: what its sockets send as Origin (the security lesson's servers allow it).
      try {
        g.process.env.PAGE_ORIGIN = new URL(config.base).origin;
      } catch {
        // a base that is no URL: no PAGE_ORIGIN
      }
      virtualHosts = new Set(init.virtualHosts.map((h) => h.toLowerCase()));
      nativeSetInterval(() => post({ kind: 'beat' }), config.beatMs);
    },
    hosts: (hosts) => {
      virtualHosts = new Set(hosts.map((h) => h.toLowerCase()));
    },
    run: (request) => start(request),
    command,
    sockets: [bridged.deliver, nodeSockets.deliver],
    servers: wsServers.deliver,
  });

  // ---- running the code --------------------------------------------------------------------

  function start(request: RunRequest): void {
    run = request;
    if (guards) {
      guards.seal(g, { runtime: BridgedWebSocket, native: NativeWebSocket });
      if (config.memoryLimit) {
        guards.memory(g, config.memoryLimit, (bytes, limit) => {
          out.flush();
          post({ kind: 'oom', bytes, limit });
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
      out.reportUncaught(error, 'Uncaught');
      out.flush();
      post({ kind: 'done' });
      return;
    }
    fn.call(g, sandboxRequire, module, module.exports, `/${request.filename}`, '/').then(
      () => post({ kind: 'done' }),
      (error) => {
        out.reportUncaught(error, 'Uncaught');
        post({ kind: 'done' });
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
    post({ kind: 'ready' });
  };
  g.addEventListener('message', takePort);
}
