/**
 * Which transport the playground's sockets use:
 * - 'server': the browser's own WebSocket to the Node server on the page's origin (npm run dev,
 *   preview, serve, classroom): real TCP, and the byte tap shows the frames;
 * - 'loopback': LoopbackWebSocket on the in-page virtual network (a static host, no server).
 *
 * `TransportChoice` probes once whether our server serves the page (one HEAD request: its
 * responses carry SERVER_HEADER), picks accordingly, and lets the learner switch.
 * The service URLs are the same in both modes (`serviceUrl('/echo')`): on a static host the
 * virtual network answers on the page's own host.
 */
import { SERVER_HEADER } from '../services/server-header.ts';

export type TransportMode = 'server' | 'loopback';

export const PROBE_TIMEOUT_MS = 2_000;

/** The page's base URL (the site may live under a sub-path). */
function pageBase(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

/**
 * The ws:// (or wss://) URL of a service path on the page's origin, under the site's base:
 * `/echo` on http://host/playground/ is ws://host/playground/echo.
 */
export function serviceUrl(path: string, base: string | undefined = pageBase()): string {
  if (base === undefined || !/^https?:/.test(base)) return `ws://playground.local${path}`;
  const url = new URL('.' + (path.startsWith('/') ? path : '/' + path), new URL('.', base));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export interface ProbeOptions {
  /** The page to ask; default the site's base URL. */
  url?: string;
  timeoutMs?: number;
  /** Default the browser's fetch. */
  fetch?: typeof globalThis.fetch;
}

/**
 * True when our Node server serves this page: its responses carry SERVER_HEADER. One HEAD
 * request for the page itself, which exists on any host, so a static host logs no failed
 * request and no failed socket. Never throws; false when there is no http(s) page or no answer
 * within the timeout.
 */
export async function probeServer(options: ProbeOptions = {}): Promise<boolean> {
  const fetchFn = options.fetch ?? (globalThis as { fetch?: typeof globalThis.fetch }).fetch;
  const url = options.url ?? pageBase();
  if (!fetchFn || url === undefined || !/^https?:/.test(url)) return false;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? PROBE_TIMEOUT_MS);
  try {
    const response = await fetchFn(new URL('.', url).href, {
      method: 'HEAD',
      cache: 'no-store',
      signal: abort.signal,
    });
    // Read the (empty) body: Chromium reports a response whose body is never read as a failed
    // request (net::ERR_ABORTED), which a learner would see in DevTools.
    await response.arrayBuffer().catch(() => undefined);
    return response.headers.has(SERVER_HEADER);
  } catch {
    return false; // offline, file://, aborted: no server to use
  } finally {
    clearTimeout(timer);
  }
}

export interface TransportState {
  /** The transport in use. */
  mode: TransportMode;
  /** What the probe found: undefined until it has finished. */
  serverAvailable: boolean | undefined;
  /** True when the learner picked the mode (the probe no longer changes it). */
  pinned: boolean;
}

/**
 * The transport choice, observable. Starts as 'loopback' (works everywhere at once) until
 * `detect()` finds a server; `set()` pins a mode chosen by the learner.
 */
export class TransportChoice {
  #state: TransportState = { mode: 'loopback', serverAvailable: undefined, pinned: false };
  readonly #listeners = new Set<(s: TransportState) => void>();
  readonly #probe: (options?: ProbeOptions) => Promise<boolean>;
  #detecting: Promise<TransportMode> | undefined;

  constructor(probe: (options?: ProbeOptions) => Promise<boolean> = probeServer) {
    this.#probe = probe;
  }

  get state(): TransportState {
    return { ...this.#state };
  }

  get mode(): TransportMode {
    return this.#state.mode;
  }

  /** Probes once (later calls share the answer) and switches to 'server' when one answers, unless pinned. */
  detect(options?: ProbeOptions): Promise<TransportMode> {
    this.#detecting ??= this.#probe(options).then((ok) => {
      const mode = this.#state.pinned ? this.#state.mode : ok ? 'server' : 'loopback';
      this.#update({ mode, serverAvailable: ok });
      return this.#state.mode;
    });
    return this.#detecting;
  }

  /** The learner's choice; 'server' is allowed even if the probe found none (it will fail visibly). */
  set(mode: TransportMode): void {
    this.#update({ mode, pinned: true });
  }

  /** Forgets the learner's choice and follows the probe again. */
  unpin(): void {
    const found = this.#state.serverAvailable;
    this.#update({ pinned: false, mode: found ? 'server' : 'loopback' });
  }

  /** Calls `fn` now and on every change; returns unsubscribe. */
  subscribe(fn: (s: TransportState) => void): () => void {
    this.#listeners.add(fn);
    fn(this.state);
    return () => void this.#listeners.delete(fn);
  }

  #update(patch: Partial<TransportState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const fn of [...this.#listeners]) fn(this.state);
  }
}

/**
 * The URL with `deflate=0`: both hosts then decline permessage-deflate for that connection
 * (RFC 7692), so every frame shows its payload as sent. Lessons about RFC 6455 framing connect
 * this way: a compressed payload would hide the lengths and bytes they teach.
 */
export function uncompressedUrl(url: string): string {
  if (/[?&]deflate=/.test(url)) return url;
  const hash = url.indexOf('#');
  const [head, tail] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${head}${head.includes('?') ? '&' : '?'}deflate=0${tail}`;
}

/** The URL without `deflate=0`: permessage-deflate is offered and accepted again. */
export function compressedUrl(url: string): string {
  return url.replace(/([?&])deflate=0(&|(?=#)|$)/, (_, before: string, after: string) =>
    before === '?' && after === '&' ? '?' : after === '&' ? before : '',
  );
}
