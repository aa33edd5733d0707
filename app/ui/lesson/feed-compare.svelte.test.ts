import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { HttpRecord } from '../../lessons/types.ts';
import { FeedColumn, feedCompareFor, type FeedHost } from './feed-compare.svelte.ts';

beforeEach(() => vi.useFakeTimers({ now: 10_000 }));
afterEach(() => vi.useRealTimers());

/** A feed with one update a second from t=10 000 (update n at 10 000 + n*1000), answering after 5 ms. */
function host(hold: boolean): FeedHost & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async fetchHttp(path, signal) {
      asked.push(path);
      const since = Number(/since=(\d+)/.exec(path)?.[1]);
      const sent = Date.now();
      const latest = () => Math.floor((Date.now() - 10_000) / 1000);
      await new Promise<void>((resolve, reject) => {
        const wait = hold && latest() <= since ? 10_000 + (since + 1) * 1000 - Date.now() : 5;
        const timer = setTimeout(resolve, wait);
        signal?.addEventListener(
          'abort',
          () => (clearTimeout(timer), reject(new DOMException('aborted', 'AbortError'))),
        );
      });
      const seq = latest();
      const updates = Array.from({ length: Math.max(0, seq - since) }, (_, i) => ({
        symbol: 'WSKT',
        price: 100,
        seq: since + i + 1,
        t: 10_000 + (since + i + 1) * 1000,
      }));
      const record: HttpRecord = {
        url: `http://h${path}`,
        method: 'GET',
        sent,
        received: Date.now(),
        status: 200,
        requestHeadBytes: 400,
        responseHead: '',
        responseHeadBytes: 200,
        body: JSON.stringify({ seq, updates }),
      };
      return record;
    },
    openSocket: () => undefined,
  };
}

test('polling asks on a fixed beat with since = the last seq, and counts as it goes', async () => {
  const h = host(false);
  const c = new FeedColumn('poll');
  c.start(h, 1000);
  expect(c.running).toBe(true);
  await vi.advanceTimersByTimeAsync(4_100);
  expect(h.asked).toEqual([
    '/poll?since=0',
    '/poll?since=0',
    '/poll?since=1',
    '/poll?since=2',
    '/poll?since=3',
  ]);
  expect(c.stats).toMatchObject({ requests: 5, headerBytes: 5 * 600, updates: 4, empty: 1, delayMs: 5 });
  expect(c.latest).toBe('WSKT 100.00');
  c.stop();
  await vi.advanceTimersByTimeAsync(3_000);
  expect(h.asked).toHaveLength(5);
  expect(c.running).toBe(false);
});

test('long polling asks again as soon as an answer arrives; the held answers are never empty', async () => {
  const h = host(true);
  const c = new FeedColumn('long-poll');
  c.start(h, 1000);
  await vi.advanceTimersByTimeAsync(4_500);
  c.stop();
  expect(h.asked.slice(0, 3)).toEqual(['/long-poll?since=0', '/long-poll?since=1', '/long-poll?since=2']);
  expect(c.stats).toMatchObject({ updates: 4, empty: 0 });
  expect(c.stats.delayMs).toBeLessThan(10);
});

test('Start begins a new run from zero; a failed request stops the column and says why', async () => {
  const h = host(false);
  const c = new FeedColumn('poll');
  c.start(h, 1000);
  await vi.advanceTimersByTimeAsync(1_100);
  c.stop();
  c.start({ ...h, fetchHttp: () => Promise.reject(new TypeError('Failed to fetch')) }, 1000);
  await vi.advanceTimersByTimeAsync(10);
  expect(c.records).toEqual([]);
  expect(c.running).toBe(false);
  expect(c.error).toBe('the request failed: Failed to fetch');
});

test('the WebSocket column says so when the lab cannot open a socket yet', () => {
  const c = new FeedColumn('websocket');
  c.start(host(false), 1000);
  expect(c.running).toBe(false);
  expect(c.error).toBe('the lab is not ready yet: try again in a moment');
});

test('one comparison per player, shared by every step that shows it; it stops once none is shown', async () => {
  const owner = {};
  const a = feedCompareFor(owner);
  expect(feedCompareFor(owner)).toBe(a);
  const h = host(false);
  const hide = a.shown();
  a.columns.poll.start(h, 1000);
  const hideNext = a.shown(); // the next step's widget appears as this one leaves
  hide();
  await vi.advanceTimersByTimeAsync(10);
  expect(a.columns.poll.running).toBe(true);
  hideNext();
  await vi.advanceTimersByTimeAsync(10);
  expect(a.columns.poll.running).toBe(false);
});
