/**
 * HTTP status lines and error answers for the opening handshake (RFC 6455 §4.2.1: a request the
 * server will not accept is answered with an HTTP error, §4.4: 426 with the versions it
 * speaks), shared by the engine, the Node server, the in-page network and the sandbox's `ws`.
 * Reason phrases as RFC 9110 §15 gives them.
 */
import { encodeUtf8 } from './utf8.ts';

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  /** Not in RFC 9110: nginx's name for a client that went away before the answer (the relay logs it). */
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The reason phrase for a status ('Error' for one we never send). */
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

/**
 * A complete HTTP error response with a plain-text body (a newline added when missing):
 * `headers` first, then Connection: close, Content-Type and Content-Length (in UTF-8 bytes).
 */
export function httpErrorResponse(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): string {
  const text = body.endsWith('\n') ? body : body + '\n';
  let head = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
  for (const [name, value] of Object.entries({
    ...headers,
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(encodeUtf8(text).length),
  })) {
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n${text}`;
}
