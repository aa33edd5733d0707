import { describe, expect, test } from 'vitest';
import { browserRequestHead, exchange, loopbackFetch } from './http.ts';
import { rig } from './test-support.ts';

/** What the Node server writes for the feed (app/server/feed.test.ts pins the same head on TCP). */
const nodeHead = (request: string, length: number): string =>
  `HTTP/1.1 200 OK\r\nX-Request-Head-Bytes: ${new TextEncoder().encode(request).length}\r\n` +
  'Content-Type: application/json\r\nCache-Control: no-store\r\n' +
  `X-WebSocket-Playground: 1\r\nContent-Length: ${length}\r\nConnection: keep-alive\r\n\r\n`;

async function settle<T>(r: ReturnType<typeof rig>, p: Promise<T>, ms = 100): Promise<T> {
  let out: { v: T } | undefined;
  let error: unknown;
  void p.then(
    (v) => (out = { v }),
    (e: unknown) => (error = e ?? new Error('rejected')),
  );
  for (let i = 0; i < ms / 10 && !out && !error; i++) {
    r.run(10);
    await Promise.resolve();
    await Promise.resolve();
  }
  if (error) throw error;
  if (!out) throw new Error(`not settled within ${ms} ms`);
  return out.v;
}

describe('plain HTTP on the virtual network (the why-WebSockets lesson)', () => {
  test("GET /poll answers with the Node server's head, byte for byte, and a JSON body of updates", async () => {
    const r = rig();
    const x = await settle(r, exchange('http://playground.local/poll?since=0', {}, r.network));
    const body = await x.response.text();
    expect(x.responseHead).toBe(nodeHead(x.requestHead, new TextEncoder().encode(body).length));
    expect(x.requestHead).toBe(browserRequestHead('GET', new URL('http://playground.local/poll?since=0')));
    expect(x.response.status).toBe(200);
    expect(x.response.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(body)).toMatchObject({ seq: 1, updates: [{ type: 'quote', seq: 1 }] });
  });

  test("the request head is a same-origin GET as Chromium writes it, on the request's path and query", () => {
    const head = browserRequestHead('GET', new URL('http://playground.local/poll?since=4'));
    expect(head.startsWith('GET /poll?since=4 HTTP/1.1\r\nHost: playground.local\r\n')).toBe(true);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    expect(head).toContain('\r\nUser-Agent: ');
  });

  test('a long poll is held until the next update; each way pays the link latency', async () => {
    const r = rig({ conditions: { latencyMs: 40 } });
    r.run(300);
    const x = await settle(r, exchange('http://playground.local/long-poll?since=1', {}, r.network), 2_000);
    // Sent at +300, arrived at the server at +340, the update at +1000, back at +1040.
    expect(x.received - x.sent).toBe(740);
    expect(JSON.parse(await x.response.text())).toMatchObject({ seq: 2, updates: [{ seq: 2 }] });
  });

  test('loopbackFetch gives a Response, as fetch does', async () => {
    const r = rig();
    const res = await settle(r, loopbackFetch('http://playground.local/poll', {}, r.network));
    expect(res).toBeInstanceOf(Response);
    expect(res.ok).toBe(true);
  });

  test('a path that is not the feed, or a host not on the network, fails as a refused connection (TypeError)', async () => {
    const r = rig();
    await expect(exchange('http://playground.local/echo', {}, r.network)).rejects.toThrow(TypeError);
    await expect(exchange('http://elsewhere.test/poll', {}, r.network)).rejects.toThrow(
      /only on \/poll and \/long-poll/,
    );
  });

  test('an aborted long poll rejects with AbortError and leaves no timer', async () => {
    const r = rig();
    const controller = new AbortController();
    const p = exchange('http://playground.local/long-poll?since=1', { signal: controller.signal }, r.network);
    r.run(10);
    controller.abort();
    await expect(p).rejects.toThrow(/aborted/);
    r.run(2_000);
  });
});
