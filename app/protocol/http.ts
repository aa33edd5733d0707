/**
 * The HTTP/1.1 part of the opening handshake (RFC 6455 §4, RFC 9112 §2-§5): read the head of a
 * request or response up to the empty line, and parse it. Bodies are never read: after the
 * empty line come WebSocket frames (the `rest` bytes).
 *
 * The head is decoded as Latin-1 (one char per byte), so no byte is lost or rejected in
 * decoding; header values in a WebSocket handshake are ASCII.
 */
import { protocolError, type ProtocolError } from './errors.ts';

/** Default head size limit (request line + headers), like common servers' 8-16 KiB. */
export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

export type HeadResult =
  | { kind: 'more' }
  /** `text` includes the final CRLF CRLF; `rest` are the bytes after it (the first frames). */
  | { kind: 'head'; text: string; rest: Uint8Array }
  | { kind: 'error'; error: ProtocolError };

/** Accumulates bytes until the CRLF CRLF ending an HTTP head (the terminator may arrive split). */
export class HeadReader {
  readonly maxBytes: number;
  #chunks: Uint8Array[] = [];
  #length = 0;
  /** How many of the last bytes seen match "\r\n\r\n" so far (0-3). */
  #matched = 0;
  #done = false;

  constructor(maxBytes = DEFAULT_MAX_HEAD_BYTES) {
    this.maxBytes = maxBytes;
  }

  push(chunk: Uint8Array): HeadResult {
    if (this.#done) return { kind: 'error', error: protocolError('INTERNAL') };
    let matched = this.#matched;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      // Looking for 0D 0A 0D 0A: odd positions want LF, even ones CR; a CR restarts at 1.
      if (b === (matched & 1 ? 0x0a : 0x0d)) matched++;
      else matched = b === 0x0d ? 1 : 0;
      if (this.#length + i + 1 > this.maxBytes) {
        this.#done = true;
        return {
          kind: 'error',
          error: protocolError('HANDSHAKE_HEAD_TOO_LARGE', `over ${this.maxBytes} bytes`),
        };
      }
      if (matched === 4) {
        this.#done = true;
        this.#chunks.push(chunk.subarray(0, i + 1));
        const text = latin1(this.#chunks, this.#length + i + 1);
        this.#chunks = [];
        return { kind: 'head', text, rest: chunk.subarray(i + 1) };
      }
    }
    this.#matched = matched;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return { kind: 'more' };
  }
}

function latin1(chunks: Uint8Array[], length: number): string {
  let s = '';
  for (const c of chunks) {
    for (let i = 0; i < c.length; i += 4096)
      s += String.fromCharCode(...c.subarray(i, Math.min(i + 4096, c.length)));
  }
  return s.length === length ? s : s.slice(0, length);
}

/** Header names lower-cased; repeated headers joined with ', ' (RFC 9110 §5.3). */
export type HttpHeaders = Readonly<Record<string, string>>;

export interface HttpRequest {
  method: string;
  target: string;
  /** e.g. 'HTTP/1.1' */
  version: string;
  headers: HttpHeaders;
  /** The header lines as sent (original case and order), for the inspector. */
  rawHeaders: ReadonlyArray<readonly [string, string]>;
}

export interface HttpResponse {
  version: string;
  status: number;
  reason: string;
  headers: HttpHeaders;
  rawHeaders: ReadonlyArray<readonly [string, string]>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

function parseHead(
  text: string,
): { start: string; headers: Record<string, string>; raw: Array<[string, string]> } | ProtocolError {
  const end = text.indexOf('\r\n\r\n');
  const lines = (end === -1 ? text.replace(/\r\n$/, '') : text.slice(0, end)).split('\r\n');
  const start = lines[0] ?? '';
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const raw: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    // RFC 9112 §5.2: obsolete line folding is rejected.
    if (line.startsWith(' ') || line.startsWith('\t'))
      return protocolError('HANDSHAKE_MALFORMED', 'folded header line');
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon);
    // RFC 9112 §5.1: field-name is a token, no whitespace before the colon.
    if (!isToken(name)) return protocolError('HANDSHAKE_MALFORMED', `bad header line "${line.slice(0, 40)}"`);
    const value = line.slice(colon + 1).trim();
    raw.push([name, value]);
    const key = name.toLowerCase();
    const prior = headers[key];
    headers[key] = prior === undefined ? value : `${prior}, ${value}`;
  }
  return { start, headers, raw };
}

export function parseRequest(
  text: string,
): { ok: true; request: HttpRequest } | { ok: false; error: ProtocolError } {
  const head = parseHead(text);
  if (head instanceof Error) return { ok: false, error: head };
  // request-line = method SP request-target SP HTTP-version
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (HTTP\/\d\.\d)$/.exec(head.start);
  if (!m) return { ok: false, error: protocolError('HANDSHAKE_MALFORMED', 'bad request line') };
  return {
    ok: true,
    request: { method: m[1]!, target: m[2]!, version: m[3]!, headers: head.headers, rawHeaders: head.raw },
  };
}

export function parseResponse(
  text: string,
): { ok: true; response: HttpResponse } | { ok: false; error: ProtocolError } {
  const head = parseHead(text);
  if (head instanceof Error) return { ok: false, error: head };
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(head.start);
  if (!m) return { ok: false, error: protocolError('HANDSHAKE_MALFORMED', 'bad status line') };
  return {
    ok: true,
    response: {
      version: m[1]!,
      status: Number(m[2]),
      reason: m[3] ?? '',
      headers: head.headers,
      rawHeaders: head.raw,
    },
  };
}

/** The comma-separated elements of a header value, trimmed, empty ones dropped (RFC 9110 §5.6.1). */
export function headerList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Does a comma-separated header contain `token` (case-insensitive)? e.g. Connection: keep-alive, Upgrade */
export function hasToken(value: string | undefined, token: string): boolean {
  const t = token.toLowerCase();
  return headerList(value).some((s) => s.toLowerCase() === t);
}

/** Refuses CR, LF and NUL in a header value written by us (header injection). */
export function assertHeaderValue(name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new TypeError(`header ${name} contains CR, LF or NUL`);
  if (!isToken(name)) throw new TypeError(`"${name}" is not a valid header name`);
}
