/**
 * The virtual network: an in-page stand-in for TCP and for the playground's Node server.
 *
 *   LoopbackWebSocket ── ClientEndpoint (engine, role client) ══ Link ══ server side (engine,
 *                        role server) ── Session ── the services of app/services (/echo, ...)
 *
 * Every byte between the two engines is real RFC 6455: the handshake text, masked client
 * frames, server frames. The server side is the Node transport's twin (app/server/server.ts):
 * the same routing, the same handshake validation, the same `Session` hosting the same
 * services, and the same wire events for the inspector (socket[WIRE]).
 *
 * The learner can change the link (latency, bandwidth), drop connections (the page sees
 * 1006) and make handshakes fail (the page sees error, then close 1006).
 */
import { httpErrorResponse, STATUS_TEXT } from '../protocol/http-status.ts';
import { normaliseBase } from '../services/base-path.ts';
import { Connection } from '../protocol/connection.ts';
import { buildServerResponse, validateClientRequest } from '../protocol/handshake.ts';
import type { DeflateParams } from '../protocol/permessage-deflate.ts';
import { loadedDeflateCodec, loadPageDeflate } from './page-deflate.ts';
import { loadPageMask } from './page-mask.ts';
import { HeadReader, parseRequest } from '../protocol/http.ts';
import type { Entropy, WireEvent } from '../protocol/types.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';
import { createFeed, feedPath, type Feed } from '../services/feed.ts';
import { createServices } from '../services/index.ts';
import type { Service, ServiceIndex } from '../services/service.ts';
import { DEFAULT_CLOSE_TIMEOUT_MS, Session, type Wire } from '../services/session.ts';
import { ClientEndpoint, type ClientChannel, type ClientSink } from './client.ts';
import { Link, type LinkConditions, type VirtualSocket } from './link.ts';
import { browserScheduler, type Scheduler } from './scheduler.ts';
import { WireLog } from './wire.ts';

/** The host every virtual network answers on, whatever page it runs in. */
export const LOOPBACK_HOST = 'playground.local';
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;

export interface VirtualNetworkOptions {
  /** Endpoints; default: a fresh `createServices()` (its own chat room). */
  services?: ServiceIndex;
  /** Hosts (host or host:port) served; default playground.local and the page's own host. */
  hosts?: readonly string[];
  /** A path prefix stripped before routing (the site's sub-path); default: the page's base path. */
  base?: string;
  /** The Origin header loopback clients send; default the page's origin. */
  origin?: string;
  scheduler?: Scheduler;
  entropy?: Entropy;
  /** Initial link conditions; default no latency and no bandwidth limit. */
  conditions?: Partial<LinkConditions>;
  /** Server's largest message (bytes) before 1009. Default 1 MiB (the service's own if set). */
  maxMessageSize?: number;
  /** Messages per second per connection, every endpoint (1008 over it). Default: none. */
  rate?: number;
  /** Longest closing handshake on the server before it drops TCP (ms). Default 5000. */
  closeTimeout?: number;
  /** Client's wait for the closing handshake (ms). Default 5000. */
  clientCloseTimeout?: number;
  /** Unsent bytes per server connection before the slow-reader close 1008. Default 8 MiB. */
  maxBufferedBytes?: number;
  log?: (line: string) => void;
}

export interface ConnectOptions {
  /** The client answers pings by itself (default true, as browsers do; `ws` lets you turn it off). */
  autoPong?: boolean;
  /** The Origin header to send instead of the network's (a lesson's probe posing as another site, 10.2). */
  origin?: string;
}

/** A fault the next handshakes meet on the server side. */
export type HandshakeFault =
  /** The server answers with this HTTP status instead of 101. */
  | { kind: 'status'; status: number }
  /** The server answers 101 with a wrong Sec-WebSocket-Accept (the client must refuse it). */
  | { kind: 'bad-accept' }
  /** The server resets TCP without answering. */
  | { kind: 'reset' };

/** One connection on the network, for the UI's list. */
export interface NetworkConnection {
  id: string;
  url: string;
  path: string;
  protocol: string;
  /** Server side state. */
  readonly readyState: 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';
  readonly wire: WireLog;
  /** Breaks the connection (a pulled cable): no close frame, both ends see 1006. */
  drop(): void;
}

interface Attempt {
  id: string;
  url: URL;
  wire: WireLog;
  client: ClientEndpoint;
  link: Link | undefined;
  session: Session | undefined;
  path: string;
  protocol: string;
  ended: boolean;
  /** Forgets the attempt (its TCP connection is over). */
  end(): void;
}

/** What a header value may hold here: visible ASCII, spaces and tabs (RFC 9110 5.5, no obs-text). */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** The 101 with its Sec-WebSocket-Accept replaced by `accept`, verbatim. */
function withAccept(response: string, accept: string): string {
  return response.replace(
    /^Sec-WebSocket-Accept: [^\r\n]*\r\n/m,
    () => `Sec-WebSocket-Accept: ${accept}\r\n`,
  );
}

export function cryptoEntropy(): Entropy {
  return { randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)) };
}

interface PageLocation {
  host: string;
  origin: string;
  base: string;
}

function pageLocation(): PageLocation | undefined {
  const g = globalThis as { location?: Location; document?: Document };
  if (!g.location || !/^https?:$/.test(g.location.protocol)) return undefined;
  const baseUri = g.document?.baseURI ?? g.location.href;
  return { host: g.location.host, origin: g.location.origin, base: new URL('.', baseUri).pathname };
}

type Listener = () => void;

export class VirtualNetwork {
  readonly services: ServiceIndex;
  readonly scheduler: Scheduler;
  readonly entropy: Entropy;
  readonly origin: string | undefined;
  readonly #hosts: Set<string>;
  readonly #base: string;
  readonly #o: VirtualNetworkOptions;
  #conditions: LinkConditions;
  #fault: HandshakeFault | undefined;
  #faultTimes = 0;
  readonly #attempts = new Map<string, Attempt>();
  readonly #listeners = new Set<Listener>();
  #nextId = 0;
  readonly #feed: Feed;

  constructor(options: VirtualNetworkOptions = {}) {
    const page = pageLocation();
    // In a page (not in Node), the engine masks big payloads with WebAssembly SIMD once loaded.
    if (page) void loadPageMask();
    this.#o = options;
    this.services = options.services ?? createServices();
    this.scheduler = options.scheduler ?? browserScheduler();
    this.entropy = options.entropy ?? cryptoEntropy();
    // The feed's first update is the network's start, as the Node server's is its own.
    this.#feed = createFeed({ now: () => this.scheduler.now(), timers: this.scheduler });
    this.origin = options.origin ?? page?.origin;
    this.#hosts = new Set(
      (options.hosts ?? [LOOPBACK_HOST, ...(page ? [page.host] : [])]).map((h) => h.toLowerCase()),
    );
    this.#base = normaliseBase(options.base ?? page?.base);
    this.#conditions = { latencyMs: 0, bandwidth: Infinity, ...options.conditions };
  }

  /** The polling feed (for the lesson on why WebSockets) (/poll, /long-poll: plain HTTP, app/loopback/http.ts), on this network's clock. */
  get feed(): Feed {
    return this.#feed;
  }

  /** The feed path an HTTP request's path routes to (the site's sub-path stripped), if any. */
  feedRoute(pathname: string): string | undefined {
    return feedPath(pathname, this.#base);
  }

  /** Hosts the network answers on (anything else: connection refused). */
  get hosts(): readonly string[] {
    return [...this.#hosts];
  }

  get conditions(): LinkConditions {
    return { ...this.#conditions };
  }

  /** Changes the link for every connection, at once (bytes in flight keep their order). */
  setConditions(conditions: Partial<LinkConditions>): void {
    const next = { ...this.#conditions, ...conditions };
    if (!(next.latencyMs >= 0) || !Number.isFinite(next.latencyMs))
      throw new RangeError('latencyMs must be a finite number >= 0');
    if (!(next.bandwidth > 0)) throw new RangeError('bandwidth must be > 0 bytes/s (Infinity: no limit)');
    this.#conditions = next;
    this.#changed();
  }

  /** Makes the next `times` handshakes (default: every one until cleared with null) meet `fault`. */
  failHandshakes(fault: HandshakeFault | null, times = Infinity): void {
    this.#fault = fault ?? undefined;
    this.#faultTimes = fault ? times : 0;
    this.#changed();
  }

  get handshakeFault(): HandshakeFault | undefined {
    return this.#fault;
  }

  /** Whether `url` (ws: or wss:) would reach a host on this network. */
  serves(url: URL): boolean {
    return this.#hosts.has(url.host.toLowerCase()) || this.#hosts.has(url.hostname.toLowerCase());
  }

  /** The service a request path routes to (the site's sub-path stripped, like the Node server). */
  route(pathname: string): Service | undefined {
    let p = pathname;
    if (this.#base !== '/' && p.startsWith(this.#base + '/')) p = p.slice(this.#base.length);
    return this.services.get(p);
  }

  /** Connections that reached a server and have not ended yet. */
  connections(): NetworkConnection[] {
    const out: NetworkConnection[] = [];
    for (const a of this.#attempts.values()) {
      if (a.ended || !a.link) continue;
      const session = a.session;
      out.push({
        id: a.id,
        url: a.url.href,
        path: a.path,
        protocol: a.protocol,
        get readyState() {
          return session ? session.readyState : 'CONNECTING';
        },
        wire: a.wire,
        drop: () => this.#drop(a),
      });
    }
    return out;
  }

  /** Breaks every connection (or those `filter` picks): no Close frame, both ends see 1006. Returns how many. */
  drop(filter?: (c: NetworkConnection) => boolean): number {
    let n = 0;
    for (const c of this.connections()) {
      if (filter && !filter(c)) continue;
      c.drop();
      n++;
    }
    return n;
  }

  /** Called when connections come and go or settings change (for the UI). */
  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  /** Closes every open server connection with `code` (1001 Going Away). */
  shutdown(code = 1001, reason = 'server shutting down'): void {
    for (const a of this.#attempts.values()) a.session?.close(code, reason);
  }

  /**
   * Opens a connection to `url` for a LoopbackWebSocket (the API layer). The returned channel
   * and the sink's calls are asynchronous: nothing happens before the next task.
   */
  connect(
    url: URL,
    protocols: readonly string[],
    sink: ClientSink,
    options: ConnectOptions = {},
  ): { channel: ClientChannel; wire: WireLog; id: string } {
    const id = `c${++this.#nextId}`;
    const wire = new WireLog();
    const attempt: Attempt = {
      id,
      url,
      wire,
      client: undefined as unknown as ClientEndpoint,
      link: undefined,
      session: undefined,
      path: url.pathname,
      protocol: '',
      ended: false,
      end: () => {
        if (attempt.ended) return;
        attempt.ended = true;
        this.#attempts.delete(id);
        this.#changed();
      },
    };
    attempt.client = new ClientEndpoint({
      url,
      protocols,
      origin: options.origin ?? this.origin,
      entropy: this.entropy,
      scheduler: this.scheduler,
      closeTimeout: this.#o.clientCloseTimeout,
      ...(options.autoPong !== undefined ? { autoPong: options.autoPong } : {}),
      sink: {
        open: (p, e) => sink.open(p, e),
        message: (d) => sink.message(d),
        closing: () => sink.closing(),
        transmitted: (n) => sink.transmitted(n),
        ping: (d) => sink.ping?.(d),
        pong: (d) => sink.pong?.(d),
        closed: (r) => {
          if (!attempt.link) attempt.end();
          sink.closed(r);
        },
      },
    });
    this.#attempts.set(id, attempt);
    const s = this.scheduler;
    const latency = (): number => this.#conditions.latencyMs;
    const later = (fn: () => void, ms: number): void => {
      if (ms <= 0) s.queueTask(fn);
      else s.setTimeout(fn, ms);
    };
    if (!this.serves(url)) {
      // No host there: the SYN is answered by a reset, one round trip later.
      later(
        () =>
          attempt.client.refused(
            `no host ${url.host} on the virtual network (try ${[...this.#hosts].join(' or ')})`,
          ),
        2 * latency(),
      );
      return { channel: attempt.client, wire, id };
    }
    // TCP's three-way handshake: the server accepts after one trip, the client may write after two.
    const link = new Link(s, () => this.#conditions);
    attempt.link = link;
    this.#changed();
    later(() => {
      if (attempt.client.phase === 'closed') {
        attempt.end(); // closed by the page before TCP was even up: the server never hears of it
        return;
      }
      this.#accept(attempt, link.server);
      later(() => attempt.client.connected(link.client), latency());
    }, latency());
    return { channel: attempt.client, wire, id };
  }

  #drop(a: Attempt): void {
    if (a.ended) return;
    a.link?.cut();
  }

  #changed(): void {
    for (const fn of [...this.#listeners]) {
      try {
        fn();
      } catch {
        // a broken listener never disturbs the network
      }
    }
  }

  /** The server side of one TCP connection: read the request head, answer, host the service. */
  #accept(attempt: Attempt, socket: VirtualSocket): void {
    const head = new HeadReader();
    const tap = (e: WireEvent): void => attempt.wire.push(e);
    const now = (): number => this.scheduler.now();
    let reading = true;
    socket.onclose = () => {
      if (reading) tap({ kind: 'eof', t: now(), from: 'server' });
      reading = false;
      attempt.end();
    };
    socket.ondata = (bytes) => {
      if (!reading) return;
      const r = head.push(bytes);
      if (r.kind === 'more') return;
      reading = false;
      if (r.kind === 'error') {
        this.#refuse(attempt, socket, httpErrorResponse(r.error.status ?? 400, r.error.message), tap);
        return;
      }
      this.#upgrade(attempt, socket, r.text, r.rest, tap);
    };
  }

  #refuse(attempt: Attempt, socket: VirtualSocket, response: string, tap: (e: WireEvent) => void): void {
    const end = response.indexOf('\r\n\r\n');
    tap({
      kind: 'handshake',
      t: this.scheduler.now(),
      from: 'server',
      text: end === -1 ? response : response.slice(0, end + 4),
    });
    socket.onclose = () => {
      tap({ kind: 'eof', t: this.scheduler.now(), from: 'server' });
      attempt.end();
    };
    socket.write(encodeUtf8(response));
    socket.end();
  }

  #upgrade(
    attempt: Attempt,
    socket: VirtualSocket,
    text: string,
    rest: Uint8Array,
    tap: (e: WireEvent) => void,
    again = false,
  ): void {
    const now = (): number => this.scheduler.now();
    // `again`: the same request, after the compressor loaded (it was tapped the first time).
    if (!again) tap({ kind: 'handshake', t: now(), from: 'client', text });
    const url = new URL(text.split(' ')[1] ?? '/', 'http://playground.invalid');
    const service = this.route(url.pathname);
    if (!service) {
      this.#refuse(
        attempt,
        socket,
        httpErrorResponse(
          404,
          `no WebSocket endpoint at ${url.pathname}; try ${[...this.services.keys()].join(', ')}`,
        ),
        tap,
      );
      return;
    }
    const parsed = parseRequest(text);
    if (!parsed.ok) {
      this.#refuse(attempt, socket, httpErrorResponse(400, `bad handshake: ${parsed.error.message}`), tap);
      return;
    }
    const verdict = validateClientRequest(parsed.request, {
      protocols: service.protocols ? [...service.protocols] : [],
      // RFC 7692, as the Node server: on unless the service or the URL (?deflate=0) says no.
      deflate: service.deflate !== false && url.searchParams.get('deflate') !== '0',
    });
    if (!verdict.ok) {
      this.#refuse(attempt, socket, verdict.response, tap);
      return;
    }
    if (verdict.deflate !== undefined && loadedDeflateCodec() === undefined) {
      // The page's compressor loads the first time it is needed; the 101 waits for it.
      loadPageDeflate().then(
        () => {
          if (!attempt.ended) this.#upgrade(attempt, socket, text, rest, tap, true);
        },
        () => {
          if (!attempt.ended)
            this.#refuse(
              attempt,
              socket,
              httpErrorResponse(500, 'the page could not load its compressor'),
              tap,
            );
        },
      );
      return;
    }
    if (service.verifyClient) {
      this.#verify(attempt, socket, service, text, parsed.request.headers, () =>
        this.#answer(attempt, socket, service, url, verdict, rest, tap, parsed.request.headers),
      );
      return;
    }
    this.#answer(attempt, socket, service, url, verdict, rest, tap, parsed.request.headers);
  }

  /**
   * The service's own verdict on the request (Service.verifyClient, as ws's verifyClient): a
   * refusal is answered with its HTTP status and no 101 (4.2.2 item 4: 403 for an Origin the
   * server does not accept, 10.2); a throw, or a verdict that is neither, with a 500.
   */
  #verify(
    attempt: Attempt,
    socket: VirtualSocket,
    service: Service,
    text: string,
    headers: Readonly<Record<string, string>>,
    accepted: () => void,
  ): void {
    const tap = (e: WireEvent): void => attempt.wire.push(e);
    const refuse = (status: number, body: string): void => {
      if (attempt.ended) return;
      this.#refuse(attempt, socket, httpErrorResponse(status, body), tap);
    };
    const settle = (v: unknown): void => {
      if (attempt.ended) return; // the client went away meanwhile
      if (v === true) return accepted();
      const r = (typeof v === 'object' && v !== null ? v : {}) as { status?: unknown; message?: unknown };
      const status = r.status;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)
        return refuse(500, `the server's verifyClient gave no verdict (true, or a status 400-599)`);
      const message = typeof r.message === 'string' && HEADER_VALUE.test(r.message) ? r.message : '';
      refuse(status, message || (STATUS_TEXT[status] ?? 'Refused'));
    };
    let result: unknown;
    try {
      result = service.verifyClient!({ url: text.split(' ')[1] ?? '/', headers });
    } catch (error) {
      refuse(
        500,
        `the server's verifyClient threw: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (
      typeof result === 'object' &&
      result !== null &&
      typeof (result as PromiseLike<unknown>).then === 'function'
    )
      (result as PromiseLike<unknown>).then(settle, (error: unknown) =>
        refuse(
          500,
          `the server's verifyClient failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    else settle(result);
  }

  /** The 101 (or the fault a test asked for), once the request is accepted. */
  #answer(
    attempt: Attempt,
    socket: VirtualSocket,
    service: Service,
    url: URL,
    verdict: Extract<ReturnType<typeof validateClientRequest>, { ok: true }>,
    rest: Uint8Array,
    tap: (e: WireEvent) => void,
    headers: Readonly<Record<string, string>>,
  ): void {
    const now = (): number => this.scheduler.now();
    // The /misbehave escape hatch (services/service.ts): a 101 the engine would never write.
    let response =
      service.breakHandshake?.({
        response: verdict.response,
        key: verdict.key,
        offeredProtocols: verdict.offeredProtocols,
        query: new URLSearchParams(url.search),
      }) ?? verdict.response;
    const fault = this.#takeFault();
    if (fault?.kind === 'status') {
      this.#refuse(
        attempt,
        socket,
        httpErrorResponse(fault.status, `handshake refused on purpose (status ${fault.status})`),
        tap,
      );
      return;
    }
    if (fault?.kind === 'reset') {
      socket.onclose = () => {
        tap({ kind: 'eof', t: now(), from: 'server' });
        attempt.end();
      };
      socket.destroy();
      return;
    }
    if (fault?.kind === 'bad-accept') {
      // A valid-looking but wrong accept value: the key of another handshake.
      response = buildServerResponse('AAAAAAAAAAAAAAAAAAAAAA==', verdict.protocol);
    } else if (service.acceptKey) {
      this.#ownAccept(attempt, socket, service, verdict.key, (accept) =>
        this.#open(attempt, socket, service, url, verdict, withAccept(response, accept), rest, tap, headers),
      );
      return;
    }
    this.#open(attempt, socket, service, url, verdict, response, rest, tap, headers);
  }

  /**
   * 4.2.2 answered by the service's own function (Service.acceptKey): its value goes into the
   * 101 as it is, so a wrong one reaches the client, which must fail the connection (4.1).
   * A throw, or a value no header can carry (not a string, a line break), gets a 500.
   */
  #ownAccept(
    attempt: Attempt,
    socket: VirtualSocket,
    service: Service,
    key: string,
    answer: (accept: string) => void,
  ): void {
    const tap = (e: WireEvent): void => attempt.wire.push(e);
    const fail = (why: string): void => {
      if (attempt.ended) return;
      this.#refuse(attempt, socket, httpErrorResponse(500, `the server's acceptKey ${why}`), tap);
    };
    const settle = (accept: unknown): void => {
      // The client may have gone while an asynchronous answer was on its way.
      if (attempt.ended) return;
      if (typeof accept !== 'string')
        fail(`returned ${accept === null ? 'null' : typeof accept}, not a string`);
      else if (!HEADER_VALUE.test(accept))
        fail('returned a value a header cannot carry (a line break or a control character)');
      else answer(accept);
    };
    let result: string | PromiseLike<string>;
    try {
      result = service.acceptKey!(key);
    } catch (error) {
      fail(`threw: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (typeof result === 'object' && result !== null && typeof result.then === 'function')
      result.then(settle, (error: unknown) =>
        fail(`failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    else settle(result);
  }

  #takeFault(): HandshakeFault | undefined {
    const fault = this.#fault;
    if (!fault) return undefined;
    this.#faultTimes -= 1;
    if (this.#faultTimes <= 0) this.#fault = undefined;
    this.#changed();
    return fault;
  }

  #open(
    attempt: Attempt,
    socket: VirtualSocket,
    service: Service,
    url: URL,
    agreed: { protocol: string; extensions: string; deflate?: DeflateParams },
    response: string,
    rest: Uint8Array,
    tap: (e: WireEvent) => void,
    headers?: Readonly<Record<string, string>>,
  ): void {
    const o = this.#o;
    const protocol = agreed.protocol;
    const codec = loadedDeflateCodec();
    const now = (): number => this.scheduler.now();
    const connection = new Connection({
      role: 'server',
      entropy: this.entropy,
      maxMessageSize: o.maxMessageSize ?? service.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      clock: now,
      protocol,
      extensions: agreed.extensions,
      // Loaded before the 101 (see #upgrade).
      ...(agreed.deflate !== undefined && codec !== undefined
        ? { deflate: { params: agreed.deflate, codec } }
        : {}),
    });
    const wire: Wire = {
      write(chunks) {
        for (const c of chunks) socket.write(c);
      },
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      end() {
        socket.end();
      },
      destroy() {
        socket.destroy();
      },
    };
    const session = new Session({
      connection,
      service,
      wire,
      id: attempt.id,
      path: service.path,
      protocol,
      query: new URLSearchParams(url.search),
      remote: `loopback#${attempt.id.slice(1)}`,
      ...(headers ? { headers } : {}),
      timers: this.scheduler,
      now,
      ...(o.log ? { log: o.log } : {}),
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
      closeTimeout: o.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS,
      ...(o.maxBufferedBytes !== undefined ? { maxBufferedBytes: o.maxBufferedBytes } : {}),
      tap,
      onEnd: () => this.#changed(),
    });
    attempt.session = session;
    attempt.path = service.path;
    attempt.protocol = protocol;
    // A service that reads slowly on purpose (Service.readRate): the client's bytes come at that pace.
    const readRate = service.readRate?.(new URLSearchParams(url.search));
    if (readRate !== undefined) socket.readAt(readRate);
    socket.ondata = (bytes) => session.receive(bytes);
    socket.onend = () => session.receiveEof();
    socket.onclose = () => {
      session.transportClosed();
      attempt.end();
    };
    socket.write(encodeUtf8(response));
    tap({ kind: 'handshake', t: now(), from: 'server', text: response });
    this.#changed();
    session.start();
    if (rest.length > 0) session.receive(rest.slice());
  }
}

let defaultNetwork: VirtualNetwork | undefined;

/** The page's network (created on first use): what `new LoopbackWebSocket(url)` connects through. */
export function getDefaultNetwork(): VirtualNetwork {
  defaultNetwork ??= new VirtualNetwork();
  return defaultNetwork;
}

/** Replaces the page's network (tests, the sandbox). */
export function setDefaultNetwork(network: VirtualNetwork | undefined): void {
  defaultNetwork = network;
}
