/**
 * The page's side of one sandbox: a hidden iframe with `sandbox="allow-scripts"` (an opaque
 * origin: no cookies, storage or DOM of the app's), whose worker runs the learner's code.
 *
 *   page ── MessagePort ── worker (in the iframe's opaque origin)
 *    │                        console, WebSocket, require('ws')
 *    ├─ watchdog: no heartbeat for `timeoutMs` -> remove the iframe (which ends the worker)
 *    ├─ bridged sockets: the worker's WebSocket proxy <-> a connection on the virtual network
 *    ├─ learner servers: WebSocketServer in the worker <-> a VirtualNetwork on localhost:PORT
 *    └─ mirrors: every socket the code opens has a WebSocketLike twin here, for the lab
 *
 * Messages from the worker are untrusted: each is checked before it is acted on, and they can
 * only do what learner code may do anyway.
 */
import type { WireSource } from '../loopback/wire.ts';
import type { ClientRequestInfo, ServiceSocket, VerifyVerdict } from '../services/service.ts';
import { BridgedConnections } from './bridged-connections.ts';
import { isWorkerMessage } from './messages.ts';
import type { SandboxNetwork } from './network.ts';
import { PortGuard, type PortLimits } from './port-guard.ts';
import type {
  ConsoleEntry,
  HostMessage,
  RunRequest,
  SocketReport,
  SocketRoute,
  WireData,
  WorkerMessage,
} from './protocol.ts';
import { iframeSrcdoc, workerSource } from './source.ts';
import { Watchdog } from './watchdog.ts';

export const DEFAULT_BEAT_MS = 200;
export const DEFAULT_TIMEOUT_MS = 2_000;
export const STARTUP_TIMEOUT_MS = 10_000;
/**
 * What learner code may hold in big arrays (runtime/memory.ts). V8's heap limit for a worker
 * is about 4 GB here (and less on small devices); a playground snippet needs far less.
 */
/** How long a handshake waits for a learner server's acceptKey to answer. */
export const ACCEPT_WAIT_MS = 5_000;
export const DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024;

export type ExitReason =
  | { kind: 'stopped' }
  /** The watchdog saw no heartbeat: a loop that never yields. */
  | { kind: 'unresponsive'; silentMs: number }
  /** The memory meter saw the code hold more than the limit (a runaway allocation). */
  | { kind: 'out-of-memory'; bytes: number; limit: number }
  /** The worker sent more than a run may (port-guard.ts): e.g. 'created 2000 sockets in 1 s'. */
  | { kind: 'flooded'; message: string }
  | { kind: 'failed'; message: string };

/** A socket the learner's code opened, as the page mirrors it (the lab's WebSocketLike). */
export class MirrorSocket extends EventTarget {
  readonly url: string;
  readyState = 0;
  protocol = '';
  extensions = '';
  bufferedAmount = 0;
  binaryType: BinaryType = 'blob';
  /** The sandbox ended with this socket open: the close it reports is the page's guess (1006). */
  abandoned = false;
  readonly #command: (m: HostMessage) => void;
  readonly #id: number;

  constructor(id: number, url: string, command: (m: HostMessage) => void) {
    super();
    this.#id = id;
    this.url = url;
    this.#command = command;
  }

  /** Sends as if the learner's code had (the lab's composer on a sandbox socket). */
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.readyState === 0) throw new DOMException('Still in CONNECTING state.', 'InvalidStateError');
    const wire: WireData =
      typeof data === 'string' || data instanceof Blob
        ? data
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer
          : new Uint8Array(data as ArrayBuffer).slice().buffer;
    this.#command({ kind: 'sock:cmd', id: this.#id, op: 'send', data: wire });
  }

  close(code?: number, reason?: string): void {
    this.#command({
      kind: 'sock:cmd',
      id: this.#id,
      op: 'close',
      ...(code !== undefined ? { code } : {}),
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  /** @internal the worker's report of what its socket did */
  apply(report: SocketReport, readyState: number, bufferedAmount: number): void {
    this.readyState = readyState;
    this.bufferedAmount = bufferedAmount;
    switch (report.kind) {
      case 'open':
        this.protocol = report.protocol;
        this.extensions = report.extensions;
        this.dispatchEvent(new Event('open'));
        return;
      case 'message':
        this.dispatchEvent(new MessageEvent('message', { data: report.data }));
        return;
      case 'error':
        this.dispatchEvent(new Event('error'));
        return;
      case 'close':
        this.dispatchEvent(
          new CloseEvent('close', { code: report.code, reason: report.reason, wasClean: report.wasClean }),
        );
        return;
      case 'buffered':
        return;
      default:
        this.dispatchEvent(new CustomEvent('api', { detail: report }));
    }
  }

  /** @internal the sandbox ended with this socket still open: the page saw it drop. */
  abandon(): void {
    if (this.readyState === 3) return;
    this.abandoned = true;
    this.apply({ kind: 'close', code: 1006, reason: '', wasClean: false }, 3, this.bufferedAmount);
  }
}

export interface SandboxSocket {
  id: number;
  url: string;
  protocols: string[];
  route: SocketRoute;
  /** Native route to our server: the token its bytes are tapped with. */
  tap?: string;
  /** Loopback route: the connection's wire events. */
  wire?: WireSource;
  /** A Node-style (`require('ws')`) client rather than the browser API. */
  node: boolean;
  socket: MirrorSocket;
}

export interface SandboxOptions {
  mode: 'server' | 'static';
  network: SandboxNetwork;
  /** Relative socket URLs resolve against it (default: document.baseURI). */
  base?: string;
  beatMs?: number;
  timeoutMs?: number;
  /** Bytes learner code may hold in big arrays (default DEFAULT_MEMORY_LIMIT). */
  memoryLimit?: number;
  /** What one run may ask of the page per second (port-guard.ts). */
  portLimits?: Partial<PortLimits>;
  onConsole(entries: ConsoleEntry[], dropped: number): void;
  onSocket?(socket: SandboxSocket): void;
  /** Once, when the sandbox ends (stop, watchdog, failure). */
  onExit?(reason: ExitReason): void;
  /** The top-level code finished (timers and sockets may still run). */
  onDone?(): void;
  /** Where the hidden iframe goes (default: document.body). */
  container?: HTMLElement;
}

const copy = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

export class Sandbox {
  readonly #o: SandboxOptions;
  #iframe: HTMLIFrameElement | undefined;
  #port: MessagePort | undefined;
  #watchdog: Watchdog;
  readonly #guard: PortGuard;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ended = false;
  #ready: Promise<void>;
  #resolveReady!: () => void;
  readonly #mirrors = new Map<number, MirrorSocket>();
  readonly #bridged: BridgedConnections;
  readonly #servers = new Map<number, { close(): void; port: number }>();
  readonly #conns = new Map<number, ServiceSocket>();
  #nextConn = 1;
  readonly #accepts = new Map<number, { resolve(v: string): void; reject(e: Error): void }>();
  #nextAccept = 1;
  readonly #verifies = new Map<number, (v: VerifyVerdict) => void>();
  #nextVerify = 1;
  #unwatch: (() => void) | undefined;
  #onVisibility = (): void => {
    if (document.visibilityState === 'visible') this.#watchdog.resume();
  };

  constructor(options: SandboxOptions) {
    this.#o = options;
    this.#watchdog = new Watchdog({
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      startupMs: STARTUP_TIMEOUT_MS,
      now: () => performance.now(),
    });
    this.#guard = new PortGuard(() => performance.now(), options.portLimits);
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.#bridged = new BridgedConnections(options.network, (m) => this.#post(m));
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Ports of the servers this sandbox listens on. */
  get serverPorts(): number[] {
    return [...this.#servers.values()].map((s) => s.port);
  }

  /** Creates the iframe and its worker; resolves once the worker is ready for code. */
  start(): Promise<void> {
    const iframe = document.createElement('iframe');
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.setAttribute('aria-hidden', 'true');
    iframe.setAttribute('tabindex', '-1');
    iframe.title = 'sandbox for your code';
    iframe.dataset.sandbox = '';
    iframe.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden;';
    iframe.srcdoc = iframeSrcdoc();
    const channel = new MessageChannel();
    this.#port = channel.port1;
    channel.port1.onmessage = (e) => this.#receive(e.data);
    iframe.addEventListener(
      'load',
      () =>
        iframe.contentWindow?.postMessage({ source: workerSource(), port: channel.port2 }, '*', [
          channel.port2,
        ]),
      { once: true },
    );
    (this.#o.container ?? document.body).append(iframe);
    this.#iframe = iframe;
    this.#timer = setInterval(() => this.#check(), 250);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#unwatch = this.#o.network.watch((virtualHosts) => this.#post({ kind: 'hosts', virtualHosts }));
    return this.#ready;
  }

  /** Runs code in the worker (once per sandbox: a new run gets a new sandbox). */
  async run(request: RunRequest): Promise<void> {
    await this.#ready;
    this.#post({ kind: 'run', run: request });
  }

  stop(): void {
    this.#end({ kind: 'stopped' });
  }

  #post(m: HostMessage): void {
    if (this.#ended) return;
    this.#port?.postMessage(m);
  }

  #check(): void {
    if (document.visibilityState === 'hidden') return;
    const v = this.#watchdog.check();
    if (!v.ok) {
      this.#end(
        v.starting
          ? { kind: 'failed', message: `the sandbox did not start within ${Math.round(v.silentMs / 1000)} s` }
          : { kind: 'unresponsive', silentMs: v.silentMs },
      );
    }
  }

  #end(reason: ExitReason): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#timer);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#unwatch?.();
    // Removing the iframe ends its worker at once, even in the middle of a loop.
    this.#iframe?.remove();
    this.#iframe = undefined;
    this.#port?.close();
    // As when a process dies: its servers stop listening and every TCP connection drops.
    for (const s of this.#servers.values()) s.close();
    this.#servers.clear();
    for (const c of this.#conns.values()) c.terminate();
    this.#conns.clear();
    this.#bridged.dropAll();
    for (const m of this.#mirrors.values()) m.abandon();
    for (const a of this.#accepts.values()) a.reject(new Error('the sandbox has ended'));
    this.#accepts.clear();
    for (const v of this.#verifies.values()) v({ status: 503, message: 'the server has stopped' });
    this.#verifies.clear();
    this.#resolveReady();
    this.#o.onExit?.(reason);
  }

  #receive(data: unknown): void {
    // Untrusted (learner code may forge messages): the whole shape is checked, then the budget.
    if (this.#ended || !isWorkerMessage(data)) return;
    const m = data;
    const admitted = this.#guard.admit(m);
    if (!admitted.ok) {
      this.#end({ kind: 'flooded', message: admitted.reason });
      return;
    }
    switch (m.kind) {
      case 'ready':
        this.#watchdog.started();
        this.#post({
          kind: 'init',
          init: {
            mode: this.#o.mode,
            base: this.#o.base ?? document.baseURI,
            virtualHosts: this.#o.network.virtualHosts,
            beatMs: this.#o.beatMs ?? DEFAULT_BEAT_MS,
            memoryLimit: this.#o.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
          },
        });
        this.#resolveReady();
        return;
      case 'beat':
        this.#watchdog.beat();
        return;
      case 'console':
        this.#watchdog.beat();
        this.#o.onConsole(m.entries, Math.floor(m.dropped));
        return;
      case 'done':
        this.#o.onDone?.();
        return;
      case 'oom':
        // Removing the iframe ends the worker before its heap reaches V8's limit (which would
        // take the page's whole renderer down with it).
        this.#end({
          kind: 'out-of-memory',
          bytes: m.bytes,
          limit: this.#o.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
        });
        return;
      case 'sock:create':
        this.#create(m);
        return;
      case 'sock:report':
        this.#mirrors.get(m.id)?.apply(m.report, m.readyState, m.bufferedAmount);
        return;
      case 'ws:send':
      case 'ws:close':
      case 'ws:abort':
      case 'ws:ping':
      case 'ws:pong':
        this.#bridged.call(m);
        return;
      case 'srv:listen':
        this.#listen(m.sid, m.port, m.path, m.acceptKey === true, m.verify === true, m.maxPayload);
        return;
      case 'srv:verified': {
        const settle = this.#verifies.get(m.rid);
        if (!settle) return;
        this.#verifies.delete(m.rid);
        settle(m.ok ? true : { status: m.status, message: m.message });
        return;
      }
      case 'srv:accept': {
        const pending = this.#accepts.get(m.rid);
        if (!pending) return;
        this.#accepts.delete(m.rid);
        if ('accept' in m) pending.resolve(m.accept);
        else pending.reject(new Error(m.error));
        return;
      }
      case 'srv:close': {
        const s = this.#servers.get(m.sid);
        s?.close();
        this.#servers.delete(m.sid);
        return;
      }
      default:
        this.#connCall(m);
    }
  }

  #create(m: Extract<WorkerMessage, { kind: 'sock:create' }>): void {
    if (this.#mirrors.has(m.id)) return;
    const mirror = new MirrorSocket(m.id, m.url, (cmd) => this.#post(cmd));
    this.#mirrors.set(m.id, mirror);
    const protocols = m.protocols.map(String);
    const info: SandboxSocket = {
      id: m.id,
      url: m.url,
      protocols,
      route: m.route,
      node: m.node !== undefined,
      socket: mirror,
    };
    if (m.route === 'native') {
      if (typeof m.tap === 'string') info.tap = m.tap;
      this.#o.onSocket?.(info);
      return;
    }
    const wire = this.#bridged.open(m, protocols);
    if (!wire) return;
    info.wire = wire;
    this.#o.onSocket?.(info);
  }

  /**
   * A handshake to a learner server with `acceptKey`: the learner's function runs in the
   * worker; the virtual network waits for its answer (Service.acceptKey), at most ACCEPT_WAIT_MS.
   */
  #askAccept(sid: number, key: string): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.#ended) return reject(new Error('the sandbox has ended'));
      const rid = this.#nextAccept++;
      const timer = setTimeout(() => {
        this.#accepts.delete(rid);
        reject(new Error(`did not answer within ${ACCEPT_WAIT_MS / 1000} s`));
      }, ACCEPT_WAIT_MS);
      this.#accepts.set(rid, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.#post({ kind: 'srv:accept-key', sid, rid, key });
    });
  }

  /**
   * A handshake to a learner server with `verifyClient`: the learner's function runs in the
   * worker and decides (Service.verifyClient); no verdict within ACCEPT_WAIT_MS answers 500.
   */
  #askVerify(sid: number, request: ClientRequestInfo): Promise<VerifyVerdict> {
    return new Promise((resolve) => {
      if (this.#ended) return resolve({ status: 503, message: 'the server has stopped' });
      const rid = this.#nextVerify++;
      const timer = setTimeout(() => {
        this.#verifies.delete(rid);
        resolve({ status: 500, message: `verifyClient did not answer within ${ACCEPT_WAIT_MS / 1000} s` });
      }, ACCEPT_WAIT_MS);
      this.#verifies.set(rid, (v) => (clearTimeout(timer), resolve(v)));
      this.#post({ kind: 'srv:verify', sid, rid, url: request.url, headers: { ...request.headers } });
    });
  }

  #listen(
    sid: number,
    port: number,
    path: string | undefined,
    acceptKey: boolean,
    verify = false,
    maxPayload?: number,
  ): void {
    const result = this.#o.network.listen({
      port,
      ...(typeof path === 'string' ? { path } : {}),
      ...(acceptKey ? { acceptKey: (key: string) => this.#askAccept(sid, key) } : {}),
      ...(verify ? { verifyClient: (r: ClientRequestInfo) => this.#askVerify(sid, r) } : {}),
      ...(maxPayload !== undefined ? { maxPayload } : {}),
      onConnection: (socket) => this.#accept(sid, port, socket),
    });
    if (!result.ok) {
      this.#post({ kind: 'srv:error', sid, code: result.code, message: result.message });
      return;
    }
    this.#servers.set(sid, { close: result.close, port });
    this.#post({ kind: 'srv:listening', sid, port });
  }

  #accept(sid: number, port: number, socket: ServiceSocket): void {
    if (this.#ended) {
      socket.terminate();
      return;
    }
    const cid = this.#nextConn++;
    this.#conns.set(cid, socket);
    socket.on('message', (d) =>
      this.#post(
        typeof d === 'string'
          ? { kind: 'conn:message', cid, data: d, isBinary: false }
          : { kind: 'conn:message', cid, data: copy(d), isBinary: true },
      ),
    );
    socket.on('ping', (d) => this.#post({ kind: 'conn:ping', cid, data: copy(d) }));
    socket.on('pong', (d) => this.#post({ kind: 'conn:pong', cid, data: copy(d) }));
    socket.on('close', (info) => {
      this.#conns.delete(cid);
      this.#post({ kind: 'conn:close', cid, code: info.code, reason: info.reason });
    });
    const query = socket.query.toString();
    this.#post({
      kind: 'srv:conn',
      sid,
      cid,
      url: `ws://localhost:${port}${socket.path}${query ? `?${query}` : ''}`,
      protocol: socket.protocol,
      protocols: socket.protocol ? [socket.protocol] : [],
      remote: socket.remote,
      origin: socket.headers?.origin ?? '',
      ...(socket.headers ? { headers: { ...socket.headers } } : {}),
    });
  }

  #connCall(m: WorkerMessage): void {
    if (!('cid' in m)) return;
    const s = this.#conns.get(m.cid);
    if (!s) return;
    switch (m.kind) {
      case 'conn:send': {
        // 5.4: fin false sends a piece of a message (ws's send(data, { fin: false })).
        const options = { fin: m.fin !== false };
        if (typeof m.data === 'string' && !m.binary) s.sendText(m.data, options);
        else
          s.sendBinary(
            typeof m.data === 'string' ? new TextEncoder().encode(m.data) : new Uint8Array(m.data),
            options,
          );
        return;
      }
      case 'conn:ping':
        s.ping(new Uint8Array(m.data));
        return;
      case 'conn:pong':
        s.pong(new Uint8Array(m.data));
        return;
      case 'conn:close':
        s.close(m.code, m.reason);
        return;
      case 'conn:terminate':
        s.terminate();
        return;
    }
  }
}
