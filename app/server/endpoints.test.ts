/** Every endpoint (app/services/README.md, "Endpoints") through the `ws` package as the client. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createServices } from '../services/index.ts';
import type { Service } from '../services/service.ts';
import {
  closed,
  inboxOf,
  openWs,
  RawClient,
  requestHead,
  sleep,
  startTestServer,
  testServers,
  withTimeout,
  wsUrl,
} from './test-helpers.ts';

const servers = testServers();
const start = servers.start;

async function client(
  path: string,
  protocols?: string | string[],
  options?: ConstructorParameters<typeof WebSocket>[2],
): Promise<WebSocket> {
  const ws = await openWs(wsUrl(servers.current, path), protocols, options);
  servers.later(() => ws.terminate());
  return ws;
}

describe('/echo', () => {
  it('echoes text as text and binary as binary', async () => {
    await start();
    const ws = await client('/echo');
    const inbox = inboxOf(ws);
    ws.send('hello, wire');
    expect(await inbox.next()).toEqual({ data: 'hello, wire', isBinary: false });
    ws.send(Buffer.from([0, 1, 2, 255]));
    const bin = await inbox.next();
    expect(bin.isBinary).toBe(true);
    expect([...(bin.data as Buffer)]).toEqual([0, 1, 2, 255]);
    ws.send('');
    expect(await inbox.next()).toEqual({ data: '', isBinary: false });
  });

  it('changes no byte between the wire and the API: every valid message echoes byte for byte, a leading U+FEFF included', async () => {
    await start();
    const ws = await client('/echo');
    const replies: Array<{ bytes: Buffer; isBinary: boolean }> = [];
    let wake: (() => void) | undefined;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      replies.push({ bytes: data, isBinary });
      wake?.();
    });
    const reply = (): Promise<{ bytes: Buffer; isBinary: boolean }> =>
      withTimeout(
        new Promise((resolve) => {
          if (replies.length) return resolve(replies.shift()!);
          wake = () => resolve(replies.shift()!);
        }),
        3_000,
        'echo',
      );
    ws.send(Buffer.from('\uFEFFhello', 'utf8'), { binary: false });
    const bom = await reply();
    expect(bom.bytes.length).toBe(8);
    expect(bom.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .tuple(fc.constantFrom('', '\uFEFF'), fc.string({ unit: 'binary' }))
            .map(([b, s]) => ({ binary: false, bytes: Buffer.from(b + s, 'utf8') })),
          fc.uint8Array({ maxLength: 300 }).map((u) => ({ binary: true, bytes: Buffer.from(u) })),
        ),
        async ({ binary, bytes }) => {
          ws.send(bytes, { binary });
          const back = await reply();
          expect(back.isBinary).toBe(binary);
          expect(back.bytes.equals(bytes)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('echoes a message sent in fragments as one message, multi-byte UTF-8 split across them', async () => {
    await start();
    const ws = await client('/echo');
    const inbox = inboxOf(ws);
    const text = 'héllo 🌍 wörld';
    const bytes = Buffer.from(text, 'utf8');
    // Split inside the 4-byte emoji: the fragments are not valid UTF-8 on their own.
    const cut = bytes.indexOf(0xf0) + 2;
    ws.send(bytes.subarray(0, cut), { binary: false, fin: false });
    ws.send(bytes.subarray(cut), { binary: false, fin: true });
    expect(await inbox.next()).toEqual({ data: text, isBinary: false });
  });

  it('answers a ping with a pong carrying the same data (5.5.3)', async () => {
    await start();
    const ws = await client('/echo');
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping(Buffer.from('are you there?'));
    expect((await withTimeout(pong, 2_000, 'pong')).toString()).toBe('are you there?');
  });

  it('answers a close with the same code and reason', async () => {
    await start();
    const ws = await client('/echo');
    ws.close(4001, 'see you');
    expect(await closed(ws)).toEqual({ code: 4001, reason: 'see you' });
  });

  it('answers an empty close with an empty one (the client sees 1005)', async () => {
    await start();
    const ws = await client('/echo');
    ws.close();
    expect(await closed(ws)).toEqual({ code: 1005, reason: '' });
  });

  it('picks the first of the client’s subprotocols it supports', async () => {
    await start();
    expect((await client('/echo', ['mqtt', 'json', 'chat'])).protocol).toBe('json');
    expect((await client('/echo', ['superchat', 'chat'])).protocol).toBe('superchat');
    expect((await client('/echo', ['chat'])).protocol).toBe('chat');
  });

  it('accepts without a subprotocol when it supports none of the offers', async () => {
    await start();
    // ws rejects a 101 without the protocol it asked for, so check the raw answer instead.
    const { RawClient } = await import('./test-helpers.ts');
    const raw = await RawClient.connect(servers.current.port);
    const { requestHead } = await import('./test-helpers.ts');
    raw.write(requestHead('/echo', servers.current.port, { 'Sec-WebSocket-Protocol': 'mqtt, stomp' }));
    const head = await raw.readHead();
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).not.toContain('sec-websocket-protocol');
    raw.destroy();
  });

  it('echoes a message of exactly 1 MiB and fails one byte over with 1009', async () => {
    await start();
    const ws = await client('/echo');
    const inbox = inboxOf(ws);
    const mib = Buffer.alloc(1024 * 1024, 7);
    ws.send(mib);
    const back = await inbox.next(10_000);
    expect((back.data as Buffer).equals(mib)).toBe(true);
    ws.send(Buffer.alloc(1024 * 1024 + 1, 7));
    expect((await closed(ws)).code).toBe(1009);
  });

  it('counts a fragmented message against the limit as a whole (1009)', async () => {
    await start({ maxMessageSize: 1000 });
    const ws = await client('/echo');
    ws.send(Buffer.alloc(600), { fin: false });
    ws.send(Buffer.alloc(600), { fin: true });
    expect((await closed(ws)).code).toBe(1009);
  });

  it('does not rate-limit by default: 2000 messages in a burst all come back', async () => {
    await start();
    const ws = await client('/echo');
    const inbox = inboxOf(ws);
    for (let i = 0; i < 2000; i++) ws.send(`m${i}`);
    for (let i = 0; i < 2000; i++) expect((await inbox.next()).data).toBe(`m${i}`);
  });

  it('closes with 1008 over an opt-in ?rate=10 and not under it', async () => {
    await start();
    const slow = await client('/echo?rate=10');
    const slowInbox = inboxOf(slow);
    for (let i = 0; i < 5; i++) slow.send(`ok${i}`);
    for (let i = 0; i < 5; i++) expect((await slowInbox.next()).data).toBe(`ok${i}`);
    const fast = await client('/echo?rate=10');
    const fastClosed = closed(fast);
    for (let i = 0; i < 30; i++) fast.send(`flood${i}`);
    const c = await fastClosed;
    expect(c.code).toBe(1008);
    expect(c.reason).toBe('POLICY_VIOLATION');
    expect(slow.readyState).toBe(WebSocket.OPEN);
  });

  it('applies a server-wide rate option, which a query may tighten but not lift', async () => {
    await start({ rate: 5 });
    const ws = await client('/echo?rate=1000');
    const c = closed(ws);
    for (let i = 0; i < 20; i++) ws.send('x');
    expect((await c).code).toBe(1008);
  });
});

describe('/chat', () => {
  it('broadcasts every message to every member, the sender included', async () => {
    await start();
    const a = await client('/chat');
    const ai = inboxOf(a);
    const b = await client('/chat');
    const bi = inboxOf(b);
    const c = await client('/chat');
    const ci = inboxOf(c);
    b.send('hello from b');
    for (const inbox of [ai, bi, ci]) expect((await inbox.nextData()).data).toBe('hello from b');
    a.send(Buffer.from([9, 9]));
    for (const inbox of [ai, bi, ci]) {
      const m = await inbox.nextData();
      expect(m.isBinary).toBe(true);
      expect([...(m.data as Buffer)]).toEqual([9, 9]);
    }
  });

  it('sends presence counts on join and leave', async () => {
    await start();
    const a = await client('/chat');
    const ai = inboxOf(a);
    expect(JSON.parse((await ai.next()).data as string)).toMatchObject({ type: 'presence', online: 1 });
    const b = await client('/chat');
    expect(JSON.parse((await ai.next()).data as string)).toMatchObject({ type: 'presence', online: 2 });
    b.close();
    expect(JSON.parse((await ai.next()).data as string)).toMatchObject({ type: 'presence', online: 1 });
  });

  it('replays the recent history to a newcomer', async () => {
    await start();
    const a = await client('/chat');
    const ai = inboxOf(a);
    for (let i = 0; i < 25; i++) a.send(`line ${i}`);
    for (let i = 0; i < 25; i++) expect((await ai.nextData()).data).toBe(`line ${i}`);
    const b = await client('/chat');
    const bi = inboxOf(b);
    // The last 20, oldest first, before anything else.
    for (let i = 5; i < 25; i++) expect((await bi.next()).data).toBe(`line ${i}`);
    expect(JSON.parse((await bi.next()).data as string)).toMatchObject({ type: 'presence', online: 2 });
  });

  it('keeps one room per server', async () => {
    await start();
    const first = servers.current;
    const other = await startTestServer();
    try {
      const a = await client('/chat');
      const ai = inboxOf(a);
      const b = await openWs(wsUrl(other, '/chat'));
      servers.later(() => b.terminate());
      const bi = inboxOf(b);
      a.send('only here');
      expect((await ai.nextData()).data).toBe('only here');
      await sleep(100);
      expect(bi.messages.filter((m) => m.data === 'only here')).toHaveLength(0);
      expect(first.playground.connections).toBe(1);
    } finally {
      await other.stop();
    }
  });
});

describe('/ticker', () => {
  it('pushes JSON quotes on its own, one per interval', async () => {
    await start();
    const ws = await client('/ticker?interval=100');
    const inbox = inboxOf(ws);
    const started = Date.now();
    const quotes = [];
    for (let i = 0; i < 4; i++) quotes.push(JSON.parse((await inbox.next()).data as string));
    const elapsed = Date.now() - started;
    expect(quotes.map((q) => q.seq)).toEqual([1, 2, 3, 4]);
    for (const q of quotes) {
      expect(q).toMatchObject({ type: 'quote' });
      expect(typeof q.symbol).toBe('string');
      expect(typeof q.price).toBe('number');
    }
    // The first right away, then one per 100 ms.
    expect(elapsed).toBeGreaterThanOrEqual(250);
  });

  it('sends one quote per second by default', async () => {
    await start();
    const ws = await client('/ticker');
    const inbox = inboxOf(ws);
    await inbox.next();
    const t0 = Date.now();
    await inbox.next(2_500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });
});

describe('/close', () => {
  it('closes with the code and reason asked for', async () => {
    await start();
    const ws = await client('/close?code=4000&reason=bye%20now');
    expect(await closed(ws)).toEqual({ code: 4000, reason: 'bye now' });
  });

  it('waits for the delay first', async () => {
    await start();
    const t0 = Date.now();
    const ws = await client('/close?code=1000&delay=300');
    const c = await closed(ws);
    expect(c.code).toBe(1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it('drops TCP without a close frame for drop=1 (the client sees 1006)', async () => {
    await start();
    const ws = await client('/close?drop=1&delay=50');
    expect((await closed(ws)).code).toBe(1006);
  });

  it('sends an empty close for code=none (the client sees 1005)', async () => {
    await start();
    const ws = await client('/close?code=none');
    expect((await closed(ws)).code).toBe(1005);
  });

  it('refuses to put a reserved code on the wire and says why with 1008', async () => {
    await start();
    const ws = await client('/close?code=1006');
    const c = await closed(ws);
    expect(c.code).toBe(1008);
    expect(c.reason).toContain('1006');
  });

  it('cuts a long reason to the 123 bytes a close frame can carry, on a character boundary', async () => {
    await start();
    const ws = await client(`/close?code=4001&reason=${encodeURIComponent('é'.repeat(100))}`);
    const c = await closed(ws);
    expect(c.code).toBe(4001);
    expect(c.reason).toBe('é'.repeat(61));
  });
});

describe('/heartbeat', () => {
  it('pings on the interval and keeps a client that answers', async () => {
    await start();
    const ws = await client('/heartbeat?interval=100');
    await sleep(450);
    expect(inboxOf(ws).pings).toBeGreaterThanOrEqual(4);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('terminates a client that misses its pong (it sees 1006)', async () => {
    await start();
    const ws = await client('/heartbeat?interval=100', undefined, { autoPong: false });
    const c = await closed(ws, 2_000);
    expect(c.code).toBe(1006);
    expect(inboxOf(ws).pings).toBe(1);
  });
});

describe('a plain HTTP request to an endpoint', () => {
  it('gets 426 Upgrade Required saying it is a WebSocket endpoint, with Upgrade: websocket, not the page', async () => {
    await start();
    for (const path of ['/echo', '/chat?room=x', '/__tap']) {
      const res = await fetch(`http://127.0.0.1:${servers.current.port}${path}`);
      expect(res.status).toBe(426);
      expect(res.headers.get('upgrade')).toBe('websocket');
      const body = await res.text();
      expect(body).toContain(`${path.replace(/\?.*/, '')} is a WebSocket endpoint`);
      expect(body).not.toContain('<html');
    }
    // Upgrade: websocket without Connection: Upgrade is no handshake either (4.1).
    const lone = await RawClient.connect(servers.current.port);
    lone.write(requestHead('/echo', servers.current.port, {}, ['Connection']));
    expect(await lone.readHead()).toMatch(
      /^HTTP\/1\.1 426 Upgrade Required\r\n(.*\r\n)*Upgrade: websocket\r\n/i,
    );
    lone.destroy();
    const head = await fetch(`http://127.0.0.1:${servers.current.port}/echo`, { method: 'HEAD' });
    expect(head.status).toBe(426);
  });

  it('leaves every other path to the site (the page, or its not-built notice)', async () => {
    await start();
    const res = await fetch(`http://127.0.0.1:${servers.current.port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('WebSocket Playground');
  });
});

describe('routing and the service API', () => {
  it('refuses an unknown path with 404', async () => {
    await start();
    await expect(openWs(wsUrl(servers.current, '/nope'))).rejects.toThrow('404');
  });

  it('hands services the query without the tap token', async () => {
    const services = new Map(createServices());
    const queryService: Service = {
      path: '/query',
      description: 'test',
      open(socket) {
        socket.sendText(socket.query.toString());
      },
    };
    services.set('/query', queryService);
    await start({ services });
    const ws = await client('/query?a=1&tap=AAAAAAAAAAAAAAAAAAAA&b=2');
    expect((await inboxOf(ws).next()).data).toBe('a=1&b=2');
  });

  it('closes with 1011 and nothing internal when a service throws', async () => {
    const services = new Map(createServices());
    services.set('/boom', {
      path: '/boom',
      description: 'test',
      open(socket) {
        socket.on('message', () => {
          throw new Error('secret internals');
        });
      },
    });
    await start({ services });
    const ws = await client('/boom');
    ws.send('x');
    const c = await closed(ws);
    expect(c.code).toBe(1011);
    expect(c.reason).not.toContain('secret');
    // The server is fine.
    const echo = await client('/echo');
    const inbox = inboxOf(echo);
    echo.send('still here');
    expect((await inbox.next()).data).toBe('still here');
  });

  it('closes every socket with 1001 on stop', async () => {
    await start();
    const a = await client('/echo');
    const b = await client('/chat');
    const ca = closed(a);
    const cb = closed(b);
    await servers.current.stop();
    expect((await ca).code).toBe(1001);
    expect((await cb).code).toBe(1001);
    expect(servers.current.playground.connections).toBe(0);
  });
});
