import { describe, expect, test } from 'vitest';
import type { Trace } from '../../app/lessons/kit.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  connection,
  frameEvent,
  opened,
  serverConnection,
  T0,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks from './checks.ts';
import play from './play.ts';

const OWN = 'ws://localhost:8080/';

const { run, failureText: failure } = tasksUnderTest(checks);

const api = (t: number, e: Record<string, unknown>): SessionEvent =>
  ({ kind: 'api', t, ...e }) as SessionEvent;

/** /heartbeat?interval=1000 in server mode: `pings` PINGs a second apart, answered unless `pongs` says otherwise. */
function heartbeat(o: { pings?: number; pongs?: (string | null)[]; extra?: SessionEvent[] } = {}): Trace {
  const events: SessionEvent[] = [];
  for (let i = 1; i <= (o.pings ?? 3); i++) {
    const t = T0 + 1000 * (i - 1) + 5;
    events.push(frameEvent(t, 'server', 0x9, `heartbeat ${i}`));
    const pong = o.pongs ? o.pongs[i - 1] : `heartbeat ${i}`;
    if (pong !== null && pong !== undefined) events.push(frameEvent(t + 1, 'client', 0xa, pong));
  }
  events.push(...(o.extra ?? []));
  return trace([serverConnection('c1', '/heartbeat?interval=1000', events)], { mode: 'server' });
}

/**
 * client.js on the learner's server: the server's empty PINGs (ws.ping()) answered by the
 * browser, '__ping__' every `gap` ms answered with '__pong__', each a message event.
 */
function liveClient(
  o: {
    pings?: number;
    appPings?: number;
    gap?: number;
    answer?: boolean;
    events?: boolean;
    end?: 'drop' | 'close';
  } = {},
): SessionEvent[] {
  const events: SessionEvent[] = [...opened(T0, OWN)];
  const gap = o.gap ?? 1000;
  for (let i = 1; i <= (o.appPings ?? 3); i++) {
    const t = T0 + gap * i;
    events.push(api(t, { type: 'send', data: '__ping__' }), frameEvent(t, 'client', 0x1, '__ping__'));
    if (o.answer !== false) {
      events.push(frameEvent(t + 1, 'server', 0x1, '__pong__'));
      if (o.events !== false) events.push(api(t + 2, { type: 'message', data: '__pong__' }));
    }
  }
  for (let i = 1; i <= (o.pings ?? 3); i++) {
    const t = T0 + 1000 * i + 500;
    events.push(frameEvent(t, 'server', 0x9, ''), frameEvent(t + 1, 'client', 0xa, ''));
  }
  if (o.end === 'drop')
    events.push(
      { kind: 'eof', t: T0 + 5000, from: 'server' },
      { kind: 'close', t: T0 + 5000, code: 1006, reason: '', wasClean: false },
      api(T0 + 5000, { type: 'close', code: 1006, reason: '', wasClean: false }),
    );
  if (o.end === 'close')
    events.push(
      frameEvent(T0 + 5000, 'server', 0x8, new Uint8Array([0x03, 0xe8])),
      frameEvent(T0 + 5001, 'client', 0x8, new Uint8Array([0x03, 0xe8])),
      api(T0 + 5002, { type: 'close', code: 1000, reason: '', wasClean: true }),
    );
  return events;
}

/** dead-client.js (autoPong off): PINGs come, none is answered; then how it ended. */
function deadClient(
  o: { pings?: number; end?: 'drop' | 'close' | 'open' | 'client-close' } = {},
): SessionEvent[] {
  const events: SessionEvent[] = [...opened(T0 + 100, OWN)];
  const pings = o.pings ?? 1;
  for (let i = 1; i <= pings; i++) events.push(frameEvent(T0 + 1000 * i + 500, 'server', 0x9, ''));
  const t = T0 + 1000 * (pings + 1) + 500;
  switch (o.end ?? 'drop') {
    case 'drop':
      events.push(
        { kind: 'eof', t, from: 'server' },
        { kind: 'close', t, code: 1006, reason: '', wasClean: false },
        api(t, { type: 'close', code: 1006, reason: '', wasClean: false }),
      );
      break;
    case 'close':
      events.push(
        frameEvent(t, 'server', 0x8, new Uint8Array([0x03, 0xe8])),
        frameEvent(t + 1, 'client', 0x8, new Uint8Array([0x03, 0xe8])),
        api(t + 2, { type: 'close', code: 1000, reason: '', wasClean: true }),
      );
      break;
    case 'client-close':
      events.push(
        frameEvent(t, 'client', 0x8, new Uint8Array([0x03, 0xe8])),
        frameEvent(t + 1, 'server', 0x8, new Uint8Array([0x03, 0xe8])),
        api(t + 2, { type: 'close', code: 1000, reason: '', wasClean: true }),
      );
      break;
    case 'open':
      break;
  }
  return events;
}

function ownServer(live: SessionEvent[] | null, dead: SessionEvent[] | null): Trace {
  const conns = [];
  if (live) conns.push(connection('live', OWN, live, { origin: 'code' }));
  if (dead) conns.push(connection('dead', OWN, dead, { origin: 'code' }));
  return trace(conns);
}

describe('the solution passes', () => {
  test('the recorded loopback walk passes both /heartbeat tasks: PINGs answered, the API silent', async () => {
    const t = await recordLoopback(play.solution);
    expect(run('browser-pongs', t)).toMatchObject({
      ok: true,
      observed: "2 PINGs ('heartbeat 1', 'heartbeat 2'), 2 PONGs from the client with the same bytes",
      frame: { field: 'payload' },
    });
    expect(run('api-silent', t)).toMatchObject({
      ok: true,
      observed: "2 PINGs and 2 PONGs on the wire; the page's API showed no event for any of them",
    });
  });

  test('a server-mode /heartbeat trace (Chromium answers, the tap shows it) passes both', () => {
    const t = heartbeat();
    expect(run('browser-pongs', t)).toMatchObject({
      ok: true,
      observed:
        "3 PINGs ('heartbeat 1', 'heartbeat 2', 'heartbeat 3'), 3 PONGs from the client with the same bytes",
    });
    expect(run('api-silent', t).ok).toBe(true);
  });

  test('the last PING may still be waiting for its PONG while the connection is open', () => {
    expect(run('browser-pongs', heartbeat({ pongs: ['heartbeat 1', 'heartbeat 2', null] })).ok).toBe(true);
  });

  test("the learner's server with client.js and dead-client.js passes the three server tasks and the app heartbeat", () => {
    const t = ownServer(liveClient(), deadClient());
    expect(run('app-heartbeat', t)).toEqual({
      ok: true,
      observed: "3 '__ping__'s about every 1000 ms, 3 '__pong__'s back, 3 message events in your script",
      frame: { connection: 'live', event: 7, field: 'payload' },
    });
    expect(run('server-pings', t)).toMatchObject({
      ok: true,
      observed: '3 PINGs from your server on one connection',
    });
    expect(run('dead-terminated', t)).toMatchObject({
      ok: true,
      observed:
        '1 PING unanswered, then your server dropped the connection with no CLOSE frame; the client reported 1006',
      frame: { connection: 'dead', field: 'opcode' },
    });
    expect(run('live-kept', t)).toMatchObject({
      ok: true,
      observed: '3 PINGs and 3 PONGs, and the connection stays up',
    });
  });

  test('a live client that later closes by itself still counts as kept', () => {
    const live = liveClient();
    live.push(
      frameEvent(T0 + 6000, 'client', 0x8, new Uint8Array([0x0f, 0xa0])),
      frameEvent(T0 + 6001, 'server', 0x8, new Uint8Array([0x0f, 0xa0])),
    );
    expect(run('live-kept', ownServer(live, null)).ok).toBe(true);
  });
});

describe('the start fails every task, each saying what is missing', () => {
  test('with nothing done, each task names what it waits for', async () => {
    const t = await recordLoopback(play.start);
    expect(failure('browser-pongs', t)).toEqual({
      expected:
        'two or more PINGs from /heartbeat, each answered by a PONG from the client with the same bytes (§5.5.3); keep the connection open for 2 seconds or more',
      seen: 'no connection to /heartbeat yet',
      rfc: 'RFC 6455 §5.5.2',
    });
    expect(failure('api-silent', t).seen).toBe('no connection to /heartbeat yet');
    for (const id of ['app-heartbeat', 'server-pings'])
      expect(failure(id, t).seen).toMatch(/^no connection from your code to your own server yet/);
    expect(failure('dead-terminated', t).seen).toBe(
      'no connection from your code to your own server yet (run server.js, then dead-client.js)',
    );
    expect(failure('live-kept', t).seen).toBe(
      'no connection to your server whose client answered 2 or more PINGs yet (run server.js, then client.js, and give it 3 seconds)',
    );
  });

  test('the start code (a server that never pings, a client that never sends) fails each code task with its reason', () => {
    const client = liveClient({ appPings: 0, pings: 0 });
    const dead = deadClient({ pings: 0, end: 'open' });
    const t = ownServer(client, dead);
    expect(failure('app-heartbeat', t)).toMatchObject({
      seen: "no TEXT '__ping__' from your client on 2 connections to your server",
      rfc: 'RFC 6455 §5.6',
    });
    expect(failure('server-pings', t)).toEqual({
      expected:
        'PING frames (opcode 0x9) from your server, 2 or more on one connection: ws.ping() on a timer',
      seen: '0 PINGs from your server on any of 2 connections',
      rfc: 'RFC 6455 §5.5.2',
    });
    expect(failure('dead-terminated', t).seen).toBe(
      'your server sent no PING to a client that never answers them (2 such connections)',
    );
  });
});

describe('wrong attempts fail with their own message', () => {
  test('/heartbeat closed before its second PING: "1 PING from the server"', async () => {
    const t = await recordLoopback(play.wrong!.tooSoon!);
    expect(failure('browser-pongs', t).seen).toBe(
      '1 PING from the server on the latest /heartbeat connection so far',
    );
    expect(failure('api-silent', t).seen).toBe('1 PING so far');
  });

  test('a PONG with other bytes than its PING fails browser-pongs (5.5.3), pointing at the PING', () => {
    expect(
      failure('browser-pongs', heartbeat({ pongs: ['heartbeat 1', 'wrong', 'heartbeat 3'] })),
    ).toMatchObject({
      seen: "PING 'heartbeat 2' got no PONG with the same bytes",
      field: 'payload',
      rfc: 'RFC 6455 §5.5.3',
    });
  });

  test('a message event or a send() on the /heartbeat connection fails api-silent', () => {
    const withMessage = heartbeat({ extra: [api(T0 + 2500, { type: 'message', data: 'heartbeat 3' })] });
    expect(failure('api-silent', withMessage)).toMatchObject({
      expected:
        'no message event and no send() for the 3 PINGs and their PONGs: the browser answers pings itself and the API never shows them',
      seen: '1 message event on that connection',
    });
    const withSend = heartbeat({ extra: [api(T0 + 2500, { type: 'send', data: 'pong' })] });
    expect(failure('api-silent', withSend)).toMatchObject({
      seen: "1 send() call on that connection: the PONGs are the browser's, your code need not send anything",
      rfc: 'RFC 6455 §5.5.3',
    });
  });

  test("'__ping__' sent in a burst, not on a timer, fails app-heartbeat with the gap", () => {
    expect(failure('app-heartbeat', ownServer(liveClient({ gap: 10 }), null))).toMatchObject({
      seen: "two '__ping__' only 10 ms apart: a heartbeat goes out on a timer (setInterval), not in a burst",
      field: 'payload',
    });
  });

  test("'__ping__' with no '__pong__' (the server does not answer) fails app-heartbeat", () => {
    expect(failure('app-heartbeat', ownServer(liveClient({ answer: false }), null)).seen).toBe(
      "3 '__ping__'s from your client, no '__pong__' from your server",
    );
  });

  test("'__pong__' on the wire but no message event in the client fails app-heartbeat", () => {
    expect(failure('app-heartbeat', ownServer(liveClient({ events: false }), null)).seen).toBe(
      "3 '__pong__'s on the wire, but no message event with it in your client",
    );
  });

  test('a single PING from the server is not yet a heartbeat', () => {
    expect(failure('server-pings', ownServer(liveClient({ pings: 1 }), null))).toMatchObject({
      seen: '1 PING from your server on the busiest of 1 connection',
      field: 'opcode',
    });
  });

  test('a server that pings but never drops the dead client fails dead-terminated, pointing at the last PING', () => {
    expect(
      failure('dead-terminated', ownServer(liveClient(), deadClient({ pings: 2, end: 'open' }))),
    ).toMatchObject({
      seen: '2 PINGs unanswered and the connection is still open: your server never dropped it',
      field: 'opcode',
      rfc: 'RFC 6455 §5.5.2',
    });
  });

  test('a server that closes the dead client with close() instead of terminate() fails, naming the CLOSE', () => {
    expect(failure('dead-terminated', ownServer(liveClient(), deadClient({ end: 'close' })))).toMatchObject({
      seen: 'your server sent CLOSE 1000 Normal Closure: a dead peer never answers a CLOSE, so close() would wait for it; terminate() drops the connection at once',
      field: 'closeCode',
      rfc: 'RFC 6455 §7.1.1',
    });
  });

  test('a dead client that left by itself was not dropped by the server', () => {
    expect(failure('dead-terminated', ownServer(null, deadClient({ end: 'client-close' }))).seen).toBe(
      'the connection ended with a CLOSE from the client (code 1000), not dropped by your server',
    );
  });

  test("a server whose on('pong') does not mark the client alive drops live clients too: live-kept fails", () => {
    const t = ownServer(liveClient({ pings: 1, end: 'drop' }), deadClient());
    expect(run('dead-terminated', t).ok).toBe(true);
    expect(failure('live-kept', t)).toMatchObject({
      seen: "your server dropped a client that left no PING unanswered (1 PING, 1 PONG): does on('pong') mark it alive again?",
      field: 'opcode',
      rfc: 'RFC 6455 §5.5.3',
    });
  });

  test('a server that closes answering clients fails live-kept, naming its CLOSE', () => {
    expect(failure('live-kept', ownServer(liveClient({ end: 'close' }), null)).seen).toBe(
      "your server sent CLOSE 1000 Normal Closure to a client that left no PING unanswered (3 PINGs, 3 PONGs): does on('pong') mark it alive again?",
    );
  });

  test('bundled endpoints opened from code are not "your own server"', () => {
    const url = 'ws://localhost:5173/heartbeat';
    const t = trace([connection('c1', url, deadClient({ pings: 2 }), { origin: 'code' })]);
    expect(failure('dead-terminated', t).seen).toContain(
      'no connection from your code to your own server yet',
    );
  });
});

describe('a drop after a missed PONG is the heartbeat working', () => {
  test('a client dropped only after a PING went unanswered still counts as kept while it answered', () => {
    const live = liveClient({ pings: 2 });
    live.push(
      frameEvent(T0 + 3500, 'server', 0x9, ''),
      { kind: 'eof', t: T0 + 4500, from: 'server' },
      api(T0 + 4500, { type: 'close', code: 1006, reason: '', wasClean: false }),
    );
    expect(run('live-kept', ownServer(live, null))).toMatchObject({
      ok: true,
      observed:
        '2 PINGs answered and the connection kept; your server dropped it only after a PING went unanswered',
    });
  });
});
