import { describe, expect, test } from 'vitest';
import { apiEvents, closeOf, framesOf, handshakeOf } from './kit.ts';
import { recordLoopback, recordProbe } from './recorder.ts';
import { traceFromJson, traceToJson } from './trace-json.ts';

describe('recordLoopback', () => {
  test('records what the lab records: handshake, frames both ways, API events, close', async () => {
    const trace = await recordLoopback((lab) => {
      const ws = lab.open('/echo');
      ws.onopen = () => ws.send('hello');
      ws.onmessage = () => ws.close(1000, 'done');
    });
    expect(trace.connections).toHaveLength(1);
    const conn = trace.connections[0]!;
    const hs = handshakeOf(conn);
    // Lessons connect without permessage-deflate (uncompressedUrl), so frames show their bytes as sent.
    expect(hs.request?.startLine).toBe('GET /echo?deflate=0 HTTP/1.1');
    expect(hs.response?.status).toBe(101);
    expect(framesOf(conn).map((f) => `${f.from} ${f.summary}`)).toEqual([
      'client TEXT "hello" · 5 B · masked',
      'server TEXT "hello" · 5 B',
      'client CLOSE 1000 Normal Closure "done" · masked',
      'server CLOSE 1000 Normal Closure "done"',
    ]);
    expect(framesOf(conn, 'client')[0]!.maskKey).toHaveLength(4);
    expect(apiEvents(conn, 'message').map((m) => m.data)).toEqual(['hello']);
    expect(closeOf(conn)).toMatchObject({ code: 1000, reason: 'done', wasClean: true });
  });

  test('a trace survives its JSON form byte for byte', async () => {
    const trace = await recordLoopback((lab) => {
      const ws = lab.open('/echo');
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => ws.send(Uint8Array.of(1, 2, 3));
      lab.input('frame', '81 00');
    });
    const back = traceFromJson(traceToJson(trace));
    expect(back).toEqual(trace);
  });
});

describe('recordLoopback: plain HTTP (the polling lesson)', () => {
  test('lab.fetch answers from the in-page feed and joins trace.http with both heads and the body', async () => {
    const trace = await recordLoopback(async (lab) => {
      await lab.wait(2500);
      const first = await lab.fetch('/poll?since=0');
      expect(JSON.parse(first.body)).toMatchObject({ seq: 3 });
      await lab.fetch('/long-poll?since=3');
    });
    const [poll, held] = trace.http ?? [];
    expect(poll).toMatchObject({ url: 'http://playground.local/poll?since=0', method: 'GET', status: 200 });
    expect(poll!.requestHead).toMatch(/^GET \/poll\?since=0 HTTP\/1\.1\r\n/);
    expect(poll!.requestHeadBytes).toBe(new TextEncoder().encode(poll!.requestHead).length);
    expect(poll!.responseHead).toContain(`X-Request-Head-Bytes: ${poll!.requestHeadBytes}\r\n`);
    expect(poll!.responseHeadBytes).toBe(poll!.responseHead.length);
    // The long poll is held until update 4 happens (3 s after the network started).
    const t4 = poll!.sent - 2500 + 3000;
    expect(JSON.parse(held!.body)).toMatchObject({ seq: 4, updates: [{ seq: 4, t: t4 }] });
    expect(held!.sent).toBeLessThan(t4);
    expect(held!.received).toBeGreaterThanOrEqual(t4);
  });

  test('a trace without HTTP has no http field, and one with it survives JSON', async () => {
    expect((await recordLoopback(() => {})).http).toBeUndefined();
    const trace = await recordLoopback(async (lab) => void (await lab.fetch('/poll')));
    expect(traceFromJson(traceToJson(trace))).toEqual(trace);
  });

  test('a path the feed does not serve fails as fetch does (TypeError), and is not recorded', async () => {
    let error: unknown;
    const trace = await recordLoopback(async (lab) => {
      await lab.fetch('/echo').catch((e: unknown) => (error = e));
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(trace.http).toBeUndefined();
  });
});

describe('traceFromJson: http', () => {
  const file = (http: unknown) =>
    JSON.stringify({
      format: 'websocket-playground-trace',
      version: 1,
      mode: 'server',
      connections: [],
      http,
    });
  const record = {
    url: 'http://127.0.0.1:5173/poll?since=1',
    method: 'GET',
    sent: 10,
    received: 12,
    status: 200,
    requestHeadBytes: 480,
    responseHead: 'HTTP/1.1 200 OK\r\n\r\n',
    responseHeadBytes: 19,
    body: '{}',
  };

  test('reads a server-mode record (no request head: the browser wrote it)', () => {
    expect(traceFromJson(file([record])).http).toEqual([record]);
  });

  test('says which record and which field is wrong', () => {
    expect(() => traceFromJson(file({}))).toThrow('trace: "http" should be an array');
    expect(() => traceFromJson(file([record, { ...record, sent: 'soon' }]))).toThrow(
      'http 1: "sent" should be a number ≥ 0',
    );
    expect(() => traceFromJson(file([{ ...record, body: 3 }]))).toThrow('http 0: "body" should be a string');
    expect(() => traceFromJson(file([{ ...record, requestHead: 1 }]))).toThrow(
      'http 0: "requestHead" should be a string',
    );
  });
});

test('events carry the virtual clock, in order', async () => {
  const trace = await recordLoopback((lab) => {
    const ws = lab.open('/echo');
    ws.onopen = () => ws.send('x');
  });
  const times = trace.connections[0]!.events.map((e) => e.t);
  expect(times).toEqual([...times].sort((a, b) => a - b));
});

test('a walk can wait for what it expects, and is told when it never comes', async () => {
  const trace = await recordLoopback(async (lab) => {
    const ws = lab.open('/echo');
    await lab.until(() => ws.readyState === 1);
    ws.send('one');
    await lab.wait(50);
    ws.close();
    await lab.until(() => ws.readyState === 3);
  });
  expect(trace.connections[0]!.events.some((e) => e.kind === 'api' && e.type === 'close')).toBe(true);
  await expect(
    recordLoopback(async (lab) => {
      lab.open('/echo');
      await lab.until(() => false, 100);
    }),
  ).rejects.toThrow('still waiting after 100 ms');
});

test("the request line a check reads has no tap token (the server's mirror, not the learner's)", async () => {
  const { handshakeOf } = await import('./kit.ts');
  const { connection, opened } = await import('./testing.ts');
  const request = 'GET /echo?tap=abcDEF123&x=1 HTTP/1.1\r\nHost: h\r\n\r\n';
  expect(
    handshakeOf(connection('c1', 'ws://h/echo', opened(0, 'ws://h/echo', { request }))).request?.startLine,
  ).toBe('GET /echo?x=1 HTTP/1.1');
  const only = 'GET /echo?tap=abc HTTP/1.1\r\nHost: h\r\n\r\n';
  expect(
    handshakeOf(connection('c1', 'ws://h/echo', opened(0, 'ws://h/echo', { request: only }))).request
      ?.startLine,
  ).toBe('GET /echo HTTP/1.1');
});

describe('recordProbe', () => {
  test("records the sockets a probe drives, with what it returns first, every one as the probe's", async () => {
    const trace = await recordProbe(async (kit) => {
      const first = await kit.open('ws://playground.local/echo');
      const a = kit.connect('ws://playground.local/chat');
      const b = kit.connect('ws://playground.local/chat');
      const got: string[] = [];
      b.addEventListener('message', (e) => got.push(String((e as MessageEvent).data)));
      expect(await kit.until(() => a.readyState === 1 && b.readyState === 1)).toBe(true);
      a.send('from a');
      expect(await kit.until(() => got.includes('from a'))).toBe(true);
      expect(await kit.until(() => false, 50)).toBe(false);
      return [first];
    });
    expect(trace.connections.map((c) => [c.id, new URL(c.url).pathname, c.origin])).toEqual([
      ['probe1', '/echo', 'probe'],
      ['probe2', '/chat', 'probe'],
      ['probe3', '/chat', 'probe'],
    ]);
    // Left open by the probe, each was closed with 1000 when it ended.
    for (const conn of trace.connections) expect(closeOf(conn)).toMatchObject({ code: 1000, wasClean: true });
    const b = trace.connections[2]!;
    expect(apiEvents(b, 'message').map((m) => m.data)).toContain('from a');
  });

  test('a probe may pose as another site: its Origin header is the one it asks for', async () => {
    const trace = await recordProbe(
      async (kit) => [
        await kit.open('ws://playground.local/echo'),
        await kit.open('ws://playground.local/echo', { origin: 'https://evil.example' }),
      ],
      { origin: 'http://localhost:5173' },
    );
    expect(trace.connections.map((c) => handshakeOf(c).request?.headers.origin)).toEqual([
      'http://localhost:5173',
      'https://evil.example',
    ]);
  });
});
