import { describe, expect, test } from 'vitest';
import { REQUEST_BYTES_HEADER, responseHead, type FeedAnswer } from '../services/feed.ts';
import { headOf, httpUrl, serverHttp } from './http-client.ts';

const answer: FeedAnswer = {
  status: 200,
  reason: 'OK',
  headers: [
    [REQUEST_BYTES_HEADER, '517'],
    ['Content-Type', 'application/json'],
    ['Cache-Control', 'no-store'],
    ['X-WebSocket-Playground', '1'],
    ['Content-Length', '2'],
    ['Connection', 'keep-alive'],
  ],
  body: new TextEncoder().encode('{}'),
};
const asResponse = (a: FeedAnswer) =>
  new Response('{}', { status: a.status, statusText: a.reason, headers: a.headers });

describe('server mode: the page sees a fetch Response, not the bytes', () => {
  test("headOf rebuilds the server's head at its exact size (fetch only lower-cases and sorts the names)", () => {
    const rebuilt = headOf(asResponse(answer));
    expect(rebuilt.length).toBe(responseHead(answer).length);
    expect(rebuilt).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(rebuilt).toContain('X-Request-Head-Bytes: 517\r\n');
    expect(rebuilt.endsWith('\r\n\r\n')).toBe(true);
  });

  test("serverHttp records the exchange: the request head's size as the server told it, the body, the times", async () => {
    let clock = 100;
    const asked: string[] = [];
    const record = await serverHttp('http://127.0.0.1:5173/poll?since=2', {
      fetch: (async (url: string) => {
        asked.push(url);
        clock += 7;
        return asResponse(answer);
      }) as typeof fetch,
      now: () => clock,
    });
    expect(asked).toEqual(['http://127.0.0.1:5173/poll?since=2']);
    expect(record).toEqual({
      url: 'http://127.0.0.1:5173/poll?since=2',
      method: 'GET',
      sent: 100,
      received: 107,
      status: 200,
      requestHeadBytes: 517,
      responseHead: headOf(asResponse(answer)),
      responseHeadBytes: responseHead(answer).length,
      body: '{}',
    });
  });

  test('a server that does not say the size (not ours) counts 0 request bytes rather than a guess', async () => {
    const plain = { ...answer, headers: answer.headers.slice(1) };
    const record = await serverHttp('http://x/poll', {
      fetch: (async () => asResponse(plain)) as typeof fetch,
    });
    expect(record.requestHeadBytes).toBe(0);
  });

  test('a refused fetch rejects as fetch does (nothing is recorded by the caller)', async () => {
    const refused = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(serverHttp('http://x/poll', { fetch: refused })).rejects.toThrow('Failed to fetch');
  });
});

test("httpUrl turns an endpoint's ws: URL into the same place over http:", () => {
  expect(httpUrl('ws://127.0.0.1:5173/base/poll?since=1')).toBe('http://127.0.0.1:5173/base/poll?since=1');
  expect(httpUrl('wss://example.org/poll')).toBe('https://example.org/poll');
});
