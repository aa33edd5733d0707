/**
 * RFC 6455 §4: the opening handshake.
 *
 *   client                                          server
 *   GET /chat HTTP/1.1                              HTTP/1.1 101 Switching Protocols
 *   Host: example.com                               Upgrade: websocket
 *   Upgrade: websocket                              Connection: Upgrade
 *   Connection: Upgrade                             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
 *   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==     Sec-WebSocket-Protocol: chat
 *   Sec-WebSocket-Version: 13
 *   Sec-WebSocket-Protocol: chat, superchat
 *
 * §4.2.2: Accept = base64( SHA-1( key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" ) )
 */
import { statusText } from './http-status.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { protocolError, type ProtocolError, type ProtocolErrorCode } from './errors.ts';
import { type ExtensionOffer, formatExtensions, parseExtensions } from './extensions.ts';
import {
  acceptDeflateOffer,
  checkDeflateAnswer,
  PERMESSAGE_DEFLATE,
  type DeflateParams,
} from './permessage-deflate.ts';
import {
  assertHeaderValue,
  hasToken,
  headerList,
  type HttpRequest,
  type HttpResponse,
  isToken,
} from './http.ts';
import { sha1, toHex } from './sha1.ts';
import type { Entropy } from './types.ts';
import { encodeUtf8 } from './utf8.ts';

/** §1.3, §4.2.2: the GUID every server appends to the key. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** §4.1: the only version this engine speaks. */
export const WEBSOCKET_VERSION = '13';

/** §4.1: a fresh Sec-WebSocket-Key: 16 random bytes in base64. */
export function generateKey(entropy: Entropy): string {
  const bytes = entropy.randomBytes(16);
  if (bytes.length !== 16) throw new RangeError('entropy.randomBytes(16) must return 16 bytes');
  return encodeBase64(bytes);
}

/** §4.1, §4.2.1: a key is base64 of exactly 16 bytes (24 characters ending in '=='). */
export function isValidKey(key: string): boolean {
  return key.length === 24 && decodeBase64(key)?.length === 16;
}

export interface AcceptSteps {
  key: string;
  guid: string;
  /** key + GUID, the string hashed */
  concatenated: string;
  /** SHA-1 of it, 40 hex digits */
  sha1Hex: string;
  /** base64 of the 20 SHA-1 bytes: the Sec-WebSocket-Accept value */
  accept: string;
}

/** §4.2.2 step by step, for the handshake lesson. */
export function acceptSteps(key: string): AcceptSteps {
  const concatenated = key + WEBSOCKET_GUID;
  const digest = sha1(encodeUtf8(concatenated));
  return { key, guid: WEBSOCKET_GUID, concatenated, sha1Hex: toHex(digest), accept: encodeBase64(digest) };
}

export function computeAccept(key: string): string {
  return acceptSteps(key).accept;
}

export interface ClientRequestOptions {
  /** Host header: host[:port] */
  host: string;
  /** request-target: path and query, e.g. '/echo?rate=10' */
  path: string;
  key: string;
  protocols?: readonly string[];
  /** Sec-WebSocket-Extensions offers, e.g. ['permessage-deflate; client_max_window_bits'] */
  extensions?: readonly string[];
  origin?: string;
  headers?: Readonly<Record<string, string>>;
}

/** §4.1: the client's opening handshake request, ending with the empty line. */
export function buildClientRequest(options: ClientRequestOptions): string {
  const { host, path, key } = options;
  if (!path.startsWith('/') || /\s/.test(path))
    throw new TypeError(`request path must start with / and contain no spaces: ${path}`);
  const lines: Array<[string, string]> = [
    ['Host', host],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', WEBSOCKET_VERSION],
  ];
  if (options.origin !== undefined) lines.push(['Origin', options.origin]);
  if (options.protocols !== undefined && options.protocols.length > 0) {
    for (const p of options.protocols)
      if (!isToken(p)) throw new TypeError(`subprotocol "${p}" is not a token (RFC 6455 §4.1)`);
    lines.push(['Sec-WebSocket-Protocol', options.protocols.join(', ')]);
  }
  if (options.extensions !== undefined && options.extensions.length > 0) {
    lines.push(['Sec-WebSocket-Extensions', options.extensions.join(', ')]);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push([name, value]);
  let text = `GET ${path} HTTP/1.1\r\n`;
  for (const [name, value] of lines) {
    assertHeaderValue(name, value);
    text += `${name}: ${value}\r\n`;
  }
  return text + '\r\n';
}

export interface ServerHandshakeOptions {
  /** Subprotocols the server supports. */
  protocols?: readonly string[];
  /** Allowed Origin values, or a predicate; absent: any origin (and requests without one). */
  origins?: readonly string[] | ((origin: string | undefined) => boolean);
  /** Paths (without query) with an endpoint; absent: any path. Others get 404. */
  paths?: readonly string[];
  /** Accept permessage-deflate (RFC 7692) when offered. Default false. */
  deflate?: boolean;
}

export type ClientRequestVerdict =
  | {
      ok: true;
      key: string;
      /** The first of the client's offers the server supports (§4.2.2), '' when none. */
      protocol: string;
      offeredProtocols: string[];
      /** Parsed, shown even when this server declines them. */
      offeredExtensions: ExtensionOffer[];
      /** RFC 7692: the permessage-deflate parameters agreed, when an offer was accepted. */
      deflate?: DeflateParams;
      /** The Sec-WebSocket-Extensions answer ('' when none). */
      extensions: string;
      /** The 101 response to write, ending with the empty line. */
      response: string;
    }
  | {
      ok: false;
      status: 400 | 403 | 404 | 426 | 431;
      headers: Record<string, string>;
      reason: string;
      /** The whole HTTP response to write before closing the connection. */
      response: string;
      error: ProtocolError;
    };

/** §4.2.1 checks on a parsed request, then §4.2.2's answer. */
export function validateClientRequest(
  req: HttpRequest,
  options: ServerHandshakeOptions = {},
): ClientRequestVerdict {
  const h = req.headers;
  const reject = (code: ProtocolErrorCode, detail?: string): ClientRequestVerdict =>
    rejection(protocolError(code, detail));
  // 4.2.1 (1): an HTTP/1.1 or higher GET request.
  if (req.method !== 'GET') return reject('HANDSHAKE_METHOD', req.method);
  const [major, minor] = req.version.slice(5).split('.').map(Number);
  if (major === undefined || minor === undefined || major < 1 || (major === 1 && minor < 1))
    return reject('HANDSHAKE_HTTP_VERSION', req.version);
  // 4.2.1 (2): a Host header.
  if (h['host'] === undefined || h['host'] === '') return reject('HANDSHAKE_HOST');
  const path = req.target.split('?')[0]!;
  if (options.paths !== undefined && !options.paths.includes(path)) return reject('HANDSHAKE_PATH', path);
  // 4.2.1 (3): Upgrade contains "websocket" (case-insensitive).
  if (!hasToken(h['upgrade'], 'websocket')) return reject('HANDSHAKE_UPGRADE', h['upgrade'] ?? 'missing');
  // 4.2.1 (4): Connection contains the token "Upgrade" (case-insensitive).
  if (!hasToken(h['connection'], 'upgrade'))
    return reject('HANDSHAKE_CONNECTION', h['connection'] ?? 'missing');
  // 4.2.1 (6), 4.4: version 13; otherwise 426 with the versions we speak.
  if (h['sec-websocket-version'] !== WEBSOCKET_VERSION)
    return reject('HANDSHAKE_VERSION', h['sec-websocket-version'] ?? 'missing');
  // 4.2.1 (5): the key is base64 of 16 bytes.
  const key = h['sec-websocket-key'];
  if (key === undefined || !isValidKey(key)) return reject('HANDSHAKE_KEY', key ?? 'missing');
  // 4.2.1 (7), 10.2: Origin, when the server restricts it.
  if (options.origins !== undefined) {
    const origin = h['origin'];
    const allowed =
      typeof options.origins === 'function'
        ? options.origins(origin)
        : origin !== undefined && options.origins.includes(origin);
    if (!allowed) return reject('HANDSHAKE_ORIGIN', origin ?? 'missing');
  }
  // 4.2.1 (8): subprotocols, a list of tokens.
  const offeredProtocols = headerList(h['sec-websocket-protocol']);
  if (offeredProtocols.some((p) => !isToken(p)))
    return reject('HANDSHAKE_PROTOCOL_HEADER', h['sec-websocket-protocol']);
  // 4.2.1 (9): extensions; parsed for display. The only one this engine implements is
  // permessage-deflate (RFC 7692 §7.1: the first offer it can accept; others are declined).
  const offeredExtensions = parseExtensions(h['sec-websocket-extensions']);
  if (offeredExtensions === undefined)
    return reject('HANDSHAKE_EXTENSION_HEADER', h['sec-websocket-extensions']);
  const deflate = options.deflate === true ? acceptDeflateOffer(offeredExtensions) : undefined;
  const answer = deflate?.accepted === true ? [deflate.answer] : [];
  // 4.2.2: the server picks one of the client's offers; we take the first it supports.
  const supported = options.protocols ?? [];
  const protocol = offeredProtocols.find((p) => supported.includes(p)) ?? '';
  const verdict: ClientRequestVerdict = {
    ok: true,
    key,
    protocol,
    offeredProtocols,
    offeredExtensions,
    extensions: formatExtensions(answer),
    response: buildServerResponse(key, protocol, answer),
  };
  if (deflate?.accepted === true) verdict.deflate = deflate.params;
  return verdict;
}

/** §4.2.2: the 101 answer. */
export function buildServerResponse(
  key: string,
  protocol = '',
  extensions: readonly ExtensionOffer[] = [],
): string {
  let text = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
  text += `Sec-WebSocket-Accept: ${computeAccept(key)}\r\n`;
  if (protocol !== '') text += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensions.length > 0) text += `Sec-WebSocket-Extensions: ${formatExtensions(extensions)}\r\n`;
  return text + '\r\n';
}

/** An HTTP error answer for an error with a `status` (400 unless it says otherwise). */
export function rejection(error: ProtocolError): Extract<ClientRequestVerdict, { ok: false }> {
  const status = (error.status ?? 400) as 400 | 403 | 404 | 426 | 431;
  const reason = error.message;
  const headers: Record<string, string> = {
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
  };
  // 4.4: a wrong version is answered with the versions the server speaks.
  if (status === 426) headers['Sec-WebSocket-Version'] = WEBSOCKET_VERSION;
  const body = encodeUtf8(reason);
  headers['Content-Length'] = String(body.length);
  let response = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
  for (const [name, value] of Object.entries(headers)) response += `${name}: ${value}\r\n`;
  response += `\r\n${reason}`;
  return { ok: false, status, headers, reason, response, error };
}

export interface ClientHandshakeOptions {
  /** The Sec-WebSocket-Key the client sent. */
  key: string;
  /** The subprotocols it offered. */
  protocols?: readonly string[];
  /** The extensions it offered, as header text (e.g. BROWSER_DEFLATE_OFFER). */
  extensions?: readonly string[];
}

export type ServerResponseVerdict =
  | {
      ok: true;
      protocol: string;
      extensions: ExtensionOffer[];
      /** RFC 7692: the permessage-deflate parameters to use, when the server accepted it. */
      deflate?: DeflateParams;
    }
  | { ok: false; error: ProtocolError };

/** §4.1 (client side): checks the server's answer; any failure means "fail the connection". */
export function validateServerResponse(
  res: HttpResponse,
  options: ClientHandshakeOptions,
): ServerResponseVerdict {
  const h = res.headers;
  const fail = (code: ProtocolErrorCode, detail?: string): ServerResponseVerdict => ({
    ok: false,
    error: protocolError(code, detail),
  });
  // 4.1 (1): anything but 101 ends the attempt.
  if (res.status !== 101) return fail('HANDSHAKE_STATUS', `${res.status} ${res.reason}`.trim());
  // 4.1 (2), (3): Upgrade: websocket and Connection: Upgrade, case-insensitive.
  if (!hasToken(h['upgrade'], 'websocket')) return fail('HANDSHAKE_UPGRADE', h['upgrade'] ?? 'missing');
  if (!hasToken(h['connection'], 'upgrade'))
    return fail('HANDSHAKE_CONNECTION', h['connection'] ?? 'missing');
  // 4.1 (4): Accept must be derived from our key.
  const expected = computeAccept(options.key);
  if (h['sec-websocket-accept'] !== expected)
    return fail('HANDSHAKE_ACCEPT', `expected ${expected}, got ${h['sec-websocket-accept'] ?? 'none'}`);
  // 4.1 (5): extensions in use must be ones we offered.
  const extensions = parseExtensions(h['sec-websocket-extensions']);
  if (extensions === undefined) return fail('HANDSHAKE_EXTENSION_HEADER', h['sec-websocket-extensions']);
  const offered = parseExtensions((options.extensions ?? []).join(', ')) ?? [];
  const offeredNames = offered.map((e) => e.name.toLowerCase());
  const unoffered = extensions.find((e) => !offeredNames.includes(e.name.toLowerCase()));
  if (unoffered !== undefined) return fail('HANDSHAKE_UNOFFERED_EXTENSION', unoffered.name);
  // RFC 7692 §7.1: at most one permessage-deflate answer, with parameters we can accept.
  const deflateAnswers = extensions.filter((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE);
  let deflate: DeflateParams | undefined;
  if (deflateAnswers.length > 1) return fail('HANDSHAKE_DEFLATE_PARAMS', 'permessage-deflate answered twice');
  if (deflateAnswers.length === 1) {
    const offers = offered.filter((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE);
    // The answer must fit one of our offers (the server accepts one of them).
    const reasons: string[] = [];
    for (const offer of offers) {
      const v = checkDeflateAnswer(deflateAnswers[0]!, offer);
      if (v.ok) {
        deflate = v.params;
        break;
      }
      reasons.push(v.reason);
    }
    if (deflate === undefined) return fail('HANDSHAKE_DEFLATE_PARAMS', reasons.join('; '));
  }
  // 4.1 (6): a subprotocol, if any, is one we offered (exactly one value).
  const protocol = h['sec-websocket-protocol'] ?? '';
  if (protocol !== '' && !(options.protocols ?? []).includes(protocol))
    return fail('HANDSHAKE_UNOFFERED_PROTOCOL', protocol);
  return deflate === undefined
    ? { ok: true, protocol, extensions }
    : { ok: true, protocol, extensions, deflate };
}
