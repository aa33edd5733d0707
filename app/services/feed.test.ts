import { describe, expect, test } from 'vitest';
import {
  createFeed,
  feedPath,
  LONG_POLL_MAX_MS,
  MAX_UPDATES,
  responseHead,
  type FeedAnswer,
} from './feed.ts';

/** A hand-moved clock with timers, so a long poll's wait is exact. */
function clock(start = 1_700_000_000_000) {
  let now = start;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  return {
    now: () => now,
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        timers.push({ at: now + ms, fn, id: ++ids });
        return ids;
      },
      clearTimeout: (h: unknown) => void (timers = timers.filter((t) => t.id !== h)),
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((t) => t.at <= now)) {
        timers = timers.filter((x) => x !== t);
        t.fn();
      }
    },
    pending: () => timers.length,
  };
}

const get = (path: string, since?: number) => ({
  method: 'GET',
  path,
  query: new URLSearchParams(since === undefined ? '' : `since=${since}`),
});
const body = (a: FeedAnswer) =>
  JSON.parse(new TextDecoder().decode(a.body)) as { seq: number; updates: { seq: number; t: number }[] };

describe('the feed', () => {
  test('one update per second from the start, each stamped with the time it happened', async () => {
    const c = clock();
    const feed = createFeed(c);
    expect(feed.latest(c.now())).toBe(1);
    c.advance(2_500);
    const a = await feed.answer(get('/poll', 0)).done;
    expect(body(a).seq).toBe(3);
    expect(body(a).updates.map((u) => [u.seq, u.t - 1_700_000_000_000])).toEqual([
      [1, 0],
      [2, 1_000],
      [3, 2_000],
    ]);
  });

  test('a poll answers at once, with only the updates after `since` (none when nothing is new)', async () => {
    const c = clock();
    const feed = createFeed(c);
    c.advance(1_200);
    expect(body(await feed.answer(get('/poll', 1)).done).updates.map((u) => u.seq)).toEqual([2]);
    expect(body(await feed.answer(get('/poll', 2)).done)).toEqual({ seq: 2, updates: [] });
  });

  test(`a client that was away gets the latest ${MAX_UPDATES} updates at most`, async () => {
    const c = clock();
    const feed = createFeed(c);
    c.advance(60_000);
    const updates = body(await feed.answer(get('/poll')).done).updates;
    expect(updates).toHaveLength(MAX_UPDATES);
    expect(updates.at(-1)!.seq).toBe(61);
  });

  test('the same update has the same quote every time it is asked for', () => {
    const c = clock();
    const feed = createFeed(c);
    expect(feed.quote(7)).toEqual(feed.quote(7));
    expect(feed.quote(7)).not.toEqual(feed.quote(8));
  });

  test('a long poll with nothing new is held until the next update, then answered with it', async () => {
    const c = clock();
    const feed = createFeed(c);
    c.advance(300);
    let answer: FeedAnswer | undefined;
    void feed.answer(get('/long-poll', 1)).done.then((a) => (answer = a));
    c.advance(650);
    await Promise.resolve();
    expect(answer).toBeUndefined();
    c.advance(50);
    await Promise.resolve();
    expect(body(answer!).updates.map((u) => u.seq)).toEqual([2]);
  });

  test('a long poll that is behind is answered at once', async () => {
    const c = clock();
    const feed = createFeed(c);
    c.advance(1_000);
    expect(body(await feed.answer(get('/long-poll', 1)).done).updates.map((u) => u.seq)).toEqual([2]);
  });

  test('a long poll waits at most LONG_POLL_MAX_MS, and a cancelled one leaves no timer', async () => {
    const c = clock();
    const feed = createFeed({ ...c, interval: 60_000 });
    let answer: FeedAnswer | undefined;
    void feed.answer(get('/long-poll', 1)).done.then((a) => (answer = a));
    c.advance(LONG_POLL_MAX_MS);
    await Promise.resolve();
    expect(body(answer!)).toEqual({ seq: 1, updates: [] });
    const held = feed.answer(get('/long-poll', 1));
    expect(c.pending()).toBe(1);
    held.cancel();
    expect(c.pending()).toBe(0);
  });

  test('another method gets 405 with Allow; HEAD gets the head without the body', async () => {
    const c = clock();
    const feed = createFeed(c);
    const post = await feed.answer({ method: 'POST', path: '/poll', query: new URLSearchParams() }).done;
    expect(post.status).toBe(405);
    expect(post.headers[0]).toEqual(['Allow', 'GET, HEAD']);
    const head = await feed.answer({ method: 'HEAD', path: '/poll', query: new URLSearchParams() }).done;
    const full = await feed.answer(get('/poll')).done;
    expect(head.body.length).toBe(0);
    expect(head.headers).toEqual(full.headers);
  });

  test('junk in `since` reads as 0', async () => {
    const c = clock();
    const feed = createFeed(c);
    for (const since of ['x', '-3', '1.5', ''])
      expect(
        body(await feed.answer({ method: 'GET', path: '/poll', query: new URLSearchParams({ since }) }).done)
          .updates,
      ).toHaveLength(1);
  });
});

describe('the response head', () => {
  test('is the status line, the headers in order and a blank line, with the body length in bytes', async () => {
    const c = clock();
    const a = await createFeed(c).answer(get('/poll')).done;
    const text = responseHead(a);
    expect(text).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n' +
        `X-WebSocket-Playground: 1\r\nContent-Length: ${a.body.length}\r\nConnection: keep-alive\r\n\r\n`,
    );
  });

  test('a request whose head size is known is told it first (X-Request-Head-Bytes); else no such header', async () => {
    const c = clock();
    const feed = createFeed(c);
    const told = await feed.answer({ ...get('/poll'), requestBytes: 412 }).done;
    expect(told.headers[0]).toEqual(['X-Request-Head-Bytes', '412']);
    const held = feed.answer({ ...get('/long-poll', 1), requestBytes: 99 }).done;
    c.advance(1_000);
    expect((await held).headers[0]).toEqual(['X-Request-Head-Bytes', '99']);
    const untold = await feed.answer(get('/poll')).done;
    expect(untold.headers.map(([name]) => name)).not.toContain('X-Request-Head-Bytes');
  });

  test('feedPath strips the site base and knows only the feed paths', () => {
    expect(feedPath('/poll', '/')).toBe('/poll');
    expect(feedPath('/site/long-poll', '/site')).toBe('/long-poll');
    expect(feedPath('/echo', '/')).toBeUndefined();
    expect(feedPath('/poll/x', '/')).toBeUndefined();
  });
});
