import { describe, expect, it } from 'vitest';
import { parseExtensions } from './extensions.ts';
import {
  buildClientRequest,
  validateClientRequest,
  validateServerResponse,
  computeAccept,
} from './handshake.ts';
import { parseRequest, parseResponse } from './http.ts';
import {
  acceptDeflateOffer,
  BROWSER_DEFLATE_OFFER,
  checkDeflateAnswer,
  DEFAULT_DEFLATE_PARAMS,
  readDeflateParams,
} from './permessage-deflate.ts';

const one = (text: string) => parseExtensions(text)![0]!;

describe('permessage-deflate parameters (RFC 7692 §7.1)', () => {
  it.each([
    ['permessage-deflate; foo', 'unknown parameter foo'],
    ['permessage-deflate; server_no_context_takeover=1', 'takes no value'],
    ['permessage-deflate; client_no_context_takeover="x"', 'takes no value'],
    ['permessage-deflate; server_max_window_bits', 'must be 8 to 15'],
    ['permessage-deflate; server_max_window_bits=7', 'must be 8 to 15'],
    ['permessage-deflate; server_max_window_bits=16', 'must be 8 to 15'],
    ['permessage-deflate; server_max_window_bits=010', 'must be 8 to 15'],
    ['permessage-deflate; client_max_window_bits=abc', 'must be 8 to 15'],
    ['permessage-deflate; server_no_context_takeover; server_no_context_takeover', 'given twice'],
  ])('%s is not a valid element (%s)', (text, reason) => {
    const r = readDeflateParams(one(text), false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('an answer must give client_max_window_bits a value (7.1.2.2); an offer need not', () => {
    expect(readDeflateParams(one('permessage-deflate; client_max_window_bits'), false)).toMatchObject({
      ok: true,
      clientMaxWindowBits: true,
    });
    expect(readDeflateParams(one('permessage-deflate; client_max_window_bits'), true).ok).toBe(false);
    expect(readDeflateParams(one('permessage-deflate; client_max_window_bits="10"'), true)).toMatchObject({
      clientMaxWindowBits: 10,
    });
  });
});

describe('the server accepts the first offer it can (7.1)', () => {
  it("Chromium's offer: accepted with no parameters, defaults everywhere", () => {
    const r = acceptDeflateOffer(parseExtensions(BROWSER_DEFLATE_OFFER)!);
    expect(r).toMatchObject({ accepted: true, index: 0, params: DEFAULT_DEFLATE_PARAMS });
    if (r.accepted) expect(r.answer.params).toEqual({});
  });

  it('every parameter offered is answered and agreed', () => {
    const r = acceptDeflateOffer(
      parseExtensions(
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
      )!,
    );
    expect(r).toMatchObject({
      accepted: true,
      params: {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 12,
      },
    });
    if (r.accepted)
      expect(r.answer.params).toEqual({
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        server_max_window_bits: '10',
        client_max_window_bits: '12',
      });
  });

  it('an invalid offer is declined and the next one taken; server_max_window_bits=8 is declined', () => {
    const r = acceptDeflateOffer(
      parseExtensions(
        'x-other, permessage-deflate; bogus, permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9',
      )!,
    );
    expect(r).toMatchObject({ accepted: true, index: 3, params: { serverMaxWindowBits: 9 } });
    expect(acceptDeflateOffer(parseExtensions('permessage-deflate; bogus')!)).toEqual({
      accepted: false,
      declined: [{ index: 0, reason: 'unknown parameter bogus' }],
    });
  });

  it('validateClientRequest answers with Sec-WebSocket-Extensions only when deflate is on', () => {
    const parsed = parseRequest(
      buildClientRequest({
        host: 'h',
        path: '/',
        key: 'dGhlIHNhbXBsZSBub25jZQ==',
        extensions: [BROWSER_DEFLATE_OFFER],
      }),
    );
    if (!parsed.ok) throw new Error('bad request');
    const on = validateClientRequest(parsed.request, { deflate: true });
    const off = validateClientRequest(parsed.request);
    expect(on.ok && on.response).toContain('Sec-WebSocket-Extensions: permessage-deflate\r\n');
    expect(on.ok && on.extensions).toBe('permessage-deflate');
    expect(on.ok && on.deflate).toEqual(DEFAULT_DEFLATE_PARAMS);
    expect(off.ok && off.response).not.toContain('Sec-WebSocket-Extensions');
    expect(off.ok && off.deflate).toBeUndefined();
  });
});

describe('the client checks the answer (7.1), failing the connection on a bad one', () => {
  const offer = one(BROWSER_DEFLATE_OFFER);
  it.each([
    ['permessage-deflate', { clientMaxWindowBits: 15, serverMaxWindowBits: 15 }],
    ['permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 9 }],
    [
      'permessage-deflate; server_max_window_bits=10; server_no_context_takeover',
      { serverMaxWindowBits: 10, serverNoContextTakeover: true },
    ],
    ['permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
  ])('accepts %s', (answer, expected) => {
    const v = checkDeflateAnswer(one(answer), offer);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.params).toMatchObject(expected);
  });

  it.each([
    ['permessage-deflate; client_max_window_bits', BROWSER_DEFLATE_OFFER, 'must be 8 to 15'],
    ['permessage-deflate; client_max_window_bits=10', 'permessage-deflate', 'answered but not offered'],
    [
      'permessage-deflate; client_max_window_bits=12',
      'permessage-deflate; client_max_window_bits=10',
      'over the 10',
    ],
    [
      'permessage-deflate; server_max_window_bits=12',
      'permessage-deflate; server_max_window_bits=10',
      'over the 10',
    ],
    ['permessage-deflate', 'permessage-deflate; server_no_context_takeover', 'not answered'],
    ['permessage-deflate; x=1', BROWSER_DEFLATE_OFFER, 'unknown parameter'],
  ])('refuses %s to the offer %s', (answer, offered, reason) => {
    const v = checkDeflateAnswer(one(answer), one(offered));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toContain(reason);
  });

  const response = (ext: string) => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const p = parseResponse(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(key)}\r\nSec-WebSocket-Extensions: ${ext}\r\n\r\n`,
    );
    if (!p.ok) throw new Error('bad response');
    return validateServerResponse(p.response, { key, extensions: [BROWSER_DEFLATE_OFFER] });
  };

  it('validateServerResponse reports the agreed parameters', () => {
    const v = response('permessage-deflate; client_max_window_bits=10');
    expect(v.ok && v.deflate).toMatchObject({ clientMaxWindowBits: 10 });
  });

  it.each([
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate, permessage-deflate',
    'permessage-deflate; y',
  ])('validateServerResponse fails HANDSHAKE_DEFLATE_PARAMS on %j', (ext) => {
    const v = response(ext);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error.code).toBe('HANDSHAKE_DEFLATE_PARAMS');
  });
});
