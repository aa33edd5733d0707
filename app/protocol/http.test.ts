import { describe, expect, it } from 'vitest';
import { HeadReader, hasToken, parseRequest, parseResponse } from './http.ts';
import { text } from './test-helpers.ts';

const REQUEST =
  'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n' +
  'Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n';

describe('HeadReader', () => {
  it('returns the head and the bytes after it, with CRLF CRLF split at every position', () => {
    const bytes = Uint8Array.from([...text(REQUEST), 0x81, 0x00]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = new HeadReader();
      const first = r.push(bytes.slice(0, cut));
      const result = first.kind === 'head' ? first : r.push(bytes.slice(cut));
      if (result.kind !== 'head') throw new Error(`cut ${cut}: ${result.kind}`);
      expect(result.text).toBe(REQUEST);
      // Whatever followed the head (in its chunk, or in the next one) is the first frame.
      const after = first.kind === 'head' ? [...result.rest, ...bytes.slice(cut)] : [...result.rest];
      expect(after).toEqual([0x81, 0x00]);
    }
  });

  it('works one byte at a time', () => {
    const r = new HeadReader();
    const bytes = text(REQUEST);
    let last;
    for (const b of bytes) last = r.push(Uint8Array.of(b));
    expect(last?.kind === 'head' && last.text).toBe(REQUEST);
  });

  it('does not stop at a lone CRLF or at CR CR LF LF', () => {
    const r = new HeadReader();
    expect(r.push(text('GET / HTTP/1.1\r\nA: b\r\r\n\n')).kind).toBe('more');
  });

  it('fails (431) when the head grows past the limit', () => {
    const r = new HeadReader(64);
    const res = r.push(text('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(100)));
    expect(res.kind === 'error' && res.error.code).toBe('HANDSHAKE_HEAD_TOO_LARGE');
    expect(res.kind === 'error' && res.error.status).toBe(431);
  });
});

describe('parseRequest / parseResponse', () => {
  it('parses the request line and headers with case-insensitive names', () => {
    const p = parseRequest(REQUEST);
    if (!p.ok) throw p.error;
    expect(p.request.method).toBe('GET');
    expect(p.request.target).toBe('/chat');
    expect(p.request.version).toBe('HTTP/1.1');
    expect(p.request.headers['sec-websocket-key']).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    expect(p.request.rawHeaders[0]).toEqual(['Host', 'server.example.com']);
  });

  it("joins repeated headers with ', '", () => {
    const p = parseRequest(
      'GET / HTTP/1.1\r\nSec-WebSocket-Protocol: chat\r\nsec-websocket-protocol: json\r\n\r\n',
    );
    expect(p.ok && p.request.headers['sec-websocket-protocol']).toBe('chat, json');
  });

  it('has no inherited properties on headers', () => {
    const p = parseRequest('GET / HTTP/1.1\r\n\r\n');
    expect(p.ok && p.request.headers['constructor']).toBeUndefined();
  });

  it.each([
    'GET /\r\n\r\n',
    'GET  / HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n',
    'GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n',
    'GET / HTTP/1.1\r\nNoColon\r\n\r\n',
  ])('rejects the malformed head %j', (head) => {
    const p = parseRequest(head);
    expect(!p.ok && p.error.code).toBe('HANDSHAKE_MALFORMED');
  });

  it('parses a status line', () => {
    const p = parseResponse('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');
    expect(p.ok && [p.response.status, p.response.reason, p.response.headers['upgrade']]).toEqual([
      101,
      'Switching Protocols',
      'websocket',
    ]);
    expect(parseResponse('HTTP/1.1 1O1 x\r\n\r\n').ok).toBe(false);
  });

  it('finds tokens in comma lists case-insensitively', () => {
    expect(hasToken('keep-alive, UPGRADE', 'upgrade')).toBe(true);
    expect(hasToken('keep-alive, upgrades', 'upgrade')).toBe(false);
    expect(hasToken(undefined, 'upgrade')).toBe(false);
  });
});
