/**
 * The Node transport: HTTP upgrade -> engine -> services.
 *
 * `createPlaygroundServer(options)` gives a `handleUpgrade(req, socket, head)` to hang on any
 * http.Server's 'upgrade' event (the CLI's, Vite's dev and preview servers). Per upgrade:
 *   1. a path that is not ours may be left alone (Vite's HMR socket); the relay's is handled
 *      here (relay.ts: it opens a second TCP connection);
 *   2. every other upgrade goes to the server core (app/host/): the request text, rebuilt from
 *      req.rawHeaders, and every byte read after it go in; what it answers (the HTTP refusal or
 *      the 101, then frames) is written to the socket. Routing, the tap, shutdown, the
 *      connection limit, the engine's checks and the Session are the core's, the same as the
 *      in-page network's; this file only moves bytes and sets the TCP socket up.
 *
 * Backpressure: when more than highWaterMark bytes wait unwritten (the kernel's buffer for
 * this socket is full), reading from that socket pauses until 'drain' (TCP then slows the peer
 * down); data the server pushes on its own (chat, ticker, tap) to a peer that does not read is
 * bounded by the session's slow-reader policy (close 1008 once `maxBufferedBytes` is
 * unwritten, then TCP is dropped at the close deadline).
 * Every socket error is caught; a connection is forgotten exactly when its socket closes.
 */
import { httpErrorResponse } from '../protocol/http-status.ts';
import { normaliseBase } from '../services/base-path.ts';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { rejection, validateClientRequest } from '../protocol/handshake.ts';
import { parseRequest } from '../protocol/http.ts';
import type { Entropy, WireEvent } from '../protocol/types.ts';
import { createFeed, feedPath } from '../services/feed.ts';
import { createServices } from '../services/index.ts';
import type { ServiceIndex, Timers } from '../services/service.ts';
import { DEFAULT_CLOSE_TIMEOUT_MS } from '../services/session.ts';
import { ReadPace } from '../services/read-rate.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, ServerCore, type ConnectionInfo } from '../host/server-core.ts';
import { REFUSED_LINGER_MS, type HostConnection, type HostTransport } from '../host/upgrade.ts';
import { installNativeMask } from './mask-kernel.ts';
import { readIntoOwnBuffer } from './reused-reads.ts';
import { installFrameSlabs } from './frame-slabs.ts';
import { TapHub } from './tap.ts';
import { createRelay, DEFAULT_RELAY_PATH, onwardToken } from './relay.ts';
import { checkRelayTarget } from './relay-target.ts';
import { zlibCodec } from './zlib-codec.ts';

export {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_SIZE,
  type ConnectionInfo,
} from '../host/server-core.ts';
export const DEFAULT_TAP_PATH = '/__tap';

export interface PlaygroundServerOptions {
  /** Endpoints; default: a fresh `createServices()` (its own chat room). */
  services?: ServiceIndex;
  /** Largest message (bytes) before 1009. Default 1 MiB. Overrides the services' own. */
  maxMessageSize?: number;
  /** Open WebSocket connections at once (tap included); more get HTTP 503. Default 1024. */
  maxConnections?: number;
  /** Messages per second per connection, for every endpoint (over it: 1008). Default: none. */
  rate?: number;
  /** Allowed Origin header values (e.g. 'http://localhost:5173'); others get 403. Default: any. */
  origins?: readonly string[];
  /** Longest closing handshake before TCP is dropped (ms). Default 5000. */
  closeTimeout?: number;
  /**
   * Read each socket into a buffer it keeps instead of new memory per read (reused-reads.ts):
   * far fewer full garbage collections under load. Default true; sockets it cannot rebuild
   * (TLS) are read as usual either way.
   */
  reuseReadBuffers?: boolean;
  /** Unwritten bytes per connection before the slow-reader close. Default 8 MiB. */
  maxBufferedBytes?: number;
  /**
   * Accept permessage-deflate (RFC 7692) when a client offers it. Default true; a client turns
   * it off for its own connection with `?deflate=0` in the URL.
   */
  deflate?: boolean;
  /** The tap's path; '' disables the tap. Default '/__tap'. */
  tapPath?: string;
  /** The relay's path ('' disables it). Default '/__relay' (relay.ts). */
  relayPath?: string;
  /** Relay targets allowed besides loopback: 'host:port' or 'host:*' (relay-target.ts). */
  relayAllow?: readonly string[];
  /** A path prefix to strip before routing (a preview served under /sub/). Default '/'. */
  base?: string;
  log?: (line: string) => void;
  /** A connection finished its handshake (for the classroom's join log). */
  onOpen?: (info: ConnectionInfo) => void;
  /** A connection's socket closed. */
  onClose?: (info: ConnectionInfo & { code: number }) => void;
  entropy?: Entropy;
  now?: () => number;
  timers?: Timers;
}

export interface ConnectionSnapshot extends ConnectionInfo {
  readyState: string;
  /** Bytes written to the socket and not yet sent. */
  bufferedAmount: number;
  /** Whether reading from the socket is paused for backpressure. */
  paused: boolean;
  /** Whether the socket reads into a buffer it keeps (reused-reads.ts), not new memory per read. */
  reusesReadBuffer: boolean;
}

export interface UpgradeOptions {
  /** Unknown paths: 'reject' answers 404 (default), 'ignore' leaves the socket to others (Vite HMR). */
  unknown?: 'reject' | 'ignore';
  /**
   * Upgrades that belong to someone else sharing the server (Vite's HMR socket): left untouched
   * whatever their path. Every other unknown path then gets its 404 instead of hanging.
   */
  leave?: (req: IncomingMessage) => boolean;
}

export interface PlaygroundServer {
  /** Handles one 'upgrade'. False when the path is not ours and `unknown` is 'ignore'. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, options?: UpgradeOptions): boolean;
  /**
   * A plain HTTP request (no `Connection: Upgrade`) to one of our WebSocket paths: answers 426
   * Upgrade Required, saying it is a WebSocket endpoint, and returns true; false for any other
   * path (the site's files are served as before).
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Hangs `handleUpgrade` on a server's 'upgrade' event; returns the function that unhooks it. */
  attach(server: EventEmitter, options?: UpgradeOptions): () => void;
  /** Open connections (after their handshake). */
  readonly connections: number;
  /** The open connections as they are now (for the classroom view and tests). */
  snapshot(): ConnectionSnapshot[];
  readonly services: ServiceIndex;
  readonly tap: TapHub;
  /** Refuses new connections, closes every open one with `code` (1001) and waits for their sockets. */
  close(code?: number, reason?: string): Promise<void>;
}

/** A complete HTTP error response for a refused upgrade (app/protocol/http-status.ts). */
export const httpError = httpErrorResponse;

/** The request head as the client sent it, rebuilt from Node's parse (names keep their case). */
export function requestText(req: IncomingMessage): string {
  let text = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return text + '\r\n';
}

const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id as ReturnType<typeof setInterval>),
};

const nodeEntropy: Entropy = { randomBytes: (n) => randomBytes(n) };

export function createPlaygroundServer(options: PlaygroundServerOptions = {}): PlaygroundServer {
  // §5.3 at native speed when bufferutil is installed (the engine's own loops otherwise).
  installNativeMask();
  // Big arrays the engine writes in full (frames, gathered payloads): unzeroed slabs.
  installFrameSlabs();
  const services = options.services ?? createServices();
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const timers = options.timers ?? nodeTimers;
  const entropy = options.entropy ?? nodeEntropy;
  const tapPath = options.tapPath ?? DEFAULT_TAP_PATH;
  const base = normaliseBase(options.base);
  // The polling endpoints (for the lesson on why WebSockets) (plain HTTP, not WebSocket): the same answers as the loopback's.
  const feed = createFeed({ now, timers });
  const hub = new TapHub(now);
  const tapService = tapPath ? hub.service(tapPath) : undefined;
  const relayPath = options.relayPath ?? DEFAULT_RELAY_PATH;
  const relayAllow = options.relayAllow ?? [];
  const relay = createRelay({
    entropy,
    now,
    log,
    closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS,
    maxFrameSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    refuse: (socket, response, tap) => refuse(socket, response, tap),
    httpError: (status, body) => httpError(status, body),
  });
  // Every decision about a WebSocket request (app/host): this file only moves its bytes.
  const core = new ServerCore({
    services,
    ...(tapService ? { hidden: new Map([[tapPath, tapService]]) } : {}),
    base,
    ...(options.origins ? { origins: options.origins } : {}),
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    extraConnections: () => relay.count,
    ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.closeTimeout !== undefined ? { closeTimeout: options.closeTimeout } : {}),
    ...(options.maxBufferedBytes !== undefined ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
    ...(options.deflate !== undefined ? { deflate: options.deflate } : {}),
    deflateCodec: { loaded: () => deflateCodec },
    // The byte tap: a connection opened with ?tap=T is mirrored to T's subscribers.
    tapFor: (query, id) => {
      const token = query.get('tap');
      return TapHub.isToken(token) ? hub.sink(token, id) : undefined;
    },
    tapKey: 'tap',
    entropy,
    now,
    timers,
    log,
    ...(options.onOpen ? { onOpen: options.onOpen } : {}),
    ...(options.onClose ? { onClose: options.onClose } : {}),
  });
  const snapshots = new Map<HostConnection, () => ConnectionSnapshot>();
  const reuseReads = options.reuseReadBuffers ?? true;
  // Set when a write leaves bytes queued in Node (the kernel did not take them all): they may be
  // views of the read buffer being handled (an echo, a broadcast), which must then not be reused.
  let writeQueued = false;

  const isRelay = (pathname: string): boolean => relayPath !== '' && core.localPath(pathname) === relayPath;

  /** The relay's refusals (relay.ts); the core answers every other request itself. */
  function refuse(socket: Duplex, response: string, tap?: (e: WireEvent) => void): void {
    tap?.({ kind: 'handshake', t: now(), from: 'server', text: response });
    if (socket.writable) socket.end(response, 'utf8');
    // A peer that never reads must not hold the socket open.
    const timer = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
    timer.unref?.();
    socket.once('close', () => {
      clearTimeout(timer);
      tap?.({ kind: 'eof', t: now(), from: 'server' });
    });
  }

  function handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    upgrade: UpgradeOptions = {},
  ): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://playground.invalid');
    } catch {
      url = new URL('http://playground.invalid/');
    }
    const service = core.route(url.pathname);
    const relayed = isRelay(url.pathname);
    if (!service && !relayed && (upgrade.unknown === 'ignore' || upgrade.leave?.(req))) return false;
    if (relayed) {
      const earlyError = (error: Error): void => log(`socket error before open: ${error.message}`);
      socket.on('error', earlyError);
      const id = core.nextId();
      const token = url.searchParams.get('tap');
      const tapped = TapHub.isToken(token);
      const tap = tapped ? hub.sink(token, id) : undefined;
      const text = requestText(req);
      tap?.({ kind: 'handshake', t: now(), from: 'client', text });
      openRelay(req, socket, head, url, id, text, tap, tapped ? token : undefined);
      socket.off('error', earlyError);
      socket.on('error', () => {});
      return true;
    }
    openConnection(req, socket as Socket, head);
    return true;
  }

  /**
   * `/__relay?to=ws://...` (relay.ts): the target checked against the allow list (403 with how to
   * allow it), the browser's request checked by the engine, then the relay connects onward.
   */
  function openRelay(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    id: string,
    text: string,
    tap: ((e: WireEvent) => void) | undefined,
    token: string | undefined,
  ): void {
    const busy = core.admission();
    if (busy) return refuse(socket, httpError(busy.status, busy.body, busy.headers), tap);
    const checked = checkRelayTarget(url.searchParams.get('to'), relayAllow);
    if (!checked.ok) {
      log(`relay refused ${url.searchParams.get('to') ?? '(no target)'}: ${checked.status}`);
      return refuse(socket, httpError(checked.status, checked.body), tap);
    }
    const parsed = parseRequest(text);
    const origins = options.origins && options.origins.length > 0 ? options.origins : undefined;
    const verdict = parsed.ok
      ? validateClientRequest(parsed.request, { protocols: [], ...(origins ? { origins } : {}) })
      : rejection(parsed.error);
    if (!verdict.ok) return refuse(socket, verdict.response, tap);
    const onward = token !== undefined ? onwardToken(token) : undefined;
    relay.open({
      req,
      socket,
      head,
      target: checked.target,
      key: verdict.key,
      offeredProtocols: verdict.offeredProtocols,
      id,
      tap,
      onwardTap: onward !== undefined ? hub.sink(onward, `${id}-onward`) : undefined,
    });
  }

  /** One upgrade for the core (app/host): its bytes in, what it writes out, until the socket closes. */
  function openConnection(req: IncomingMessage, upgraded: Socket, head: Buffer): void {
    const address = upgraded.remoteAddress ?? req.socket?.remoteAddress ?? '?';
    const remote = `${address}:${upgraded.remotePort ?? '?'}`;
    // Each read lent to the core; its buffer is reused unless something still refers to it.
    const rebuilt = reuseReads
      ? readIntoOwnBuffer(upgraded, (bytes) => {
          writeQueued = false;
          const kept = conn.receiveBorrowed(bytes);
          afterRead(bytes.length);
          return kept || writeQueued;
        })
      : undefined;
    const socket = rebuilt ?? upgraded;
    let paused = false;
    // A service that reads slowly on purpose (Service.readRate): reading also pauses between
    // chunks; the socket resumes only when neither reason holds.
    let pace: ReadPace | undefined;
    let pacing = false;
    let paceTimer: unknown;
    let path = '?';
    const resume = (): void => {
      paused = false;
      if (!pacing) socket.resume();
    };
    const wire: HostTransport = {
      write(chunks) {
        if (socket.destroyed || socket.writableEnded) return;
        if (chunks.length === 1) socket.write(chunks[0] as Uint8Array);
        else {
          socket.cork();
          for (const c of chunks) socket.write(c);
          socket.uncork();
        }
        if (socket.writableLength > 0) writeQueued = true;
        // Pause only when bytes wait in Node's queue: the kernel did not take them all. (write()
        // returns false for any chunk of highWaterMark bytes or more, even one written at once,
        // which paused every 16 KiB echo for a round of 'drain'.)
        if (socket.writableLength > socket.writableHighWaterMark && !paused) {
          paused = true;
          socket.pause();
          socket.once('drain', resume);
        }
      },
      get bufferedAmount() {
        return socket.writableLength;
      },
      end() {
        if (!socket.destroyed && !socket.writableEnded) socket.end();
        // Read on to the peer's FIN (7.1.1): 'drain' does not come once the socket is ending,
        // and a socket reading into its own buffer stops reading at once when paused.
        if (paused) {
          socket.off('drain', resume);
          resume();
        }
      },
      destroy() {
        socket.destroy();
      },
      opened({ info, service, query, session }) {
        path = info.path;
        socket.setNoDelay?.(true);
        socket.setTimeout?.(0);
        // A laptop lid closed mid-class: TCP keepalive finds the dead peer even on a quiet socket.
        socket.setKeepAlive?.(true, 30_000);
        const rate = service.readRate?.(query);
        if (rate !== undefined) pace = new ReadPace(rate, now);
        snapshots.set(conn, () => ({
          ...info,
          readyState: session.readyState,
          bufferedAmount: socket.writableLength,
          paused,
          reusesReadBuffer: rebuilt !== undefined,
        }));
      },
      ended() {
        snapshots.delete(conn);
      },
    };
    const conn = core.accept(wire, { address, remote });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') log(`${conn.id} ${path}: ${error.message}`);
    });
    /** A service that reads slowly on purpose: pause between reads (see `pace`). */
    function afterRead(bytes: number): void {
      const wait = pace?.took(bytes) ?? 0;
      if (wait <= 0 || pacing || socket.destroyed) return;
      pacing = true;
      socket.pause();
      paceTimer = timers.setTimeout(() => {
        pacing = false;
        if (!paused && !socket.destroyed) socket.resume();
      }, wait);
    }
    // A plain Uint8Array view (no copy): the engine owns the chunk and may call .slice() on its
    // parts, which on a Buffer would be a view into the chunk instead of a copy.
    if (!rebuilt)
      socket.on('data', (chunk: Buffer) => {
        conn.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        afterRead(chunk.byteLength);
      });
    socket.on('end', () => conn.receiveEof());
    socket.on('close', () => {
      if (pacing) timers.clearTimeout(paceTimer);
      conn.transportClosed();
    });
    conn.request(requestText(req), new Uint8Array(head.buffer, head.byteOffset, head.byteLength));
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://playground.invalid').pathname;
    } catch {
      return false;
    }
    const polled = feedPath(pathname, base);
    if (polled) {
      answerFeed(polled, req, res);
      return true;
    }
    if (isRelay(pathname)) return answerRelayProbe(req, res);
    if (!core.route(pathname)) return false;
    // 4.1 and 4.2.1: a WebSocket opening is a GET with `Upgrade: websocket` and `Connection:
    // Upgrade`; without them this is no handshake. RFC 9110 15.5.22: a 426 names the protocol to
    // switch to in an Upgrade header. The page's files are not served here: they would say
    // nothing about why a WebSocket client got a web page.
    const body = `${pathname} is a WebSocket endpoint: open it with a WebSocket client (new WebSocket('ws://${req.headers.host ?? 'host'}${pathname}')), which sends the Upgrade: websocket and Connection: Upgrade headers this request lacks.\n`;
    res.writeHead(426, 'Upgrade Required', {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Version': '13',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /**
   * A plain GET to the relay path: whether the target in `?to=` would be allowed (403 with why,
   * 400 for a bad target, else 426 as for any endpoint), so a page can say so before connecting.
   */
  function answerRelayProbe(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://playground.invalid');
    const checked = checkRelayTarget(url.searchParams.get('to'), relayAllow);
    const body = checked.ok
      ? `the relay would connect to ${checked.target.url.toString()}: open it with a WebSocket client.\n`
      : checked.body + '\n';
    res.writeHead(checked.ok ? 426 : checked.status, {
      ...(checked.ok ? { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13' } : {}),
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /**
   * /poll and /long-poll (app/services/feed.ts). The head is exactly `responseHead(answer)`: no
   * Date, and Connection set by the feed, so Node adds no header of its own (the loopback sends
   * the same bytes). A long poll whose client leaves is let go.
   */
  function answerFeed(path: string, req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://playground.invalid');
    const { done, cancel } = feed.answer({
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      requestBytes: requestHeadBytes(req),
    });
    res.once('close', cancel);
    void done.then((answer) => {
      if (res.destroyed || res.writableEnded) return;
      res.sendDate = false;
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.writeHead(answer.status, answer.reason, answer.headers.flat());
      res.end(answer.body.length > 0 ? answer.body : undefined);
    });
  }

  return {
    handleUpgrade,
    handleRequest,
    attach(server, upgrade) {
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        try {
          handleUpgrade(req, socket, head, upgrade);
        } catch (error) {
          log(`upgrade failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          socket.destroy();
        }
      };
      server.on('upgrade', listener);
      return () => {
        server.off('upgrade', listener);
      };
    },
    get connections() {
      return core.connections;
    },
    snapshot() {
      return [...snapshots.values()].map((f) => f());
    },
    services,
    tap: hub,
    close(code = 1001, reason = 'server shutting down') {
      const done = core.close(code, reason);
      relay.close(code, reason);
      return done;
    },
  };
}

/**
 * The request head's size as it came (RFC 9112 §2.1: request line, header lines, blank line).
 * Node has parsed it: names keep their case, whitespace around ':' is one space, which is how
 * browsers write it.
 */
export function requestHeadBytes(req: IncomingMessage): number {
  let n = Buffer.byteLength(`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`, 'latin1');
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    n += Buffer.byteLength(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`, 'latin1');
  return n + 2;
}

const deflateCodec = zlibCodec();
