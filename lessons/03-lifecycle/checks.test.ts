import { describe, expect, test } from 'vitest';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  chromiumRequest,
  connection,
  frameEvent,
  opened,
  serverUrl,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import { buildServerResponse } from '../../app/protocol/index.ts';
import type { Trace } from '../../app/lessons/types.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks, { statesOf } from './checks.ts';
import play from './play.ts';

const { ids, run, failure } = tasksUnderTest(checks);

const solution = recordLoopback(play.solution);
const start = recordLoopback(play.start);
const wrong = (name: string): Promise<Trace> => recordLoopback(play.wrong![name]!);

describe('the solution', () => {
  test.each(ids)('passes %s', async (id) => {
    const r = run(id, await solution);
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  });

  test('its first connection passes through the four readyStates in order', async () => {
    expect(statesOf((await solution).connections[0]!)).toEqual(['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
  });
});

describe('the start (start/client.js: opens /echo and only logs)', () => {
  test('fails every task', async () => {
    const t = await start;
    for (const id of ids) expect(run(id, t).ok, id).toBe(false);
  });
  test('lifecycle: a socket still OPEN has not finished its lifecycle', async () => {
    const f = failure('lifecycle', await start);
    expect(f.expected).toContain('at least one message event');
  });
  test('send-too-early: nothing in the console names InvalidStateError', async () => {
    const f = failure('send-too-early', await start);
    expect(f.seen).toContain('no console line mentions InvalidStateError');
    expect(f.seen).toContain("the last: 'open, readyState 1 (OPEN)'");
  });
  test('send-after-close: no Close frame from the client', async () => {
    const f = failure('send-after-close', await start);
    expect(f.expected).toContain('a Close frame from your client');
    expect(f.rfc).toBe('RFC 6455 §5.5.1');
  });
  test('error-event: no connection has failed', async () => {
    const f = failure('error-event', await start);
    expect(f.seen).toBe(
      'no connection has failed yet (1 connection, none with an error event or close 1006)',
    );
  });
  test('with no connection at all, the tasks ask for one', () => {
    const f = failure('lifecycle', trace([]));
    expect(f).toMatchObject({
      expected: 'a connection to /echo that opens',
      seen: 'no connection to /echo yet',
    });
  });
});

describe('wrong attempts fail with what is missing', () => {
  test('lifecycle: never closed, the socket is still OPEN', async () => {
    const f = failure('lifecycle', await wrong('neverClosed'));
    expect(f.expected).toContain('CLOSING, then CLOSED');
    expect(f.seen).toBe('readyState went CONNECTING → OPEN: still OPEN');
  });
  test('order: one message is not two', async () => {
    const f = failure('order', await wrong('oneMessage'));
    expect(f.expected).toContain('two message events');
    expect(f.seen).toBe('events: open → message → close 4000');
  });
  test('send-too-early: waiting for open means nothing throws', async () => {
    const f = failure('send-too-early', await wrong('neverTooEarly'));
    expect(f.seen).toContain('no console line mentions InvalidStateError');
  });
  test('send-after-close: bufferedAmount read before the late send() is 0', async () => {
    const f = failure('send-after-close', await wrong('readTooSoon'));
    expect(f.expected).toContain('bufferedAmount above 0');
    expect(f.seen).toContain('bufferedAmount 0');
  });
  test('close-1001: a clean close without trying 1001 shows no InvalidAccessError', async () => {
    const f = failure('close-1001', await wrong('never1001'));
    expect(f.seen).toContain('no console line mentions InvalidAccessError');
    expect(f.rfc).toBe('RFC 6455 §7.4.1');
  });
  test('error-event: a socket that never fails has no error event', async () => {
    const f = failure('error-event', await wrong('nothingFails'));
    expect(f.seen).toContain('no connection has failed yet');
  });
  test('error-event: a connection dropped after opening closes 1006 with no error event', async () => {
    const f = failure('error-event', await wrong('dropped'));
    expect(f.expected).toContain('an error event before close 1006');
    expect(f.seen).toBe(
      'open → close 1006: no error event (a connection cut after opening closes 1006 without one)',
    );
  });
  test('order: a server that closes first is not the client closing', () => {
    const t = trace([
      connection('c1', URL_, [
        ...opened(T0, URL_),
        frameEvent(T0 + 10, 'client', 0x1, 'a'),
        frameEvent(T0 + 11, 'server', 0x1, 'a'),
        { kind: 'api', t: T0 + 11, type: 'message', data: 'a' },
        frameEvent(T0 + 12, 'client', 0x1, 'b'),
        frameEvent(T0 + 13, 'server', 0x1, 'b'),
        { kind: 'api', t: T0 + 13, type: 'message', data: 'b' },
        frameEvent(T0 + 14, 'server', 0x8, Uint8Array.of(0x03, 0xe9)),
        frameEvent(T0 + 15, 'client', 0x8, Uint8Array.of(0x03, 0xe9)),
        { kind: 'api', t: T0 + 16, type: 'state', state: 'CLOSING' },
        { kind: 'api', t: T0 + 16, type: 'state', state: 'CLOSED' },
        { kind: 'api', t: T0 + 16, type: 'close', code: 1001, reason: '', wasClean: true },
      ]),
    ]);
    const f = failure('order', t);
    expect(f.seen).toBe('the server sent the first Close frame (code 1001)');
    expect(f.rfc).toBe('RFC 6455 §5.5.1');
  });
  test('lifecycle: a connection cut without Close frames never shows CLOSING', () => {
    const t = trace([
      connection('c1', URL_, [
        ...opened(T0, URL_),
        frameEvent(T0 + 10, 'client', 0x1, 'a'),
        frameEvent(T0 + 11, 'server', 0x1, 'a'),
        { kind: 'api', t: T0 + 11, type: 'message', data: 'a' },
        { kind: 'eof', t: T0 + 20, from: 'server' },
        { kind: 'api', t: T0 + 20, type: 'state', state: 'CLOSED' },
        { kind: 'api', t: T0 + 20, type: 'close', code: 1006, reason: '', wasClean: false },
      ]),
    ]);
    const f = failure('lifecycle', t);
    expect(f.seen).toBe(
      'readyState went CONNECTING → OPEN → CLOSED, close 1006 with no Close frame on the wire (the connection was cut)',
    );
  });
});

const T0 = 1_764_000_000_000;
const URL_ = serverUrl('/echo');
const KEY = 'x3JJHMbDL1EzLkh9GBhXDw==';
const CHROMIUM_GET = chromiumRequest('/echo', { key: KEY, tap: 'AbCdEfGhIjKlMnOpQrStUvWx' });

/**
 * Server mode, by hand: the page's API events are recorded as they happen, while the tap's wire
 * events arrive later over their own socket, so in `events` the wire lags the API.
 */
function serverModeTrace(): Trace {
  const api = (t: number, e: Record<string, unknown>): SessionEvent =>
    ({ kind: 'api', t, ...e }) as SessionEvent;
  const main: SessionEvent[] = [
    api(T0, { type: 'create', url: URL_, protocols: [] }),
    api(T0, { type: 'state', state: 'CONNECTING' }),
    api(T0 + 4, { type: 'state', state: 'OPEN' }),
    api(T0 + 4, { type: 'open', protocol: '', extensions: '' }),
    { kind: 'handshake', t: T0 + 2, from: 'client', text: CHROMIUM_GET },
    { kind: 'handshake', t: T0 + 3, from: 'server', text: buildServerResponse(KEY) },
    api(T0 + 6, { type: 'message', data: 'a' }),
    frameEvent(T0 + 5, 'client', 0x1, 'a'),
    frameEvent(T0 + 5, 'client', 0x1, 'b'),
    frameEvent(T0 + 5, 'server', 0x1, 'a'),
    api(T0 + 7, { type: 'message', data: 'b' }),
    api(T0 + 7, { type: 'state', state: 'CLOSING' }),
    frameEvent(T0 + 6, 'server', 0x1, 'b'),
    frameEvent(T0 + 8, 'client', 0x8, Uint8Array.of(0x0f, 0xa0, 0x64, 0x6f, 0x6e, 0x65)),
    api(T0 + 10, { type: 'state', state: 'CLOSED' }),
    api(T0 + 10, { type: 'close', code: 4000, reason: 'done', wasClean: true }),
    frameEvent(T0 + 9, 'server', 0x8, Uint8Array.of(0x0f, 0xa0, 0x64, 0x6f, 0x6e, 0x65)),
    { kind: 'eof', t: T0 + 10, from: 'server' },
  ];
  const second: SessionEvent[] = [
    api(T0 + 1, { type: 'create', url: URL_, protocols: [] }),
    api(T0 + 1, { type: 'state', state: 'CONNECTING' }),
    api(T0 + 1, { type: 'state', state: 'CLOSING' }),
    api(T0 + 2, { type: 'error' }),
    api(T0 + 2, { type: 'state', state: 'CLOSED' }),
    api(T0 + 2, { type: 'close', code: 1006, reason: '', wasClean: false }),
    { kind: 'handshake', t: T0 + 2, from: 'client', text: CHROMIUM_GET },
    { kind: 'eof', t: T0 + 3, from: 'client' },
  ];
  return trace(
    [connection('c1', URL_, main, { origin: 'code' }), connection('c2', URL_, second, { origin: 'code' })],
    {
      mode: 'server',
      console: [
        'created, readyState 0 (CONNECTING)',
        'send() while CONNECTING threw InvalidStateError',
        'open, readyState 1 (OPEN)',
        'second socket: error, readyState 3 (CLOSED)',
        'second socket: close 1006 wasClean=false',
        'message "a", readyState 1 (OPEN)',
        'message "b", readyState 1 (OPEN)',
        'close(1001) threw InvalidAccessError',
        'after close(): bufferedAmount 8 readyState 2 (CLOSING)',
        'close 4000 wasClean=true, readyState 3 (CLOSED)',
      ],
    },
  );
}

describe('server mode (Chromium on our Node server, the tap lagging the API)', () => {
  test.each(ids)('passes %s', (id) => {
    const r = run(id, serverModeTrace());
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  });
  test('an uncaught exception, as the code panel prints it, counts too', () => {
    const t = serverModeTrace();
    t.console = t.console.map((l) =>
      l.startsWith('send()')
        ? "Uncaught InvalidStateError: Failed to execute 'send' on 'WebSocket': Still in CONNECTING state."
        : l,
    );
    expect(run('send-too-early', t).ok).toBe(true);
  });
});

describe('error-event when Chromium had already sent its GET', () => {
  const url = serverUrl('/echo');
  const events = (closeCode: number): SessionEvent[] => [
    { kind: 'api', t: 0, type: 'create', url, protocols: [] },
    { kind: 'api', t: 0, type: 'state', state: 'CONNECTING' },
    { kind: 'api', t: 1, type: 'close-call' },
    ...opened(2, url).filter((e) => e.kind === 'handshake'),
    frameEvent(10, 'client', 0x8, Uint8Array.of(closeCode >> 8, closeCode & 0xff)),
    { kind: 'api', t: 11, type: 'error' },
    { kind: 'api', t: 11, type: 'state', state: 'CLOSED' },
    { kind: 'api', t: 11, type: 'close', code: 1006, reason: '', wasClean: false },
  ];

  test("passes: the browser's own CLOSE 1001 crossed the wire, and the page reported 1006", () => {
    const r = run('error-event', trace([connection('c1', url, events(1001))], { mode: 'server' }));
    expect(r).toMatchObject({
      ok: true,
      observed: expect.stringContaining("the browser's own CLOSE 1001 crossed the wire"),
    });
  });

  test('fails when a Close frame carries 1006, which is reported and never sent', () => {
    const r = run('error-event', trace([connection('c1', url, events(1006))], { mode: 'server' }));
    expect(r).toMatchObject({ ok: false, seen: 'a Close frame from the client with 1006' });
  });
});
