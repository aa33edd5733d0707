import { describe, expect, test } from 'vitest';
import { compressedUrl, probeServer, serviceUrl, TransportChoice, uncompressedUrl } from './mode.ts';

describe('serviceUrl', () => {
  test('puts the service under the site base, on the page host, ws or wss by the page scheme', () => {
    expect(serviceUrl('/echo', 'http://localhost:5173/')).toBe('ws://localhost:5173/echo');
    expect(serviceUrl('/echo', 'http://host/playground/')).toBe('ws://host/playground/echo');
    expect(serviceUrl('/echo', 'https://host/playground/index.html')).toBe('wss://host/playground/echo');
    expect(serviceUrl('/close?code=4000', 'http://host/')).toBe('ws://host/close?code=4000');
    // No page (Node, file://): the loopback host.
    expect(serviceUrl('/echo', undefined)).toBe('ws://playground.local/echo');
    expect(serviceUrl('/echo', 'file:///tmp/index.html')).toBe('ws://playground.local/echo');
  });
});

describe('probeServer', () => {
  /** A fetch that answers HEAD requests with the given headers, and records what it was asked. */
  function fakeFetch(headers: Record<string, string> | 'fail' | 'hang') {
    const asked: { url: string; method?: string }[] = [];
    let bodiesRead = 0;
    const fn = ((url: string, init?: RequestInit) => {
      asked.push({ url, method: init?.method });
      if (headers === 'fail') return Promise.reject(new TypeError('Failed to fetch'));
      if (headers === 'hang')
        return new Promise((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      const response = new Response(null, { status: 200, headers });
      response.arrayBuffer = () => {
        bodiesRead++;
        return Promise.resolve(new ArrayBuffer(0));
      };
      return Promise.resolve(response);
    }) as typeof fetch;
    return { fn, asked, bodiesRead: () => bodiesRead };
  }

  test("true only when the page's server sends the playground header, asked with one HEAD", async () => {
    const ours = fakeFetch({ 'X-WebSocket-Playground': '1' });
    expect(await probeServer({ url: 'http://host/playground/index.html', fetch: ours.fn })).toBe(true);
    expect(ours.asked).toEqual([{ url: 'http://host/playground/', method: 'HEAD' }]);
    // Its empty body is read: Chromium reports an unread one as a failed request (ERR_ABORTED).
    expect(ours.bodiesRead()).toBe(1);
    const staticHost = fakeFetch({ 'Content-Type': 'text/html' });
    expect(await probeServer({ url: 'http://host/', fetch: staticHost.fn })).toBe(false);
  });

  test('false when the request fails or nothing answers in time, never throws', async () => {
    expect(await probeServer({ url: 'http://host/', fetch: fakeFetch('fail').fn })).toBe(false);
    const start = Date.now();
    expect(await probeServer({ url: 'http://host/', timeoutMs: 50, fetch: fakeFetch('hang').fn })).toBe(
      false,
    );
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
  });

  test('false with no http(s) page to ask', async () => {
    expect(await probeServer({ url: 'file:///tmp/index.html', fetch: fakeFetch({}).fn })).toBe(false);
    expect(await probeServer({})).toBe(false);
  });
});

describe('TransportChoice', () => {
  test('starts on the loopback, switches to the server when the probe finds one', async () => {
    const choice = new TransportChoice(async () => true);
    const seen: string[] = [];
    choice.subscribe((s) => seen.push(`${s.mode}/${String(s.serverAvailable)}`));
    expect(choice.mode).toBe('loopback');
    expect(await choice.detect()).toBe('server');
    expect(seen).toEqual(['loopback/undefined', 'server/true']);
  });

  test('stays on the loopback when no server answers, and probes only once', async () => {
    let probes = 0;
    const choice = new TransportChoice(async () => {
      probes++;
      return false;
    });
    expect(await Promise.all([choice.detect(), choice.detect()])).toEqual(['loopback', 'loopback']);
    expect(probes).toBe(1);
    expect(choice.state).toEqual({ mode: 'loopback', serverAvailable: false, pinned: false });
  });

  test("the learner's choice is pinned: a later probe does not override it; unpin follows the probe", async () => {
    let resolve!: (ok: boolean) => void;
    const choice = new TransportChoice(() => new Promise((r) => (resolve = r)));
    const detecting = choice.detect();
    choice.set('loopback');
    resolve(true);
    expect(await detecting).toBe('loopback');
    expect(choice.state).toEqual({ mode: 'loopback', serverAvailable: true, pinned: true });
    choice.unpin();
    expect(choice.state).toEqual({ mode: 'server', serverAvailable: true, pinned: false });
  });
});

describe('turning permessage-deflate off and on in a URL', () => {
  test.each([
    ['ws://h/echo', 'ws://h/echo?deflate=0'],
    ['ws://h/echo?a=1', 'ws://h/echo?a=1&deflate=0'],
    ['ws://h/echo?a=1#x', 'ws://h/echo?a=1&deflate=0#x'],
    ['ws://h/echo?deflate=0', 'ws://h/echo?deflate=0'],
  ])('uncompressedUrl(%s) is %s, and compressedUrl takes it back', (url, off) => {
    expect(uncompressedUrl(url)).toBe(off);
    expect(compressedUrl(uncompressedUrl(url))).toBe(url.replace(/[?&]deflate=0/, ''));
  });

  test('compressedUrl keeps the other parameters', () => {
    expect(compressedUrl('ws://h/echo?deflate=0&a=1')).toBe('ws://h/echo?a=1');
    expect(compressedUrl('ws://h/echo?a=1&deflate=0&b=2')).toBe('ws://h/echo?a=1&b=2');
  });
});
