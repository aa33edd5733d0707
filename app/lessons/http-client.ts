/**
 * One plain HTTP GET of the polling feed (/poll, /long-poll), made into an `HttpRecord` for the
 * trace, in either mode: the page's real `fetch` to our server, or an exchange on the in-page
 * network (app/loopback/http.ts). The polling lesson's widget, its walkthroughs in the page and
 * the recorder in Vitest all go through here, so a check sees the same record either way.
 */
import { exchange } from '../loopback/http.ts';
import type { VirtualNetwork } from '../loopback/network.ts';
import { REQUEST_BYTES_HEADER } from '../services/feed.ts';
import type { HttpRecord } from './types.ts';

/** Bytes of a head as it crossed the wire (UTF-8; heads are ASCII in practice). */
const headBytes = (head: string): number => new TextEncoder().encode(head).length;

export interface HttpOptions {
  signal?: AbortSignal;
}

/** 'x-request-head-bytes' -> 'X-Request-Head-Bytes' (names are case-insensitive, RFC 9110 §5.1: the same bytes). */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/**
 * The response head as our server wrote it, rebuilt from what `fetch` shows (the status and
 * every header, same-origin): the same size as on the wire, since fetch only lower-cases names
 * and sorts them. Our server sends no header twice (so none was joined).
 */
export function headOf(response: Response): string {
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText}`];
  response.headers.forEach((value, name) => lines.push(`${headerName(name)}: ${value}`));
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Server mode: the browser's own fetch to `url` (our server, same origin). */
export async function serverHttp(
  url: string,
  options: HttpOptions & { fetch?: typeof fetch; now?: () => number } = {},
): Promise<HttpRecord> {
  const now = options.now ?? Date.now;
  const sent = now();
  const response = await (options.fetch ?? fetch)(url, {
    cache: 'no-store',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const body = await response.text();
  const responseHead = headOf(response);
  const told = Number(response.headers.get(REQUEST_BYTES_HEADER));
  return {
    url,
    method: 'GET',
    sent,
    received: now(),
    status: response.status,
    requestHeadBytes: Number.isSafeInteger(told) && told > 0 ? told : 0,
    responseHead,
    responseHeadBytes: headBytes(responseHead),
    body,
  };
}

/** Loopback: the exchange on the in-page network, both heads exactly as they crossed it. */
export async function loopbackHttp(
  url: string,
  network: VirtualNetwork,
  options: HttpOptions = {},
): Promise<HttpRecord> {
  const x = await exchange(url, options.signal ? { signal: options.signal } : {}, network);
  const body = await x.response.text();
  return {
    url,
    method: 'GET',
    sent: x.sent,
    received: x.received,
    status: x.response.status,
    requestHeadBytes: headBytes(x.requestHead),
    requestHead: x.requestHead,
    responseHead: x.responseHead,
    responseHeadBytes: headBytes(x.responseHead),
    body,
  };
}

/** 'ws://host/base/echo' -> 'http://host/base/echo' (an endpoint's URL, for plain HTTP). */
export function httpUrl(wsUrl: string): string {
  return wsUrl.replace(/^ws(s?):/, 'http$1:');
}
