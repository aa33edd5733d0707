/**
 * The virtual network: an in-page stand-in for TCP and for the playground's Node server.
 *
 *   LoopbackWebSocket ── ClientEndpoint (engine, role client) ══ Link ══ server core (app/host:
 *                        handshake, engine role server, Session) ── the services of app/services
 *
 * Every byte between the two engines is real RFC 6455: the handshake text, masked client
 * frames, server frames. The server side is the server core the Node server uses too
 * (app/server/server.ts): the same routing, refusals, handshake, `Session` and services, and
 * the same wire events for the inspector (socket[WIRE]). This file only moves the link's bytes.
 *
 * The learner can change the link (latency, bandwidth), drop connections (the page sees
 * 1006) and make handshakes fail (the page sees error, then close 1006).
 */
import { normaliseBase } from '../services/base-path.ts';
import { ServerCore, type HandshakeFault } from '../host/server-core.ts';
import type { HostConnection } from '../host/upgrade.ts';
import { loadedDeflateCodec, loadPageDeflate } from './page-deflate.ts';
import { loadPageMask } from './page-mask.ts';
import type { Entropy } from '../protocol/types.ts';
import { createFeed, feedPath, type Feed } from '../services/feed.ts';
import { createServices } from '../services/index.ts';
import type { Service, ServiceIndex } from '../services/service.ts';
import { ClientEndpoint, type ClientChannel, type ClientSink } from './client.ts';
import { Link, type LinkConditions, type VirtualSocket } from './link.ts';
import { browserScheduler, type Scheduler } from './scheduler.ts';
import { WireLog } from './wire.ts';

export { DEFAULT_MAX_MESSAGE_SIZE, type HandshakeFault } from '../host/server-core.ts';

/** The host every virtual network answers on, whatever page it runs in. */
export const LOOPBACK_HOST = 'playground.local';

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
  /** Open server connections at once; more get HTTP 503, as on the Node server. Default 1024. */
  maxConnections?: number;
  log?: (line: string) => void;
}

export interface ConnectOptions {
  /** The client answers pings by itself (default true, as browsers do; `ws` lets you turn it off). */
  autoPong?: boolean;
  /** The Origin header to send instead of the network's (a lesson's probe posing as another site, 10.2). */
  origin?: string;
}

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
  /** The server side (app/host), once TCP is up. */
  host: HostConnection | undefined;
  path: string;
  protocol: string;
  ended: boolean;
  /** Forgets the attempt (its TCP connection is over). */
  end(): void;
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
  readonly #o: VirtualNetworkOptions;
  /** The server: every decision on a request and the hosted sessions (app/host, as the Node server's). */
  readonly #core: ServerCore;
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
    this.#conditions = { latencyMs: 0, bandwidth: Infinity, ...options.conditions };
    const o = options;
    this.#core = new ServerCore({
      services: this.services,
      base: normaliseBase(options.base ?? page?.base),
      ...(o.maxConnections !== undefined ? { maxConnections: o.maxConnections } : {}),
      ...(o.maxMessageSize !== undefined ? { maxMessageSize: o.maxMessageSize } : {}),
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
      ...(o.closeTimeout !== undefined ? { closeTimeout: o.closeTimeout } : {}),
      ...(o.maxBufferedBytes !== undefined ? { maxBufferedBytes: o.maxBufferedBytes } : {}),
      // The page's compressor (pako) loads the first time it is needed; the 101 waits for it.
      deflateCodec: { loaded: loadedDeflateCodec, load: loadPageDeflate },
      fault: () => this.#takeFault(),
      entropy: this.entropy,
      now: () => this.scheduler.now(),
      timers: this.scheduler,
      ...(o.log ? { log: o.log } : {}),
    });
  }

  /** The polling feed (for the lesson on why WebSockets) (/poll, /long-poll: plain HTTP, app/loopback/http.ts), on this network's clock. */
  get feed(): Feed {
    return this.#feed;
  }

  /** The feed path an HTTP request's path routes to (the site's sub-path stripped), if any. */
  feedRoute(pathname: string): string | undefined {
    return feedPath(pathname, this.#core.base);
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
    return this.#core.route(pathname);
  }

  /** Connections that reached a server and have not ended yet. */
  connections(): NetworkConnection[] {
    const out: NetworkConnection[] = [];
    for (const a of this.#attempts.values()) {
      if (a.ended || !a.link) continue;
      const host = a.host;
      out.push({
        id: a.id,
        url: a.url.href,
        path: a.path,
        protocol: a.protocol,
        get readyState() {
          return host?.session?.readyState ?? 'CONNECTING';
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

  /** Closes every open server connection with `code` (1001 Going Away); from then on handshakes get 503, as on the Node server. */
  shutdown(code = 1001, reason = 'server shutting down'): void {
    void this.#core.close(code, reason);
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
      host: undefined,
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

  /** The server side of one TCP connection: its bytes to the core and back (app/host). */
  #accept(attempt: Attempt, socket: VirtualSocket): void {
    const host = this.#core.accept(
      {
        write(chunks) {
          for (const c of chunks) socket.write(c);
        },
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        end: () => socket.end(),
        destroy: () => socket.destroy(),
        opened: ({ info, service, query }) => {
          attempt.path = info.path;
          attempt.protocol = info.protocol;
          // A service that reads slowly on purpose (Service.readRate): the client's bytes come at that pace.
          const readRate = service.readRate?.(query);
          if (readRate !== undefined) socket.readAt(readRate);
          this.#changed();
        },
        ended: () => this.#changed(),
      },
      {
        id: attempt.id,
        address: 'loopback',
        remote: `loopback#${attempt.id.slice(1)}`,
        tap: (e) => attempt.wire.push(e),
      },
    );
    attempt.host = host;
    socket.ondata = (bytes) => host.receive(bytes);
    socket.onend = () => host.receiveEof();
    socket.onclose = () => {
      host.transportClosed();
      attempt.end();
    };
  }

  #takeFault(): HandshakeFault | undefined {
    const fault = this.#fault;
    if (!fault) return undefined;
    this.#faultTimes -= 1;
    if (this.#faultTimes <= 0) this.#fault = undefined;
    this.#changed();
    return fault;
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
