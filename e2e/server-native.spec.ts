/**
 * Chromium's own WebSocket against our Node server: the outside peer that matters most.
 * Each test starts its own standalone server (app/server) on 127.0.0.1:0, opens a page from it
 * (same origin, like `npm run serve`), and drives native sockets with page.evaluate. The byte tap
 * shows what Chromium put on the wire: its masking keys, its pongs.
 */
import { expect, test, type Page } from '@playwright/test';
import { startStandalone, type Standalone } from '../app/server/standalone.ts';

let server: Standalone;

test.beforeEach(async () => {
  server = await startStandalone({
    host: '127.0.0.1',
    port: 0,
    root: '/nonexistent-e2e-root',
    closeTimeout: 1_000,
  });
});

test.afterEach(async () => {
  await server.stop();
});

async function open(page: Page): Promise<string> {
  await page.goto(server.httpUrl);
  return `ws://127.0.0.1:${server.port}`;
}

test('opens, echoes text and binary, and closes cleanly', async ({ page }) => {
  const base = await open(page);
  const result = await page.evaluate(async (url) => {
    const states: number[] = [];
    const ws = new WebSocket(`${url}/echo`);
    ws.binaryType = 'arraybuffer';
    states.push(ws.readyState);
    const next = () => new Promise<MessageEvent>((r) => ws.addEventListener('message', r, { once: true }));
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    states.push(ws.readyState);
    ws.send('héllo 🌍');
    const text = (await next()).data as string;
    ws.send(new Uint8Array([0, 1, 254, 255]));
    const bin = [...new Uint8Array((await next()).data as ArrayBuffer)];
    const closed = new Promise<CloseEvent>((r) => ws.addEventListener('close', r, { once: true }));
    ws.close(4100, 'done here');
    states.push(ws.readyState);
    const c = await closed;
    states.push(ws.readyState);
    return { states, text, bin, code: c.code, reason: c.reason, wasClean: c.wasClean };
  }, base);
  expect(result).toEqual({
    states: [0, 1, 2, 3],
    text: 'héllo 🌍',
    bin: [0, 1, 254, 255],
    code: 4100,
    reason: 'done here',
    wasClean: true,
  });
});

test('negotiates the first subprotocol the server supports', async ({ page }) => {
  const base = await open(page);
  const protocol = await page.evaluate(async (url) => {
    const ws = new WebSocket(`${url}/echo`, ['mqtt', 'json', 'chat']);
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    const p = ws.protocol;
    ws.close();
    return p;
  }, base);
  expect(protocol).toBe('json');
});

test('shows the server’s close code and reason, and 1006 when TCP is dropped', async ({ page }) => {
  const base = await open(page);
  const [custom, dropped] = await page.evaluate(async (url) => {
    const closeOf = (u: string) =>
      new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => {
        const ws = new WebSocket(u);
        ws.addEventListener('close', (e) =>
          resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }),
        );
      });
    return Promise.all([
      closeOf(`${url}/close?code=4000&reason=bye&delay=100`),
      closeOf(`${url}/close?drop=1&delay=100`),
    ]);
  }, base);
  expect(custom).toEqual({ code: 4000, reason: 'bye', wasClean: true });
  expect(dropped).toEqual({ code: 1006, reason: '', wasClean: false });
});

test('fails with 1009 over the 1 MiB limit', async ({ page }) => {
  const base = await open(page);
  const code = await page.evaluate(async (url) => {
    const ws = new WebSocket(`${url}/echo`);
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    const closed = new Promise<number>((r) => ws.addEventListener('close', (e) => r(e.code)));
    ws.send(new Uint8Array(1024 * 1024 + 1));
    return closed;
  }, base);
  expect(code).toBe(1009);
});

test('heartbeat: Chromium answers the pings (seen on the tap, masked with its own keys) and stays open', async ({
  page,
}) => {
  const base = await open(page);
  const result = await page.evaluate(async (url) => {
    const token = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    const events: Array<Record<string, unknown>> = [];
    const tap = new WebSocket(`${url}/__tap?token=${token}`);
    tap.addEventListener('message', (e) => events.push(JSON.parse(e.data as string)));
    await new Promise((r) => tap.addEventListener('open', r, { once: true }));
    // deflate=0: the test reads the text of Chromium's frames from the tap.
    const ws = new WebSocket(`${url}/heartbeat?interval=200&deflate=0&tap=${token}`);
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    ws.send('masked by chromium');
    await new Promise((r) => setTimeout(r, 900));
    const state = ws.readyState;
    ws.close();
    await new Promise((r) => setTimeout(r, 200));
    tap.close();
    const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const frames = events
      .filter((e) => e.kind === 'frame')
      .map((e) => {
        const b = bytesOf(e.bytes as string);
        const masked = (b[1]! & 0x80) !== 0;
        const len = b[1]! & 0x7f; // all frames here are short
        const key = masked ? b.subarray(2, 6) : new Uint8Array(4);
        const payload = b.subarray(masked ? 6 : 2, (masked ? 6 : 2) + len).map((x, i) => x ^ key[i & 3]!);
        return {
          from: e.from,
          opcode: b[0]! & 0x0f,
          masked,
          key: [...key],
          text: new TextDecoder().decode(payload),
        };
      });
    return {
      state,
      frames,
      request: (events.find((e) => e.kind === 'handshake' && e.from === 'client')?.text as string) ?? '',
    };
  }, base);
  expect(result.state).toBe(1);
  const pings = result.frames.filter((f) => f.from === 'server' && f.opcode === 0x9);
  const pongs = result.frames.filter((f) => f.from === 'client' && f.opcode === 0xa);
  expect(pings.length).toBeGreaterThanOrEqual(4);
  expect(pongs.map((p) => p.text)).toEqual(pings.slice(0, pongs.length).map((p) => p.text));
  expect(pongs.length).toBeGreaterThanOrEqual(pings.length - 1);
  // Every client frame is masked (5.1), with a key Chromium chose; server frames are not.
  const fromClient = result.frames.filter((f) => f.from === 'client');
  expect(fromClient.every((f) => f.masked)).toBe(true);
  expect(result.frames.filter((f) => f.from === 'server').every((f) => !f.masked)).toBe(true);
  expect(fromClient.find((f) => f.opcode === 0x1)?.text).toBe('masked by chromium');
  expect(new Set(fromClient.map((f) => f.key.join(','))).size).toBeGreaterThan(1);
  // The request the tap shows is Chromium's own.
  expect(result.request).toMatch(/^GET \/heartbeat\?interval=200&deflate=0&tap=[\w-]+ HTTP\/1\.1\r\n/);
  expect(result.request).toMatch(/\r\nSec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r\n/i);
  expect(result.request).toMatch(/\r\nUser-Agent: [^\r]*Chrome/i);
});

test('a chat room across two pages', async ({ browser }) => {
  const a = await browser.newPage();
  const b = await browser.newPage();
  const base = await open(a);
  await b.goto(server.httpUrl);
  const join = (page: Page) =>
    page.evaluate(async (url) => {
      const ws = new WebSocket(`${url}/chat`);
      (window as unknown as { chat: WebSocket; got: string[] }).chat = ws;
      (window as unknown as { got: string[] }).got = [];
      ws.addEventListener('message', (e) =>
        (window as unknown as { got: string[] }).got.push(e.data as string),
      );
      await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    }, base);
  await join(a);
  await join(b);
  await b.evaluate(() => (window as unknown as { chat: WebSocket }).chat.send('hi from b'));
  for (const page of [a, b]) {
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { got: string[] }).got.includes('hi from b')))
      .toBe(true);
  }
  await expect
    .poll(() =>
      a.evaluate(() => (window as unknown as { got: string[] }).got.some((m) => m.includes('"online":2'))),
    )
    .toBe(true);
  await a.close();
  await b.close();
});
