/**
 * The security lesson's checks on real wires: the lab's part recorded from play.ts on the loopback's /echo,
 * and the learner's server played by reference servers (services on a virtual network whose
 * page origin is http://localhost:5173) that the lesson's own probe attacks, as it attacks the
 * learner's server in the page: a hardened one, the start's open echo, and each half-way fix.
 */
import { describe, expect, test } from 'vitest';
import { recordLoopback, recordProbe, recordWalk } from '../../app/lessons/recorder.ts';
import { runTasks } from '../../app/lessons/runner.ts';
import {
  closePayload,
  frameEvent,
  serverConnection,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { Trace } from '../../app/lessons/types.ts';
import type { ClientRequestInfo, Service, VerifyVerdict } from '../../app/services/service.ts';
import checks, { BIG, FLOOD, FOREIGN_ORIGIN, securityProbe, TOKEN } from './checks.ts';
import play from './play.ts';

const PAGE = 'http://localhost:5173';

const { run: task, failure } = tasksUnderTest(checks);

interface Hardening {
  /** How a foreign Origin is met: refused with this status, closed after the 101 with 1008, or let in. */
  origin?: number | 'close' | 'open';
  /** How a missing token is met: refused with this status, closed with this code after the 101, or let in. */
  token?: { status: number } | { close: number } | 'open';
  /** The largest message, with the code to close on (the engine's own limit closes with 1009). */
  size?: { max: number; code?: number } | 'none';
  /** Messages a second, with the code to close on. */
  rate?: { perSecond: number; code: number } | 'none';
  /** Refuse everyone (an over-hardened server). */
  refuseAll?: boolean;
}

const HARDENED: Required<Hardening> = {
  origin: 403,
  token: { status: 401 },
  size: { max: 4096 },
  rate: { perSecond: 10, code: 1008 },
  refuseAll: false,
};

const hasToken = (url: string) => new URL(url, 'ws://x').searchParams.get('token') === TOKEN;

/** A reference echo server, hardened as `h` says: the learner's server.js, right or half-way. */
function server(h: Hardening = HARDENED): Service {
  const { origin, token, size, rate, refuseAll } = { ...HARDENED, ...h };
  const verifyClient = (r: ClientRequestInfo): VerifyVerdict => {
    if (refuseAll) return { status: 403 };
    if (r.headers.origin !== PAGE && typeof origin === 'number') return { status: origin };
    if (!hasToken(r.url) && typeof token === 'object' && 'status' in token) return { status: token.status };
    return true;
  };
  return {
    path: '/',
    description: 'a reference server for the security lesson',
    verifyClient,
    ...(size !== 'none' && size.code === undefined ? { maxMessageSize: size.max } : {}),
    open(socket, ctx) {
      // This service does not see the request's headers after the handshake: the tests send a
      // foreign Origin only with the token, so "no token" alone tells the stranger.
      if (origin === 'close' && socket.query.get('probe') === 'foreign') return socket.close(1008, 'origin');
      if (!socket.query.has('token') && typeof token === 'object' && 'close' in token)
        return socket.close(token.close, 'token');
      let start = ctx.now();
      let count = 0;
      socket.on('message', (data) => {
        const now = ctx.now();
        if (now - start >= 1000) {
          start = now;
          count = 0;
        }
        if (rate !== 'none' && ++count > rate.perSecond) return socket.close(rate.code, 'too many');
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data).length : data.length;
        if (size !== 'none' && size.code !== undefined && bytes > size.max)
          return socket.close(size.code, 'too big');
        socket.send(data);
      });
    },
  };
}

function attacked(h?: Hardening): Promise<Trace> {
  return recordProbe((kit) => securityProbe(kit, 'ws://localhost:8080/'), {
    services: new Map([['/', server(h)]]),
    origin: PAGE,
  });
}

describe('the lab: a token in a URL, and a flood of /echo?rate=3', () => {
  test('the recorded solution passes token-visible and bundled-rate', async () => {
    const t = await recordWalk(play.solution);
    expect(task('token-visible', t)).toMatchObject({
      ok: true,
      observed: "'GET /echo?token=let-me-in&deflate=0 HTTP/1.1': the token 'let-me-in' crossed in plain text",
    });
    expect(task('bundled-rate', t)).toMatchObject({
      ok: true,
      observed: '4 messages reached the server; it echoed 3, then closed with 1008',
    });
  });

  test('the start (nothing opened) fails both with what to do', async () => {
    const t = await recordWalk(play.start);
    expect(failure('token-visible', t).seen).toBe('0 connections to /echo, none with a token in its URL');
    expect(failure('bundled-rate', t).seen).toBe('no connection to /echo?rate=... yet');
  });

  test('a flood too small for the rate: the server has not closed', async () => {
    const t = await recordLoopback(async (lab) => {
      const ws = lab.open('/echo?rate=3');
      await lab.until(() => ws.readyState === 1);
      ws.send('one');
      ws.send('two');
      await lab.wait(200);
    });
    expect(failure('bundled-rate', t).seen).toBe(
      "you sent 2 messages; the server has not closed: send more at once (the composer's × field)",
    );
  });

  test("server mode: Chromium's request to our server carries the token the same way", () => {
    const opening = { t0: 1000, key: 'AAAAAAAAAAAAAAAAAAAAAA==', tap: 'abc' };
    const t = trace([serverConnection('c1', '/echo?token=let-me-in', [], opening)], { mode: 'server' });
    expect(task('token-visible', t)).toMatchObject({
      ok: true,
      observed: "'GET /echo?token=let-me-in HTTP/1.1': the token 'let-me-in' crossed in plain text",
    });
    const flooded = serverConnection(
      'c2',
      '/echo?rate=3',
      [
        ...[1, 2, 3, 4].map((i) => frameEvent(2010 + i, 'client', 1, `m${i}`)),
        ...[1, 2, 3].map((i) => frameEvent(2020 + i, 'server', 1, `m${i}`)),
        frameEvent(2030, 'server', 8, closePayload(1008, 'POLICY_VIOLATION')),
      ],
      { t0: 2000 },
    );
    expect(task('bundled-rate', trace([flooded], { mode: 'server' }))).toMatchObject({
      ok: true,
      observed: '4 messages reached the server; it echoed 3, then closed with 1008',
    });
  });
});

describe("the learner's server, attacked by the lesson's probe", () => {
  test("a hardened server passes every attack, and still serves the lesson's page", async () => {
    const t = await attacked();
    const results = Object.fromEntries(
      ['friend-served', 'origin-refused', 'token-required', 'size-limit', 'rate-limit'].map((id) => [
        id,
        task(id, t),
      ]),
    );
    expect(results['friend-served']).toMatchObject({
      ok: true,
      observed: expect.stringMatching(
        /^Origin http:\/\/localhost:5173 with the token: accepted, and 'hello from the lesson's page/,
      ),
    });
    expect(results['origin-refused']).toMatchObject({
      ok: true,
      observed: `Origin ${FOREIGN_ORIGIN}: 'HTTP/1.1 403 Forbidden', no connection`,
    });
    expect(results['token-required']).toMatchObject({
      ok: true,
      observed: "no token: 'HTTP/1.1 401 Unauthorized', no connection",
    });
    expect(results['size-limit']).toMatchObject({
      ok: true,
      observed: `a ${BIG / 1024} KiB message; your server closed with 1009`,
    });
    expect(results['rate-limit']).toMatchObject({
      ok: true,
      observed: `${FLOOD + 1} messages at once; your server answered 10 of them, then closed with 1008`,
    });
  });

  test("the start's open echo: served, but every attack gets through", async () => {
    const t = await attacked({ origin: 'open', token: 'open', size: 'none', rate: 'none' });
    expect(task('friend-served', t)).toMatchObject({ ok: true });
    expect(failure('origin-refused', t).seen).toBe(
      `a 101, and your server never closed it: the page on ${FOREIGN_ORIGIN} got an open socket; refuse it in the handshake (verifyClient)`,
    );
    expect(failure('token-required', t).seen).toMatch(
      /^your server answered the stranger's 'hello from a stranger \([a-z0-9]+\)'$/,
    );
    expect(failure('size-limit', t).seen).toBe(
      'your server took the 64 KiB message and answered it and never closed the connection',
    );
    expect(failure('rate-limit', t).seen).toBe(
      `the client sent ${FLOOD + 1} messages at once; your server answered ${FLOOD + 1} messages and never closed the connection`,
    );
  });

  test("a foreign origin refused with 401 (ws's default for false): 403 is the answer", async () => {
    const f = failure('origin-refused', await attacked({ origin: 401 }));
    expect(f.seen).toBe(
      "'HTTP/1.1 401 Unauthorized': refused, but 403 Forbidden is the answer for an origin the server does not accept",
    );
    expect(f.rfc).toBe('RFC 6455 §4.2.2');
  });

  test('a foreign origin let in, then closed: its page already had an open socket', async () => {
    const f = failure('origin-refused', await attacked({ origin: 'close' }));
    expect(f.seen).toBe(
      `a 101, then Close 1008: the page on ${FOREIGN_ORIGIN} got an open socket (its script saw open before your Close); refuse it in the handshake (verifyClient)`,
    );
    expect(f.rfc).toBe('RFC 6455 §10.2');
  });

  test('no token: closing with 1008 after the 101 passes; another code is named', async () => {
    expect(task('token-required', await attacked({ token: { close: 1008 } }))).toMatchObject({
      ok: true,
      observed: 'no token: a 101, then Close 1008 before any answer',
    });
    expect(failure('token-required', await attacked({ token: { close: 1000 } })).seen).toBe(
      'a 101, then Close 1000: 1008 (policy violation) says why',
    );
  });

  test('a size limit that closes with 1008 instead of 1009 is named', async () => {
    const f = failure('size-limit', await attacked({ size: { max: 4096, code: 1008 } }));
    expect(f.seen).toBe('your server closed with 1008');
    expect(f.rfc).toBe('RFC 6455 §7.4.1');
  });

  test('a server that refuses everyone fails friend-served with the Origin it refused', async () => {
    const f = failure('friend-served', await attacked({ refuseAll: true }));
    expect(f.seen).toBe(
      "your server refused the lesson's own page (Origin http://localhost:5173) with 'HTTP/1.1 403 Forbidden': allow process.env.PAGE_ORIGIN",
    );
  });

  test('nothing listens, or no probe yet: each task says what to do', async () => {
    const t = await recordProbe((kit) => securityProbe(kit, 'ws://localhost:8080/'), { services: new Map() });
    expect(failure('friend-served', t).seen).toBe(
      "your server refused the lesson's own page (Origin (none)) with 'HTTP/1.1 404 Not Found': allow process.env.PAGE_ORIGIN",
    );
    for (const id of ['friend-served', 'origin-refused', 'token-required', 'size-limit', 'rate-limit'])
      expect(failure(id, trace([])).seen).toBe(
        'the lesson has not attacked your server yet: run server.js, then press Check',
      );
  });
});

test('every task fails on the start, as the player shows it', async () => {
  const results = runTasks(checks, await recordWalk(play.start));
  expect([...results.values()].every((r) => !r.ok)).toBe(true);
});
