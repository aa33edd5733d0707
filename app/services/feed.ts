/**
 * /poll and /long-poll: the ticker's kind of feed over plain HTTP, for the lesson on why WebSockets (RFC 6455 §1.1:
 * what a WebSocket replaces). Both hosts answer them from this module, byte for byte: the Node
 * server (app/server/server.ts, `handleRequest`) and the in-page network (app/loopback/http.ts).
 *
 * The feed is one update per `interval` (1 s) since the host started, numbered from 1; update n
 * happened at `start + (n - 1) * interval` (its `t`), so a client measures its delay per update
 * as its clock at receipt minus `t`. Quotes are a function of n alone (seeded PRNG).
 *
 * - `GET /poll?since=N`: at once, 200 with the updates after N (the latest 20 at most).
 * - `GET /long-poll?since=N`: the same when there are some; otherwise held open until the next
 *   update (or 25 s: then 200 with none).
 * - any other method: 405 with `Allow: GET, HEAD`; HEAD: the head of the GET without its body.
 * - a 200 says how many bytes the request head had (REQUEST_BYTES_HEADER), when the host knows.
 *
 * The response head is written by `responseHead`, so both hosts send the same header bytes:
 * status line, then these headers in this order, then a blank line.
 */
import { SERVER_HEADER } from './server-header.ts';
import type { TimerId } from './service.ts';
import { mulberry32, TICKER_SYMBOLS, type Quote } from './ticker.ts';

export const FEED_PATHS = ['/poll', '/long-poll'] as const;
export const FEED_INTERVAL_MS = 1_000;
/** How long a long poll is held with nothing new (browsers and proxies give up near 30 s). */
export const LONG_POLL_MAX_MS = 25_000;
/** Updates in one answer at most (a client that was away gets the latest ones). */
export const MAX_UPDATES = 20;
/** The playground's own header: the size of the request head the server read. */
export const REQUEST_BYTES_HEADER = 'X-Request-Head-Bytes';

export interface FeedTimers {
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(handle: TimerId): void;
}

export interface FeedRequest {
  method: string;
  /** The path after the site's base ('/poll'). */
  path: string;
  query: URLSearchParams;
  /** Bytes of the request head as it arrived (request line to blank line): echoed back in
   *  REQUEST_BYTES_HEADER, since a page's script cannot see the head its browser wrote. */
  requestBytes?: number;
}

export interface FeedAnswer {
  status: number;
  reason: string;
  /** In wire order. */
  headers: [string, string][];
  /** UTF-8 bytes (empty for HEAD). */
  body: Uint8Array;
}

export interface FeedBody {
  /** The latest update's number now. */
  seq: number;
  updates: Quote[];
}

export interface Feed {
  /** The latest update's number at `now` (0 before the first). */
  latest(now: number): number;
  quote(seq: number): Quote;
  /** Answers a request to one of FEED_PATHS; `cancel` ends a held long poll (the client left). */
  answer(request: FeedRequest): { done: Promise<FeedAnswer>; cancel(): void };
}

const utf8 = new TextEncoder();

export function createFeed(options: {
  now: () => number;
  timers: FeedTimers;
  interval?: number;
  seed?: number;
}): Feed {
  const interval = options.interval ?? FEED_INTERVAL_MS;
  const seed = options.seed ?? 6455;
  const start = options.now();
  const latest = (now: number): number => Math.max(0, Math.floor((now - start) / interval) + 1);
  const quote = (seq: number): Quote => {
    const random = mulberry32(seed * 31 + seq);
    const i = (seq - 1) % TICKER_SYMBOLS.length;
    const price = Math.round((100 + 25 * i + (random() - 0.5) * 20) * 100) / 100;
    return {
      type: 'quote',
      symbol: TICKER_SYMBOLS[i] ?? 'WSKT',
      price,
      change: Math.round((random() - 0.5) * 200) / 100,
      seq,
      t: start + (seq - 1) * interval,
    };
  };
  const body = (since: number, now: number): FeedBody => {
    const seq = latest(now);
    const from = Math.max(since + 1, seq - MAX_UPDATES + 1, 1);
    const updates: Quote[] = [];
    for (let n = from; n <= seq; n++) updates.push(quote(n));
    return { seq, updates };
  };

  return {
    latest,
    quote,
    answer(request) {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return settled(
          json(405, 'Method Not Allowed', { error: `${request.path} answers GET only` }, false, [
            ['Allow', 'GET, HEAD'],
          ]),
        );
      const head = request.method === 'HEAD';
      const echo: [string, string][] =
        request.requestBytes === undefined ? [] : [[REQUEST_BYTES_HEADER, String(request.requestBytes)]];
      const since = sinceOf(request.query.get('since'));
      const now = options.now();
      if (request.path !== '/long-poll' || latest(now) > since)
        return settled(json(200, 'OK', body(since, now), head, echo));
      // Held until the next update is out (or the longest wait), then answered like a poll.
      const next = start + latest(now) * interval;
      const wait = Math.min(next - now, LONG_POLL_MAX_MS);
      let handle: TimerId;
      let cancel = (): void => {};
      const done = new Promise<FeedAnswer>((resolve) => {
        handle = options.timers.setTimeout(
          () => resolve(json(200, 'OK', body(since, options.now()), head, echo)),
          wait,
        );
        cancel = () => options.timers.clearTimeout(handle);
      });
      return { done, cancel: () => cancel() };
    },
  };
}

function settled(answer: FeedAnswer): { done: Promise<FeedAnswer>; cancel(): void } {
  return { done: Promise.resolve(answer), cancel: () => {} };
}

/** `since`: a whole number ≥ 0; anything else reads as 0 (everything recent). */
function sinceOf(raw: string | null): number {
  const n = Number(raw);
  return raw !== null && Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

function json(
  status: number,
  reason: string,
  value: unknown,
  head: boolean,
  extra: [string, string][] = [],
): FeedAnswer {
  const bytes = utf8.encode(JSON.stringify(value));
  return {
    status,
    reason,
    headers: [
      ...extra,
      ['Content-Type', 'application/json'],
      ['Cache-Control', 'no-store'],
      [SERVER_HEADER, '1'],
      ['Content-Length', String(bytes.length)],
      ['Connection', 'keep-alive'],
    ],
    body: head ? new Uint8Array(0) : bytes,
  };
}

/** The response head as it crosses the wire: status line, headers, blank line (RFC 9112 §2.1). */
export function responseHead(answer: FeedAnswer): string {
  return (
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
    answer.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
    '\r\n'
  );
}

/** Path of a feed request after the site's base, or undefined when it is not one. */
export function feedPath(pathname: string, base: string): (typeof FEED_PATHS)[number] | undefined {
  let p = pathname;
  if (base !== '/' && p.startsWith(base + '/')) p = p.slice(base.length);
  return (FEED_PATHS as readonly string[]).includes(p) ? (p as (typeof FEED_PATHS)[number]) : undefined;
}
