import { describe, expect, it } from 'vitest';
import { parseExtensions } from './extensions.ts';
import {
  acceptSteps,
  buildClientRequest,
  computeAccept,
  generateKey,
  isValidKey,
  validateClientRequest,
  validateServerResponse,
  WEBSOCKET_GUID,
} from './handshake.ts';
import { parseRequest, parseResponse, type HttpRequest, type HttpResponse } from './http.ts';
import { fixedEntropy } from './test-helpers.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function request(extra: Record<string, string | undefined> = {}, line = 'GET /chat HTTP/1.1'): HttpRequest {
  const headers: Record<string, string | undefined> = {
    Host: 'server.example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  let text = `${line}\r\n`;
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) text += `${k}: ${v}\r\n`;
  const p = parseRequest(text + '\r\n');
  if (!p.ok) throw p.error;
  return p.request;
}

function response(text: string): HttpResponse {
  const p = parseResponse(text);
  if (!p.ok) throw p.error;
  return p.response;
}

describe('Sec-WebSocket-Accept (§4.2.2)', () => {
  it('computes the RFC example: dGhlIHNhbXBsZSBub25jZQ== -> s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', () => {
    expect(computeAccept(KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('shows every step for the lesson', () => {
    expect(acceptSteps(KEY)).toEqual({
      key: KEY,
      guid: WEBSOCKET_GUID,
      concatenated: KEY + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11',
      sha1Hex: 'b37a4f2cc0624f1690f64606cf385945b2bec4ea',
      accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    });
  });

  it('generates a 16-byte key from injected entropy', () => {
    const key = generateKey(fixedEntropy([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    expect(key).toBe('AQIDBAUGBwgJCgsMDQ4PEA==');
    expect(isValidKey(key)).toBe(true);
  });

  it.each([
    '',
    'dGhlIHNhbXBsZQ==',
    'dGhlIHNhbXBsZSBub25jZSE=',
    'dGhlIHNhbXBsZSBub25jZQ',
    '!GhlIHNhbXBsZSBub25jZQ==',
  ])('refuses the key %j (must be base64 of 16 bytes, §4.1)', (k) => expect(isValidKey(k)).toBe(false));
});

describe('buildClientRequest (§4.1)', () => {
  it('writes the request line, required headers and options, ending with an empty line', () => {
    const text = buildClientRequest({
      host: 'server.example.com',
      path: '/chat',
      key: KEY,
      protocols: ['chat', 'superchat'],
      extensions: ['permessage-deflate; client_max_window_bits'],
      origin: 'http://example.com',
      headers: { 'X-Lesson': '2' },
    });
    expect(text).toBe(
      'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n` +
        'Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' +
        'X-Lesson: 2\r\n\r\n',
    );
    // and our server accepts it
    const p = parseRequest(text);
    expect(p.ok && validateClientRequest(p.request, { protocols: ['superchat'] }).ok).toBe(true);
  });

  it('refuses header injection and non-token subprotocols', () => {
    expect(() => buildClientRequest({ host: 'a\r\nX: y', path: '/', key: KEY })).toThrow(TypeError);
    expect(() => buildClientRequest({ host: 'a', path: '/', key: KEY, protocols: ['a b'] })).toThrow(
      TypeError,
    );
    expect(() => buildClientRequest({ host: 'a', path: 'no-slash', key: KEY })).toThrow(TypeError);
  });
});

describe('validateClientRequest (§4.2.1)', () => {
  it('accepts the RFC example and answers 101 with the accept value', () => {
    const v = validateClientRequest(request());
    if (!v.ok) throw v.error;
    expect(v.response).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
    expect(v.protocol).toBe('');
  });

  it("picks the first of the CLIENT's offers that the server supports", () => {
    const v = validateClientRequest(request({ 'Sec-WebSocket-Protocol': 'json, chat' }), {
      protocols: ['chat', 'superchat', 'json'],
    });
    expect(v.ok && v.protocol).toBe('json');
    expect(v.ok && v.offeredProtocols).toEqual(['json', 'chat']);
    expect(v.ok && v.response).toContain('Sec-WebSocket-Protocol: json\r\n');
  });

  it("answers without Sec-WebSocket-Protocol when it supports none of the client's offers", () => {
    const v = validateClientRequest(request({ 'Sec-WebSocket-Protocol': 'mqtt' }), { protocols: ['chat'] });
    expect(v.ok && v.protocol).toBe('');
    expect(v.ok && v.response).not.toContain('Sec-WebSocket-Protocol');
  });

  it('parses offered extensions (shown even though declined) and does not accept them', () => {
    const v = validateClientRequest(
      request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits, x-foo; a="1"' }),
    );
    expect(v.ok && v.offeredExtensions).toEqual([
      { name: 'permessage-deflate', params: { client_max_window_bits: true } },
      { name: 'x-foo', params: { a: '1' } },
    ]);
    expect(v.ok && v.response).not.toContain('Extensions');
  });

  it('accepts header values case-insensitively (Upgrade: WebSocket, Connection: keep-alive, Upgrade)', () => {
    expect(
      validateClientRequest(request({ Upgrade: 'WebSocket', Connection: 'keep-alive, upgrade' })).ok,
    ).toBe(true);
  });

  const rejected: Array<[string, HttpRequest, number, string]> = [
    ['a POST', request({}, 'POST /chat HTTP/1.1'), 400, 'HANDSHAKE_METHOD'],
    ['HTTP/1.0', request({}, 'GET /chat HTTP/1.0'), 400, 'HANDSHAKE_HTTP_VERSION'],
    ['no Host', request({ Host: undefined }), 400, 'HANDSHAKE_HOST'],
    ['no Upgrade', request({ Upgrade: undefined }), 400, 'HANDSHAKE_UPGRADE'],
    ['Connection without Upgrade', request({ Connection: 'keep-alive' }), 400, 'HANDSHAKE_CONNECTION'],
    ['a 15-byte key', request({ 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ=' }), 400, 'HANDSHAKE_KEY'],
    ['no key', request({ 'Sec-WebSocket-Key': undefined }), 400, 'HANDSHAKE_KEY'],
    ['version 8', request({ 'Sec-WebSocket-Version': '8' }), 426, 'HANDSHAKE_VERSION'],
    ['no version', request({ 'Sec-WebSocket-Version': undefined }), 426, 'HANDSHAKE_VERSION'],
    [
      'a bad subprotocol list',
      request({ 'Sec-WebSocket-Protocol': 'a b' }),
      400,
      'HANDSHAKE_PROTOCOL_HEADER',
    ],
    [
      'a bad extension list',
      request({ 'Sec-WebSocket-Extensions': 'a;;' }),
      400,
      'HANDSHAKE_EXTENSION_HEADER',
    ],
  ];
  for (const [what, req, status, code] of rejected) {
    it(`answers ${status} to ${what}`, () => {
      const v = validateClientRequest(req);
      if (v.ok) throw new Error('accepted');
      expect(v.status).toBe(status);
      expect(v.error.code).toBe(code);
      expect(v.response.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
      expect(v.response).toContain(`\r\n\r\n${v.reason}`);
    });
  }

  it('426 says which version it speaks (§4.4)', () => {
    const v = validateClientRequest(request({ 'Sec-WebSocket-Version': '8' }));
    expect(!v.ok && v.headers['Sec-WebSocket-Version']).toBe('13');
    expect(!v.ok && v.response).toContain('Sec-WebSocket-Version: 13\r\n');
  });

  it('answers 403 to an origin not allowed, by list or predicate (§10.2)', () => {
    expect(
      validateClientRequest(request({ Origin: 'http://evil.test' }), { origins: ['http://example.com'] }),
    ).toMatchObject({ ok: false, status: 403 });
    expect(
      validateClientRequest(request({ Origin: 'http://example.com' }), { origins: ['http://example.com'] })
        .ok,
    ).toBe(true);
    expect(validateClientRequest(request(), { origins: (o) => o === undefined }).ok).toBe(true);
  });

  it('answers 404 to a path without an endpoint (query ignored)', () => {
    expect(validateClientRequest(request({}, 'GET /nope HTTP/1.1'), { paths: ['/echo'] })).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(validateClientRequest(request({}, 'GET /echo?rate=10 HTTP/1.1'), { paths: ['/echo'] }).ok).toBe(
      true,
    );
  });
});

describe('validateServerResponse (§4.1)', () => {
  const ok = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n`;

  it('accepts a correct 101, tokens case-insensitive', () => {
    expect(validateServerResponse(response(ok + '\r\n'), { key: KEY })).toEqual({
      ok: true,
      protocol: '',
      extensions: [],
    });
    expect(
      validateServerResponse(
        response(
          ok.replace('websocket', 'WebSocket').replace('Connection: Upgrade', 'Connection: upgrade') + '\r\n',
        ),
        { key: KEY },
      ).ok,
    ).toBe(true);
  });

  it('accepts a subprotocol it offered', () => {
    expect(
      validateServerResponse(response(ok + 'Sec-WebSocket-Protocol: chat\r\n\r\n'), {
        key: KEY,
        protocols: ['chat'],
      }),
    ).toMatchObject({ ok: true, protocol: 'chat' });
  });

  it.each([
    ['a 200', 'HTTP/1.1 200 OK\r\n\r\n', 'HANDSHAKE_STATUS'],
    ['no Upgrade', ok.replace('Upgrade: websocket\r\n', '') + '\r\n', 'HANDSHAKE_UPGRADE'],
    ['no Connection', ok.replace('Connection: Upgrade\r\n', '') + '\r\n', 'HANDSHAKE_CONNECTION'],
    ['a wrong accept', ok.replace('s3pP', 'AAAA') + '\r\n', 'HANDSHAKE_ACCEPT'],
    [
      'a protocol not offered',
      ok + 'Sec-WebSocket-Protocol: superchat\r\n\r\n',
      'HANDSHAKE_UNOFFERED_PROTOCOL',
    ],
    [
      'an extension not offered',
      ok + 'Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n',
      'HANDSHAKE_UNOFFERED_EXTENSION',
    ],
  ])('fails on %s', (_what, text, code) => {
    const v = validateServerResponse(response(text), { key: KEY, protocols: ['chat'] });
    expect(!v.ok && v.error.code).toBe(code);
    expect(!v.ok && v.error.closeCode).toBe(1006);
  });

  it('accepts an extension it offered', () => {
    const v = validateServerResponse(response(ok + 'Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n'), {
      key: KEY,
      extensions: ['permessage-deflate; client_max_window_bits'],
    });
    expect(v.ok && v.extensions).toEqual(parseExtensions('permessage-deflate'));
  });
});
