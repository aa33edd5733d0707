/**
 * The server core: everything a WebSocket server host decides, with no transport of its own
 * (a sans-I/O server). The Node server (app/server/server.ts) and the in-page virtual network
 * (app/loopback/network.ts) both hand it the bytes they read and write the bytes it gives back,
 * so both answer every request the same way:
 *
 *   request bytes -> route (the site's sub-path stripped) -> shutdown, connection limit (503)
 *   -> the engine's checks (400/403/426/431: method, version, key, Origin, subprotocols,
 *   permessage-deflate) -> the service's verifyClient -> its acceptKey or breakHandshake
 *   -> the 101, then a `Session` (app/services/session.ts) on an engine `Connection`.
 *
 * One `HostConnection` (upgrade.ts) per transport connection carries that path; this file holds
 * what they share: options, routing, the open sessions, shutdown.
 */
import type { DeflateCodecFactory } from '../protocol/deflate.ts';
import type { Entropy, WireEvent } from '../protocol/types.ts';
import { normaliseBase } from '../services/base-path.ts';
import type { Service, ServiceIndex, Timers } from '../services/service.ts';
import type { Session } from '../services/session.ts';
import { HostConnection, type HostTransport } from './upgrade.ts';

export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** Receives one connection's wire events (the Node tap, the page's wire log). */
export type Tap = (event: WireEvent) => void;

/** A fault the host makes the next handshakes meet, on purpose (the page's network controls). */
export type HandshakeFault =
  /** The server answers with this HTTP status instead of 101. */
  | { kind: 'status'; status: number }
  /** The server answers 101 with a wrong Sec-WebSocket-Accept (the client must refuse it). */
  | { kind: 'bad-accept' }
  /** The server resets TCP without answering. */
  | { kind: 'reset' };

/**
 * Where the DEFLATE codec (RFC 7692) comes from: `loaded()` when it is at hand (Node's zlib),
 * `load()` when it has to be fetched first (the page's pako); the 101 then waits for it.
 */
export interface DeflateSource {
  loaded(): DeflateCodecFactory | undefined;
  load?(): Promise<DeflateCodecFactory>;
}

export interface ConnectionInfo {
  id: string;
  path: string;
  /** The peer's address (an IP address; 'loopback' in the page). */
  address: string;
  /** The peer's address and port, for logs. */
  remote: string;
  protocol: string;
}

export interface ServerCoreOptions {
  services: ServiceIndex;
  /** Paths served but listed nowhere and never tapped (the Node tap's own endpoint). */
  hidden?: ServiceIndex;
  /** A path prefix stripped before routing (the site's sub-path). Default '/'. */
  base?: string;
  /** Allowed Origin values; others get 403 (4.2.1 item 7, 10.2). Default: any. */
  origins?: readonly string[];
  /** Open WebSocket connections at once; more get 503. Default 1024. */
  maxConnections?: number;
  /** Connections the host holds besides the core's (the Node relay's), counted against the limit. */
  extraConnections?: () => number;
  /** Largest message (bytes) before 1009; overrides the services' own. Default: theirs, else 1 MiB. */
  maxMessageSize?: number;
  /** Messages per second per connection, every endpoint (1008 over it). */
  rate?: number;
  closeTimeout?: number;
  maxBufferedBytes?: number;
  /** Accept permessage-deflate when offered (a client says no with `?deflate=0`). Default true. */
  deflate?: boolean;
  /** Without one, permessage-deflate is declined. */
  deflateCodec?: DeflateSource;
  /** The tap of a connection, from its request's query (the Node tap's `?tap=` token). */
  tapFor?: (query: URLSearchParams, id: string) => Tap | undefined;
  /** The query key `tapFor` reads, kept from the services. Default none. */
  tapKey?: string;
  /** The fault the next handshake meets, if any (asked once per accepted request). */
  fault?: () => HandshakeFault | undefined;
  entropy: Entropy;
  now: () => number;
  timers: Timers;
  log?: (line: string) => void;
  /** A connection finished its handshake. */
  onOpen?: (info: ConnectionInfo) => void;
  /** A connection's transport closed, with the close code it ended with. */
  onClose?: (info: ConnectionInfo & { code: number }) => void;
}

/** Per transport connection: who it is, and its own tap if the host keeps one per connection. */
export interface AcceptOptions {
  /** Default: the next `cN`. */
  id?: string;
  address?: string;
  remote?: string;
  /** Every wire event of this connection (the page's wire log); else `tapFor` decides. */
  tap?: Tap;
}

export class ServerCore {
  readonly options: ServerCoreOptions;
  readonly services: ServiceIndex;
  readonly #base: string;
  readonly #sessions = new Set<Session>();
  #nextId = 0;
  #closing = false;
  #whenEmpty: (() => void) | undefined;

  constructor(options: ServerCoreOptions) {
    this.options = options;
    this.services = options.services;
    this.#base = normaliseBase(options.base);
  }

  /** A fresh connection id ('c1', 'c2', ...), for connections the host opens itself (the relay). */
  nextId(): string {
    return `c${++this.#nextId}`;
  }

  /** The site's sub-path ('/' for the root, '/playground' without a trailing slash). */
  get base(): string {
    return this.#base;
  }

  /** The path as the site sees it: the sub-path stripped ('/playground/echo' -> '/echo'). */
  localPath(pathname: string): string {
    const base = this.#base;
    return base !== '/' && pathname.startsWith(base + '/') ? pathname.slice(base.length) : pathname;
  }

  /** The service at `pathname` (sub-path stripped), hidden routes included. */
  route(pathname: string): Service | undefined {
    const p = this.localPath(pathname);
    return this.options.hidden?.get(p) ?? this.services.get(p);
  }

  /** Whether `service` is one of the hidden routes (never tapped). */
  isHidden(service: Service): boolean {
    return this.options.hidden?.get(service.path) === service;
  }

  /** Open connections: the core's sessions plus the host's own (the relay). */
  get connections(): number {
    return this.#sessions.size + (this.options.extraConnections?.() ?? 0);
  }

  get sessions(): ReadonlySet<Session> {
    return this.#sessions;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Why a new connection cannot be taken now (503: shutting down, or at the connection limit),
   * with the status and body to answer; undefined when it can.
   */
  admission(): { status: 503; body: string; headers: Record<string, string> } | undefined {
    const retry = { 'Retry-After': '5' };
    if (this.#closing) return { status: 503, body: 'server shutting down', headers: retry };
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.connections >= max)
      return { status: 503, body: `too many connections (max ${max})`, headers: retry };
    return undefined;
  }

  /** A new transport connection: feed it what is read, and it answers on `transport`. */
  accept(transport: HostTransport, options: AcceptOptions = {}): HostConnection {
    return new HostConnection(this, transport, { ...options, id: options.id ?? this.nextId() });
  }

  /** For HostConnection: a session is open / is over. */
  opened(session: Session): void {
    this.#sessions.add(session);
  }

  ended(session: Session): void {
    if (!this.#sessions.delete(session)) return;
    if (this.#sessions.size === 0) this.#whenEmpty?.();
  }

  /** Refuses new connections (503), closes every open one with `code` (7.4.1: 1001 going away), and resolves when all are over. */
  close(code = 1001, reason = 'server shutting down'): Promise<void> {
    this.#closing = true;
    if (this.#sessions.size === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      this.#whenEmpty = resolve;
    });
    for (const s of [...this.#sessions]) s.close(code, reason);
    return done;
  }
}
