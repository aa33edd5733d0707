import { describe, expect, it } from 'vitest';
import { jsonProblem } from '../lab/composer.svelte.ts';
import { browserMayClose, checkProtocols, checkUrl } from './validate.ts';

const ctx = { pageProtocol: 'http:', endpointUrl: (p: string) => `ws://localhost:5173${p}` };
const msg = (input: string, c = ctx) => {
  const r = checkUrl(input, c);
  return r.ok ? `ok ${r.value}` : r.message;
};

describe('checkUrl', () => {
  it('accepts ws:// and wss:// URLs, and bundled endpoint paths', () => {
    expect(msg('ws://example.com:8080/chat?x=1')).toBe('ok ws://example.com:8080/chat?x=1');
    expect(msg('wss://example.com')).toBe('ok wss://example.com/');
    expect(msg('/echo')).toBe('ok ws://localhost:5173/echo');
  });
  it('explains each mistake', () => {
    expect(msg('')).toMatch(/^Type a ws:\/\/ or wss:\/\/ URL/);
    expect(msg('http://example.com/')).toMatch(
      /^http:\/\/ is the page's scheme, not a socket's: use ws:\/\//,
    );
    expect(msg('https://example.com/')).toMatch(/use wss:\/\//);
    expect(msg('ftp://example.com/')).toMatch(/^ftp: is not a WebSocket scheme/);
    expect(msg('example.com/echo')).toMatch(/has no scheme: start with ws:\/\//);
    expect(msg('ws://exa mple.com')).toMatch(/cannot contain spaces/);
    expect(msg('ws://example.com/#top')).toMatch(/cannot have a #fragment/);
    expect(msg('ws://[::1')).toMatch(/is not a valid URL/);
    expect(msg('ws://example.com', { ...ctx, pageProtocol: 'https:' })).toMatch(/mixed content/);
  });
});

describe('checkProtocols', () => {
  it('splits a comma list', () => {
    expect(checkProtocols(' chat, json ')).toEqual({ ok: true, value: ['chat', 'json'] });
    expect(checkProtocols('')).toEqual({ ok: true, value: [] });
  });
  it('refuses what the browser would throw SyntaxError for', () => {
    expect(checkProtocols('my chat')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/"my chat" contains a space/),
    });
    expect(checkProtocols('a,,b')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Subprotocol 2 is empty/),
    });
    expect(checkProtocols('chat, Chat')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/"Chat" is listed twice/),
    });
    expect(checkProtocols('a/b')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/contains '\/'/),
    });
  });
});

describe('close and JSON rules', () => {
  it('close() accepts only 1000 and 3000-4999', () => {
    expect([999, 1000, 1001, 2999, 3000, 4999, 5000].map(browserMayClose)).toEqual([
      false,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });
  it('JSON errors name the line and column', () => {
    expect(jsonProblem('{"a": 1}')).toBeUndefined();
    expect(jsonProblem('{"a": 1,\n "b" 2}')).toMatch(/at line 2, column 6 \(near "2}"\)/);
    expect(jsonProblem('')).toMatch(/^Empty/);
  });
});
