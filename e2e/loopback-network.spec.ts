/**
 * The virtual network's learner controls, in Chromium on real time: a slow link makes
 * bufferedAmount drain visibly, a dropped connection closes with 1006, a failed handshake
 * gives error then close 1006, and the page's own host is served under the default network.
 */
import { expect, test } from '@playwright/test';
import { inSuitePage } from './behaviour/suite-page.ts';

type Loopback = typeof import('../app/loopback/index.ts');

/** Imports app/loopback in the page (the dev server serves our sources as modules). */
const loopbackModule = '/app/loopback/index.ts';

test('on a slow link, bufferedAmount drains visibly at the bandwidth set', async ({ page }) => {
  const samples = await inSuitePage(page, () =>
    page.evaluate(async (path) => {
      const m = (await import(/* @vite-ignore */ path)) as Loopback;
      const network = new m.VirtualNetwork({ conditions: { latencyMs: 20, bandwidth: 50_000 } });
      const WS = m.bindNetwork(network);
      // deflate=0: 40,000 zeros compressed would cross at once.
      const ws = new WS('ws://playground.local/echo?deflate=0');
      await new Promise((r) => (ws.onopen = r));
      const start = performance.now();
      ws.send(new Uint8Array(40_000)); // 0.8 s at 50 kB/s
      const seen: Array<{ t: number; b: number }> = [{ t: 0, b: ws.bufferedAmount }];
      while (ws.bufferedAmount > 0 && performance.now() - start < 5_000) {
        await new Promise((r) => setTimeout(r, 50));
        seen.push({ t: Math.round(performance.now() - start), b: ws.bufferedAmount });
      }
      ws.close();
      return seen;
    }, loopbackModule),
  );
  expect(samples[0]?.b).toBe(40_000);
  const last = samples.at(-1)!;
  expect(last.b).toBe(0);
  // It took about 0.8 s, and passed through values in between.
  expect(last.t).toBeGreaterThan(600);
  expect(last.t).toBeLessThan(2_500);
  const between = samples.filter((s) => s.b > 0 && s.b < 40_000);
  expect(between.length).toBeGreaterThan(3);
  for (let i = 1; i < samples.length; i++) expect(samples[i]!.b).toBeLessThanOrEqual(samples[i - 1]!.b);
});

test('latency delays the open event by the TCP and HTTP round trips', async ({ page }) => {
  const ms = await inSuitePage(page, () =>
    page.evaluate(async (path) => {
      const m = (await import(/* @vite-ignore */ path)) as Loopback;
      const WS = m.bindNetwork(new m.VirtualNetwork({ conditions: { latencyMs: 100 } }));
      const start = performance.now();
      const ws = new WS('ws://playground.local/echo');
      await new Promise((r) => (ws.onopen = r));
      const t = performance.now() - start;
      ws.close();
      return t;
    }, loopbackModule),
  );
  // SYN, SYN-ACK, then the request and the response: four one-way trips.
  expect(ms).toBeGreaterThanOrEqual(390);
  expect(ms).toBeLessThan(1_500);
});

test('dropping a connection from the network closes it with 1006 and no error event', async ({ page }) => {
  const events = await inSuitePage(page, () =>
    page.evaluate(async (path) => {
      const m = (await import(/* @vite-ignore */ path)) as Loopback;
      const network = new m.VirtualNetwork();
      const ws = new (m.bindNetwork(network))('ws://playground.local/echo');
      const log: string[] = [];
      ws.onerror = () => log.push('error');
      await new Promise((r) => (ws.onopen = r));
      log.push(`connections ${network.connections().length}`);
      log.push(`dropped ${network.drop()}`);
      const e = await new Promise<CloseEvent>((r) => (ws.onclose = r));
      log.push(`close ${e.code} ${e.wasClean}`);
      log.push(`connections ${network.connections().length}`);
      return log;
    }, loopbackModule),
  );
  expect(events).toEqual(['connections 1', 'dropped 1', 'close 1006 false', 'connections 0']);
});

test('a handshake made to fail gives error, then close 1006, and the wire shows the refusal', async ({
  page,
}) => {
  const result = await inSuitePage(page, () =>
    page.evaluate(async (path) => {
      const m = (await import(/* @vite-ignore */ path)) as Loopback;
      const network = new m.VirtualNetwork();
      network.failHandshakes({ kind: 'status', status: 503 }, 1);
      const ws = new (m.bindNetwork(network))('ws://playground.local/echo');
      const log: string[] = [];
      ws.onerror = () => log.push(`error readyState=${ws.readyState}`);
      const e = await new Promise<CloseEvent>((r) => (ws.onclose = r));
      log.push(`close ${e.code} ${e.wasClean}`);
      // The server sees its TCP connection end a moment after the page's close event.
      const wire: string[] = [];
      const start = performance.now();
      while (!wire.includes('eof') && performance.now() - start < 2_000) {
        wire.length = 0;
        ws[m.WIRE].subscribe((w) =>
          wire.push(w.kind === 'handshake' ? `${w.from}: ${w.text.split('\r\n')[0]}` : w.kind),
        )();
        await new Promise((r) => setTimeout(r, 10));
      }
      return { log, wire };
    }, loopbackModule),
  );
  expect(result.log).toEqual(['error readyState=3', 'close 1006 false']);
  expect(result.wire).toEqual([
    'client: GET /echo HTTP/1.1',
    'server: HTTP/1.1 503 Service Unavailable',
    'eof',
  ]);
});

test("the default network answers on the page's own host, with the Origin header of the page", async ({
  page,
  baseURL,
}) => {
  const result = await inSuitePage(page, () =>
    page.evaluate(async (path) => {
      const m = (await import(/* @vite-ignore */ path)) as Loopback;
      const ws = new m.LoopbackWebSocket(`ws://${location.host}/echo`);
      const data = await new Promise<unknown>((resolve) => {
        ws.onopen = () => ws.send('same host');
        ws.onmessage = (e) => resolve(e.data);
      });
      ws.close();
      let request = '';
      ws[m.WIRE].subscribe((w) => {
        if (w.kind === 'handshake' && w.from === 'client') request = w.text;
      });
      return { data, request };
    }, loopbackModule),
  );
  expect(result.data).toBe('same host');
  expect(result.request).toContain(`Origin: ${new URL(baseURL!).origin}\r\n`);
  expect(result.request).toContain(`Host: ${new URL(baseURL!).host}\r\n`);
});

test('the lab transport: our hosts get a loopback socket with bytes, other hosts the browser socket without', async ({
  page,
}) => {
  const result = await inSuitePage(page, () =>
    page.evaluate(async (path) => {
      const m = (await import(/* @vite-ignore */ path)) as Loopback;
      const t = new m.LoopbackTransport();
      const ours = t.open(t.endpointUrl('/echo'), []);
      const other = t.open('ws://127.0.0.1:9/echo', []);
      const out = {
        oursIsLoopback: ours.socket instanceof m.LoopbackWebSocket,
        oursHasWire: ours.wire !== undefined,
        otherIsNative: other.socket instanceof WebSocket && !(other.socket instanceof m.LoopbackWebSocket),
        otherHasWire: other.wire !== undefined,
        note: /not on the in-page network/.test(other.wireNote ?? ''),
      };
      ours.socket.close();
      other.socket.close();
      return out;
    }, loopbackModule),
  );
  expect(result).toEqual({
    oursIsLoopback: true,
    oursHasWire: true,
    otherIsNative: true,
    otherHasWire: false,
    note: true,
  });
});

test("a host the URL standard forbids is a SyntaxError, though Chromium's URL parser percent-encodes it", async ({
  page,
}) => {
  const result = await inSuitePage(page, () =>
    page.evaluate(async (path) => {
      const m = (await import(/* @vite-ignore */ path)) as Loopback;
      const outcome = (fn: () => unknown): string => {
        try {
          fn();
          return 'accepted';
        } catch (error) {
          return (error as Error).name;
        }
      };
      return {
        parser: new URL('ws://foo bar.com/').host,
        loopback: outcome(() => new m.LoopbackWebSocket('ws://foo bar.com/')),
      };
    }, loopbackModule),
  );
  expect(result).toEqual({ parser: 'foo%20bar.com', loopback: 'SyntaxError' });
});
