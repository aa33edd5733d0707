import { describe, expect, test } from 'vitest';
import type { HttpRecord, Trace, TraceConnection } from '../../app/lessons/kit.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  chromiumRequest,
  frameEvent,
  RESPONSE,
  serverConnection,
  SERVER_HOST,
  T0,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks from './checks.ts';
import play from './play.ts';

const HOST = `http://${SERVER_HOST}`;

const { run, failureText: failure } = tasksUnderTest(checks);

const solution = await recordLoopback(play.solution);
const start = await recordLoopback(play.start);
const wrong = {
  pollOnly: await recordLoopback(play.wrong!.pollOnly!),
  staleSince: await recordLoopback(play.wrong!.staleSince!),
  reconnecting: await recordLoopback(play.wrong!.reconnecting!),
};

// ---- a server-mode trace, by hand: Chromium's fetch and WebSocket, our Node server ------------

/** What our server writes for a feed answer of `length` bytes (app/services/feed.ts responseHead). */
const serverHead = (requestBytes: number, length: number): string =>
  `HTTP/1.1 200 OK\r\nX-Request-Head-Bytes: ${requestBytes}\r\nContent-Type: application/json\r\n` +
  `Cache-Control: no-store\r\nX-Websocket-Playground: 1\r\nContent-Length: ${length}\r\nConnection: keep-alive\r\n\r\n`;

const quote = (seq: number) => ({
  type: 'quote',
  symbol: 'WSKT',
  price: 100 + seq,
  change: 0.5,
  seq,
  t: T0 + seq * 1000,
});

/** One exchange as serverHttp records it (no request head: Chromium wrote it; 612 B, as the server read it). */
function exchange(path: string, sent: number, received: number, seqs: number[], latest: number): HttpRecord {
  const body = JSON.stringify({ seq: latest, updates: seqs.map(quote) });
  const responseHead = serverHead(612, body.length);
  return {
    url: HOST + path,
    method: 'GET',
    sent,
    received,
    status: 200,
    requestHeadBytes: 612,
    responseHead,
    responseHeadBytes: responseHead.length,
    body,
  };
}

/** Polling once a second, half a second after each update; long polling answered as each update happens. */
const polls = Array.from({ length: 7 }, (_, i) =>
  exchange(`/poll?since=${i}`, T0 + (i + 1) * 1000 + 500, T0 + (i + 1) * 1000 + 503, [i + 1], i + 1),
);
const longPolls = Array.from({ length: 6 }, (_, i) =>
  exchange(
    `/long-poll?since=${10 + i}`,
    T0 + (10 + i) * 1000 + 4,
    T0 + (11 + i) * 1000 + 3,
    [11 + i],
    11 + i,
  ),
);

const TAP = 'k3y';

/** A /ticker connection seen by the tap, pushing quotes `from`.. (numbered per connection from 1). */
function tickerConn(id: string, t0: number, count: number): TraceConnection {
  const events: SessionEvent[] = [];
  for (let n = 1; n <= count; n++) {
    const data = JSON.stringify({ ...quote(n), t: t0 + n * 1000 });
    events.push(frameEvent(t0 + n * 1000, 'server', 0x1, data), {
      kind: 'api',
      t: t0 + n * 1000 + 1,
      type: 'message',
      data,
    });
  }
  return serverConnection(id, '/ticker', events, { t0, tap: TAP });
}

function serverTrace(options: { ticker?: TraceConnection[]; http?: HttpRecord[] } = {}): Trace {
  const t = trace(options.ticker ?? [tickerConn('c1', T0 + 20_000, 8)], { mode: 'server' });
  return { ...t, http: options.http ?? [...polls, ...longPolls] };
}

describe('polled: five updates by polling GET /poll', () => {
  test('passes on the recorded solution and says what each update cost', () => {
    const r = run('polled', solution);
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.observed).toMatch(
      /^7 requests, 7 updates, 0 empty; \d+ B of headers per update, \d+ ms delay per update \(each request: a 300 B request head, a \d+ B response head\)$/,
    );
  });

  test("passes on server mode's records (Chromium's head, sized by the server)", () => {
    const r = run('polled', serverTrace());
    expect(r.ok && r.observed).toBe(
      `7 requests, 7 updates, 0 empty; ${612 + polls[0]!.responseHeadBytes} B of headers per update, 503 ms delay per update (each request: a 612 B request head, a ${polls[0]!.responseHeadBytes} B response head)`,
    );
  });

  test('fails on the start: no request yet', () => {
    expect(failure('polled', start)).toEqual({
      expected: 'at least 5 updates by polling (GET /poll?since=N; press Start under Polling)',
      seen: 'no request to /poll yet',
      rfc: 'RFC 6455 §1.1',
    });
  });

  test('fails while too few updates have come, with the numbers so far', () => {
    expect(failure('polled', serverTrace({ http: polls.slice(0, 3) })).seen).toBe(
      `3 requests, 3 updates, 0 empty; ${612 + polls[0]!.responseHeadBytes} B of headers per update, 503 ms delay per update so far`,
    );
  });

  test('fails on an answer that is not 200, naming the request', () => {
    const refused = { ...polls[2]!, status: 404 };
    expect(failure('polled', serverTrace({ http: [polls[0]!, polls[1]!, refused] }))).toEqual({
      expected: 'every GET /poll answered 200 OK',
      seen: '/poll?since=2 answered 404',
      rfc: 'RFC 6455 §1.1',
    });
  });
});

describe('long-polled: five updates by long polling, each request held until news', () => {
  test('passes on the recorded solution and on server mode, with no empty answer', () => {
    expect(run('long-polled', solution)).toMatchObject({
      ok: true,
      observed: expect.stringMatching(/^6 requests, 6 updates, 0 empty;/) as unknown,
    });
    expect(run('long-polled', serverTrace())).toMatchObject({
      ok: true,
      observed: `6 requests, 6 updates, 0 empty; ${612 + longPolls[0]!.responseHeadBytes} B of headers per update, 3 ms delay per update`,
    });
  });

  test('fails when only polling ran', () => {
    expect(failure('long-polled', wrong.pollOnly).seen).toBe('no request to /long-poll yet');
  });

  test('fails on a client that asks since=0 every time: answered at once, not held', () => {
    expect(failure('long-polled', wrong.staleSince)).toEqual({
      expected: 'each long poll asks for what comes after the last update it got (since=the last seq)',
      seen: expect.stringMatching(
        /^request 2 asked since=0 after an answer with seq \d+: answered at once, with old news, not held$/,
      ) as unknown,
      rfc: 'RFC 6455 §1.1',
    });
  });

  test('fails when most answers come back empty (the request was not held)', () => {
    const empties = Array.from({ length: 8 }, (_, i) =>
      exchange(`/long-poll?since=16`, T0 + 17_000 + i, T0 + 17_001 + i, [], 16),
    );
    expect(failure('long-polled', serverTrace({ http: [...longPolls, ...empties] }))).toMatchObject({
      expected: 'answers held until there is news: at most 1 in 5 empty',
      seen: '8 of 14 answers empty: does each request ask since the last seq it got?',
    });
  });
});

describe('ticker: one WebSocket to /ticker, open for five pushed updates', () => {
  test('passes on the recorded solution: one handshake, then 2 bytes of header per quote', () => {
    const r = run('ticker', solution);
    expect(r.ok && r.observed).toMatch(
      /^one handshake of \d+ B, then 2 B of frame header per update: \d+ B per update over 6, \d+ ms delay per update$/,
    );
    expect(r.ok && r.frame?.field).toBe('len7');
  });

  test("passes in server mode, counting Chromium's handshake without the tap token", () => {
    // The GET as Chromium wrote it (the tap's '?tap=k3y' is the playground's, not the learner's), and the 101.
    const handshake = chromiumRequest('/ticker').length + RESPONSE.length;
    const r = run('ticker', serverTrace());
    expect(r.ok && r.observed).toBe(
      `one handshake of ${handshake} B, then 2 B of frame header per update: ${Math.round((handshake + 8 * 2) / 8)} B per update over 8, 1 ms delay per update`,
    );
  });

  test('fails on the start', () => {
    expect(failure('ticker', start)).toEqual({
      expected: 'a connection to /ticker that stays open for 5 updates',
      seen: 'no connection to /ticker yet',
      rfc: 'RFC 6455 §1.2',
    });
  });

  test('fails on a client that reconnects for every update, pointing at its only quote', () => {
    expect(failure('ticker', wrong.reconnecting)).toEqual({
      expected: '5 updates pushed on one connection to /ticker',
      seen: '6 connections to /ticker; the latest brought 1 update',
      rfc: 'RFC 6455 §1.2',
      field: 'len7',
    });
  });

  test('fails on a connection closed too early, and says it is closed', () => {
    const conn = tickerConn('c1', T0, 2);
    conn.events.push({ kind: 'api', t: T0 + 2500, type: 'close', code: 1000, reason: '', wasClean: true });
    expect(failure('ticker', serverTrace({ ticker: [conn] })).seen).toBe(
      '2 updates on it so far, and it is closed',
    );
  });
});

describe('compare: the WebSocket spends the fewest header bytes per update', () => {
  test('passes on the recorded solution and on server mode, stating the table', () => {
    expect(run('compare', solution)).toMatchObject({
      ok: true,
      observed: expect.stringMatching(
        /^header bytes per update: polling \d+ B, long polling \d+ B, WebSocket \d+ B; delay: \d+ ms, \d+ ms, \d+ ms$/,
      ) as unknown,
    });
    expect(run('compare', serverTrace())).toMatchObject({ ok: true });
  });

  test('fails until all three have run, naming the ones missing', () => {
    expect(failure('compare', wrong.pollOnly)).toEqual({
      expected: 'at least 5 updates by each of the three (run them in the table above)',
      seen: 'too few yet from long polling, the WebSocket: 7, 0 and 0 updates',
      rfc: 'RFC 6455 §1.1',
    });
  });

  test('a WebSocket that reconnects per update does not pass as cheapest, though its bytes alone might', () => {
    expect(failure('compare', wrong.reconnecting)).toEqual({
      expected: 'one WebSocket kept open, so its handshake is paid once',
      seen: expect.stringMatching(
        /^6 connections to \/ticker for 6 updates: \d+ B of handshakes, \d+ B per update$/,
      ) as unknown,
      rfc: 'RFC 6455 §1.2',
    });
  });

  test('fails when the WebSocket is not the cheapest per update (a handshake paid for few updates)', () => {
    // Two connections of 5 updates each, against HTTP heads of only 40 bytes.
    const tiny = (r: HttpRecord): HttpRecord => ({ ...r, requestHeadBytes: 20, responseHeadBytes: 20 });
    const t = serverTrace({
      ticker: [tickerConn('c1', T0, 5), tickerConn('c2', T0 + 10_000, 5)],
      http: [...polls, ...longPolls].map(tiny),
    });
    expect(failure('compare', t)).toMatchObject({
      expected: 'the WebSocket with the fewest header bytes per update (2 B per frame after one handshake)',
      seen: expect.stringMatching(
        /^header bytes per update: polling 40 B, long polling 40 B, WebSocket \d+ B;/,
      ) as unknown,
      rfc: 'RFC 6455 §5.2',
    });
  });
});
