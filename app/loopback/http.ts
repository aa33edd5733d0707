/**
 * Plain HTTP on the virtual network, for the polling endpoints (/poll, /long-poll): the
 * page's stand-in for `fetch` when there is no Node server. The answer is the feed's
 * (app/services/feed.ts), the same module and so the same response head, byte for byte, that the
 * Node server writes. Each way pays the link's latency, as a WebSocket frame does.
 *
 * Where it differs from a browser's fetch to our server: the request head is ours (a browser's
 * fetch writes its own, which script cannot read); it has the headers a same-origin GET from
 * Chromium carries, with this page's User-Agent. Only the feed's paths answer; any other URL
 * fails as a refused connection does (TypeError).
 */
import { responseHead, type FeedAnswer } from '../services/feed.ts';
import { getDefaultNetwork, type VirtualNetwork } from './network.ts';

export interface HttpExchange {
  /** The request as it would cross the wire (head only: a GET has no body). */
  requestHead: string;
  /** The status line and headers, exactly as the Node server writes them. */
  responseHead: string;
  response: Response;
  /** When the request left and when the answer arrived (the network's clock, ms). */
  sent: number;
  received: number;
}

/** Sends one HTTP request on `network`; resolves when the answer has crossed back. */
export function exchange(
  url: string | URL,
  init: { method?: string; signal?: AbortSignal } = {},
  network: VirtualNetwork = getDefaultNetwork(),
): Promise<HttpExchange> {
  const base = typeof location === 'undefined' ? `http://${network.hosts[0]}/` : location.href;
  let target: URL;
  try {
    target = new URL(url, base);
  } catch {
    return Promise.reject(new TypeError(`Failed to fetch: ${String(url)} is not a URL`));
  }
  const path = network.serves(target) ? network.feedRoute(target.pathname) : undefined;
  if (!path)
    return Promise.reject(
      new TypeError(
        `Failed to fetch: the in-page network answers plain HTTP only on /poll and /long-poll (${target.href})`,
      ),
    );
  const method = (init.method ?? 'GET').toUpperCase();
  const requestHead = browserRequestHead(method, target);
  const { scheduler } = network;
  const sent = scheduler.now();
  return new Promise((resolve, reject) => {
    const latency = (): number => network.conditions.latencyMs;
    let cancel = (): void => {};
    const abort = (): void => {
      cancel();
      reject(new DOMException('The operation was aborted.', 'AbortError'));
    };
    if (init.signal?.aborted) return abort();
    init.signal?.addEventListener('abort', abort, { once: true });
    // The request crosses the link, the feed answers (at once or later), the answer crosses back.
    scheduler.setTimeout(() => {
      const pending = network.feed.answer({
        method,
        path,
        query: target.searchParams,
        requestBytes: new TextEncoder().encode(requestHead).length,
      });
      cancel = pending.cancel;
      void pending.done.then((answer) =>
        scheduler.setTimeout(() => {
          init.signal?.removeEventListener('abort', abort);
          resolve({
            requestHead,
            responseHead: responseHead(answer),
            response: toResponse(answer),
            sent,
            received: scheduler.now(),
          });
        }, latency()),
      );
    }, latency());
  });
}

/** `fetch`'s shape over `exchange`: what a lesson's code calls in place of fetch in loopback mode. */
export async function loopbackFetch(
  url: string | URL,
  init: { method?: string; signal?: AbortSignal } = {},
  network?: VirtualNetwork,
): Promise<Response> {
  return (await exchange(url, init, network)).response;
}

function toResponse(answer: FeedAnswer): Response {
  // Response's own copy of the body (a fresh ArrayBuffer, as the API expects).
  const body = answer.body.length > 0 ? answer.body.slice().buffer : null;
  return new Response(body, { status: answer.status, statusText: answer.reason, headers: answer.headers });
}

/** The head Chromium's fetch writes for a same-origin GET (RFC 9112 §3), with this page's User-Agent. */
export function browserRequestHead(method: string, url: URL): string {
  const ua = typeof navigator === 'undefined' ? 'Mozilla/5.0' : navigator.userAgent;
  const lines = [
    `${method} ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Connection: keep-alive',
    `User-Agent: ${ua}`,
    'Accept: */*',
    'Sec-Fetch-Site: same-origin',
    'Sec-Fetch-Mode: cors',
    'Sec-Fetch-Dest: empty',
    `Referer: ${url.origin}/`,
    'Accept-Encoding: gzip, deflate, br, zstd',
    'Accept-Language: en-US,en;q=0.9',
  ];
  return lines.join('\r\n') + '\r\n\r\n';
}
