/** /poll and /long-poll on the Node server: the bytes of the head are exactly the feed's. */
import { describe, expect, it } from 'vitest';
import { responseHead, type FeedAnswer } from '../services/feed.ts';
import { RawClient, testServers } from './test-helpers.ts';

const servers = testServers();

/** Sends one request on a fresh TCP connection and reads one response (head + Content-Length body). */
async function exchange(
  port: number,
  request: string,
): Promise<{ head: string; body: string; client: RawClient }> {
  const client = await RawClient.connect(port);
  client.write(request);
  await client.until((b) => b.includes('\r\n\r\n'), 3_000, 'a response head');
  const text = client.buffer.toString('latin1');
  const end = text.indexOf('\r\n\r\n') + 4;
  const head = text.slice(0, end);
  const length = Number(/\r\nContent-Length: (\d+)\r\n/.exec(head)?.[1] ?? 0);
  await client.until((b) => b.length >= end + length, 3_000, 'the body');
  return { head, body: client.buffer.subarray(end, end + length).toString('utf8'), client };
}

const get = (target: string, port: number) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: */*\r\n\r\n`;

describe('the polling feed on the Node server', () => {
  it("GET /poll: 200 with a head of exactly the feed's headers (no Date, no Keep-Alive of Node's own), saying the request head's size", async () => {
    const server = await servers.start();
    const request = get('/poll?since=0', server.port);
    const { head, body, client } = await exchange(server.port, request);
    client.socket.destroy();
    const parsed = JSON.parse(body) as { seq: number; updates: { seq: number }[] };
    expect(parsed.seq).toBeGreaterThanOrEqual(1);
    expect(parsed.updates.at(-1)!.seq).toBe(parsed.seq);
    const expected: FeedAnswer = {
      status: 200,
      reason: 'OK',
      headers: [
        ['X-Request-Head-Bytes', String(Buffer.byteLength(request))],
        ['Content-Type', 'application/json'],
        ['Cache-Control', 'no-store'],
        ['X-WebSocket-Playground', '1'],
        ['Content-Length', String(Buffer.byteLength(body))],
        ['Connection', 'keep-alive'],
      ],
      body: new Uint8Array(0),
    };
    expect(head).toBe(responseHead(expected));
  });

  it('keeps the connection open: a second poll on the same TCP connection is answered too', async () => {
    const server = await servers.start();
    const { client } = await exchange(server.port, get('/poll', server.port));
    const first = client.buffer.length;
    client.write(get('/poll?since=1', server.port));
    await client.until(
      (b) => b.length > first && b.subarray(first).includes('\r\n\r\n'),
      3_000,
      'a second answer',
    );
    expect(client.buffer.subarray(first).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    client.socket.destroy();
  });

  it('GET /long-poll with nothing new is held until the next update (under a second), then answered', async () => {
    const server = await servers.start();
    const first = await exchange(server.port, get('/poll', server.port));
    first.client.socket.destroy();
    const seq = (JSON.parse(first.body) as { seq: number }).seq;
    const t0 = Date.now();
    const { body, client } = await exchange(server.port, get(`/long-poll?since=${seq}`, server.port));
    client.socket.destroy();
    const waited = Date.now() - t0;
    expect((JSON.parse(body) as { updates: { seq: number }[] }).updates[0]!.seq).toBe(seq + 1);
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThan(1_500);
  });

  it('a held long poll whose client leaves is let go: its timer is cleared', async () => {
    const live = new Set<unknown>();
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        const id = setTimeout(() => (live.delete(id), fn()), ms);
        live.add(id);
        return id;
      },
      clearTimeout: (id: unknown) => (live.delete(id), clearTimeout(id as NodeJS.Timeout)),
      setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
      clearInterval: (id: unknown) => clearInterval(id as NodeJS.Timeout),
    };
    const server = await servers.start({ timers });
    const client = await RawClient.connect(server.port);
    client.write(get('/long-poll?since=999999', server.port));
    const deadline = Date.now() + 2_000;
    while (live.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(live.size, 'the long poll is held on a timer').toBe(1);
    client.socket.destroy();
    await client.ended;
    await new Promise((r) => setTimeout(r, 50));
    expect(live.size, 'no timer left once the client is gone').toBe(0);
  });

  it('POST /poll gets 405 with Allow: GET, HEAD', async () => {
    const server = await servers.start();
    const { head, client } = await exchange(
      server.port,
      `POST /poll HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
    );
    client.socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n/);
  });

  it('a WebSocket endpoint still gets its 426 for plain HTTP (the feed takes only its own paths)', async () => {
    const server = await servers.start();
    const { head, client } = await exchange(server.port, get('/ticker', server.port));
    client.socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 426 /);
  });
});
