/**
 * The page's side of the sandboxes' network: learner servers listening on virtual ports
 * (`ws://localhost:PORT`) and the route every bridged socket takes.
 *
 * A learner's `new WebSocketServer({ port })` gets its own VirtualNetwork (app/loopback)
 * answering on localhost:PORT and 127.0.0.1:PORT, whose one service hands each accepted
 * connection to the sandbox that owns the server. So a learner server's connections are made
 * of the same engine, handshake, Session and wire events as the bundled endpoints, and a
 * client in any sandbox reaches it by URL. Everything else a bridged socket opens goes to the
 * page's own virtual network (the bundled /echo, /chat, ...).
 */
import type { ClientChannel, ClientSink } from '../loopback/client.ts';
import { getDefaultNetwork, VirtualNetwork, type ConnectOptions } from '../loopback/network.ts';
import type { WireLog } from '../loopback/wire.ts';
import type {
  ClientRequestInfo,
  Service,
  ServiceIndex,
  ServiceSocket,
  VerifyVerdict,
} from '../services/service.ts';
import { serverHosts } from './protocol.ts';

export interface ListenRequest {
  port: number;
  /** Only this path is served (ws's `path` option); any path when absent. */
  path?: string;
  /** Called for each accepted connection, after the handshake. */
  onConnection(socket: ServiceSocket): void;
  /** The server's own Sec-WebSocket-Accept for a key (ws option `acceptKey`, 4.2.2). */
  acceptKey?(key: string): Promise<string>;
  /** Decides on each handshake before the 101 (ws option `verifyClient`; 4.2.2 item 4, 10.2). */
  verifyClient?(request: ClientRequestInfo): Promise<VerifyVerdict>;
  /** Largest message accepted, in bytes (ws option `maxPayload`); over it the connection fails with 1009. */
  maxPayload?: number;
}

export type ListenResult =
  { ok: true; close(): void } | { ok: false; code: 'EADDRINUSE' | 'EACCES'; message: string };

/** Routes every path (or one) to the learner's service, as `ws` does without a `path` option. */
class LearnerRoutes extends Map<string, Service> implements ServiceIndex {
  readonly #service: Service;
  readonly #path: string | undefined;
  constructor(service: Service, path: string | undefined) {
    super([[path ?? '/', service]]);
    this.#service = service;
    this.#path = path;
  }
  override get(path: string): Service | undefined {
    return this.#path === undefined || path === this.#path ? this.#service : undefined;
  }
  override has(path: string): boolean {
    return this.get(path) !== undefined;
  }
}

interface Listening {
  port: number;
  network: VirtualNetwork;
}

export class SandboxNetwork {
  readonly #page: () => VirtualNetwork;
  readonly #listening = new Map<number, Listening>();
  readonly #watchers = new Set<(hosts: string[]) => void>();

  /** `page`: the page's own virtual network (shared with the connection lab). */
  constructor(page: () => VirtualNetwork) {
    this.#page = page;
  }

  /** host:port of every learner server now listening. */
  get virtualHosts(): string[] {
    return [...this.#listening.keys()].flatMap(serverHosts);
  }

  /** Learner servers' ports, for the UI. */
  get ports(): number[] {
    return [...this.#listening.keys()].sort((a, b) => a - b);
  }

  /** Calls `fn` whenever servers start or stop listening. */
  watch(fn: (hosts: string[]) => void): () => void {
    this.#watchers.add(fn);
    return () => void this.#watchers.delete(fn);
  }

  listen(request: ListenRequest): ListenResult {
    const { port } = request;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return { ok: false, code: 'EACCES', message: `listen EACCES: permission denied :::${port}` };
    }
    if (this.#listening.has(port)) {
      return {
        ok: false,
        code: 'EADDRINUSE',
        message: `listen EADDRINUSE: address already in use :::${port}`,
      };
    }
    const service: Service = {
      path: request.path ?? '/',
      description: `your server on port ${port}`,
      open: (socket) => request.onConnection(socket),
      // As the ws package's WebSocketServer, whose perMessageDeflate is off unless asked for:
      // a learner's server declines RFC 7692 and its frames carry the bytes its code sent.
      deflate: false,
      ...(request.acceptKey ? { acceptKey: (key: string) => request.acceptKey!(key) } : {}),
      ...(request.verifyClient ? { verifyClient: (r: ClientRequestInfo) => request.verifyClient!(r) } : {}),
      ...(request.maxPayload !== undefined ? { maxMessageSize: request.maxPayload } : {}),
    };
    const network = new VirtualNetwork({
      services: new LearnerRoutes(service, request.path),
      hosts: serverHosts(port),
      base: '/',
    });
    this.#listening.set(port, { port, network });
    this.#changed();
    let closed = false;
    return {
      ok: true,
      close: () => {
        if (closed) return;
        closed = true;
        if (this.#listening.get(port)?.network === network) this.#listening.delete(port);
        this.#changed();
      },
    };
  }

  /** The network a bridged socket to `url` goes through. */
  networkFor(url: URL): VirtualNetwork {
    for (const l of this.#listening.values()) if (l.network.serves(url)) return l.network;
    return this.#page();
  }

  connect(
    url: URL,
    protocols: readonly string[],
    sink: ClientSink,
    options: ConnectOptions = {},
  ): { channel: ClientChannel; wire: WireLog; id: string } {
    return this.networkFor(url).connect(url, protocols, sink, options);
  }

  #changed(): void {
    const hosts = this.virtualHosts;
    for (const fn of [...this.#watchers]) fn(hosts);
  }
}

let pageNetwork: SandboxNetwork | undefined;

/**
 * The page's sandbox network: one per page, over the page's default virtual network (the one
 * the lab's loopback transport uses), so every sandbox and the lab reach the same servers.
 */
export function getSandboxNetwork(): SandboxNetwork {
  pageNetwork ??= new SandboxNetwork(getDefaultNetwork);
  return pageNetwork;
}
