import { describe, expect, test } from 'vitest';
import type { Trace } from '../../app/lessons/kit.ts';
import type { LessonMode } from '../../app/lessons/types.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  connection,
  connectionIn,
  frameEvent,
  opened,
  serverConnection,
  T0,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks from './checks.ts';
import play, { BIG } from './play.ts';

const KIB = 1024;

const { run, expectAllPass, failureText: failure } = tasksUnderTest(checks);

const message = (t: number, data: string): SessionEvent => ({ kind: 'api', t, type: 'message', data });

/** Server mode, /echo: Chromium splits 300 KiB into frames of 128 KiB; our server echoes it whole. */
function serverEcho(options: { echo?: boolean } = {}): Trace {
  const data = 'x'.repeat(BIG);
  const events: SessionEvent[] = [
    { kind: 'api', t: T0 + 10, type: 'send', data },
    frameEvent(T0 + 11, 'client', 0x1, data.slice(0, 128 * KIB), false),
    frameEvent(T0 + 12, 'client', 0x0, data.slice(128 * KIB, 256 * KIB), false),
    frameEvent(T0 + 13, 'client', 0x0, data.slice(256 * KIB), true),
  ];
  if (options.echo !== false) events.push(frameEvent(T0 + 14, 'server', 0x1, data), message(T0 + 15, data));
  return trace([serverConnection('c1', '/echo', events)], { mode: 'server' });
}

/**
 * What /misbehave?do=fragments&n=3 sends (the endpoint's contract): one valid text message in
 * three frames with a ping between the first two; the client's pong and the page's one event.
 */
function misbehaveFragments(
  options: { mode?: LessonMode; ping?: boolean; pong?: string; events?: string[] } = {},
): Trace {
  const mode = options.mode ?? 'server';
  const events: SessionEvent[] = [frameEvent(T0 + 10, 'server', 0x1, 'one text ', false)];
  if (options.ping !== false) events.push(frameEvent(T0 + 11, 'server', 0x9, 'between'));
  events.push(frameEvent(T0 + 12, 'server', 0x0, 'message, ', false));
  if (options.ping !== false && options.pong !== '')
    events.push(frameEvent(T0 + 13, 'client', 0xa, options.pong ?? 'between'));
  events.push(frameEvent(T0 + 14, 'server', 0x0, 'three frames', true));
  for (const data of options.events ?? ['one text message, three frames'])
    events.push(message(T0 + 15, data));
  return trace([connectionIn(mode, 'c1', '/misbehave?do=fragments&n=3', events)], { mode });
}

/** The learner's client (code) on their own server (ws://localhost:8080), which sends `frames`. */
function ownServer(frames: [string, boolean][], events = [frames.map((f) => f[0]).join('')]): Trace {
  const url = 'ws://localhost:8080/';
  const wire: SessionEvent[] = frames.map(([text, fin], i) =>
    frameEvent(T0 + 10 + i, 'server', i === 0 ? 0x1 : 0x0, text, fin),
  );
  return trace([
    connection('c1', url, [...opened(T0, url), ...wire, ...events.map((d) => message(T0 + 20, d))], {
      origin: 'code',
    }),
  ]);
}

describe('the solution passes', () => {
  test('sending a message in 3 fragments to /echo (loopback) and getting one echo passes steps 1', async () => {
    const t = await recordLoopback(play.solution);
    const sent = run('client-fragments', t);
    expect(sent).toMatchObject({
      ok: true,
      observed: 'the client sent TEXT (FIN=0) + CONT (FIN=0) + CONT (FIN=1), 25 bytes in all',
      frame: { field: 'fin' },
    });
    expect(run('echo-one-message', t)).toMatchObject({ ok: true });
    expect((run('echo-one-message', t) as { observed: string }).observed).toContain(
      '3 frames out, one message event of 25 bytes back',
    );
  });

  test('the recorded solution passes the ping-between tasks on /misbehave', async () => {
    const t = await recordLoopback(play.solution);
    for (const id of ['ping-between', 'pong-between', 'one-event'])
      expect(run(id, t)).toMatchObject({ ok: true });
  });

  test('the recorded solution, with stand-ins for /misbehave and step 3, passes every task', async () => {
    const recorded = await recordLoopback(play.solution);
    const misbehave = misbehaveFragments({ mode: 'loopback' }).connections[0]!;
    const own = ownServer([
      ['Hello, ', false],
      ['frag', false],
      ['ments', true],
    ]).connections[0]!;
    const t = {
      ...recorded,
      connections: [...recorded.connections, { ...misbehave, id: 'm1' }, { ...own, id: 'o1' }],
    };
    expectAllPass(t);
  });

  test('a server-mode trace passes: Chromium splits 300 KiB into TEXT + 2 CONT, the echo is one event', () => {
    const t = serverEcho();
    expect(run('client-fragments', t)).toMatchObject({
      ok: true,
      observed: 'the client sent TEXT (FIN=0) + CONT (FIN=0) + CONT (FIN=1), 307200 bytes in all',
    });
    expect(run('echo-one-message', t)).toMatchObject({ ok: true });
    expect((run('echo-one-message', t) as { observed: string }).observed).toBe(
      '3 frames out, one message event of 307200 bytes back (it came back as TEXT (FIN=1), 307200 bytes in all)',
    );
  });

  test.each(['server', 'loopback'] as const)(
    'a ping between fragments, the pong and one message event pass (%s, hand-built /misbehave trace)',
    (mode) => {
      const t = misbehaveFragments({ mode });
      expect(run('ping-between', t)).toMatchObject({
        ok: true,
        observed:
          'the server sent TEXT (FIN=0), PING, CONT (FIN=0), CONT (FIN=1): the PING came in the middle',
        frame: { event: 7, field: 'opcode' },
      });
      expect(run('pong-between', t)).toMatchObject({ ok: true, frame: { field: 'opcode' } });
      expect(run('one-event', t)).toMatchObject({
        ok: true,
        observed: "3 fragments and a ping, one message event: 'one text message, three frames'",
      });
    },
  );

  test("the learner's server sending send(part, { fin: false }) twice then a last part passes step 3", () => {
    const t = ownServer([
      ['Hel', false],
      ['lo, ', false],
      ['fragments', true],
    ]);
    expect(run('server-fragments', t)).toMatchObject({
      ok: true,
      observed: 'your server sent TEXT (FIN=0) + CONT (FIN=0) + CONT (FIN=1), 16 bytes in all',
    });
    expect(run('server-one-event', t)).toMatchObject({
      ok: true,
      observed: '3 frames from your server, one message event of 16 bytes',
    });
  });

  test('the last relevant connection counts: a later one-frame message does not undo a fragmented one', () => {
    const good = serverEcho();
    const later = serverConnection('c2', '/echo', [frameEvent(T0 + 50, 'client', 0x1, 'hi')]);
    expect(run('client-fragments', trace([...good.connections, later], { mode: 'server' })).ok).toBe(true);
  });
});

describe('the start fails every task, each saying what is missing', () => {
  test('with nothing done, every task fails with "none yet"', async () => {
    const t = await recordLoopback(play.start);
    expect(failure('client-fragments', t)).toEqual({
      expected:
        'one message from the client in 2 or more frames: a TEXT or BINARY frame with FIN=0, then CONTINUATION frames (opcode 0x0), the last one with FIN=1 (in the composer, set Fragments to 3 and send)',
      seen: 'no connection to /echo yet',
      rfc: 'RFC 6455 §5.4',
    });
    expect(failure('echo-one-message', t).seen).toBe('no fragmented message from the client yet');
    expect(failure('ping-between', t).seen).toBe('no connection to /misbehave?do=fragments yet');
    expect(failure('pong-between', t)).toMatchObject({
      seen: 'no PING between fragments yet',
      rfc: 'RFC 6455 §5.5.2',
    });
    expect(failure('one-event', t).seen).toBe('no PING between fragments yet');
    expect(failure('server-fragments', t).seen).toBe(
      'no connection from your code to your own server yet (run server.js, then client.js)',
    );
    expect(failure('server-one-event', t).seen).toBe('no fragmented message from your server yet');
  });

  test('in server mode, the expectation says to send 300 KiB instead of using Fragments', () => {
    const t = trace([], { mode: 'server' });
    expect(failure('client-fragments', t).expected).toContain(
      'your browser splits only messages over about 128 KiB: run big-message.js, which sends 300 KiB',
    );
  });
});

describe('wrong attempts fail with their own message', () => {
  test('a message sent in one frame: "each a single frame with FIN=1", pointing at FIN', async () => {
    const t = await recordLoopback(play.wrong!.oneFrame!);
    expect(failure('client-fragments', t)).toMatchObject({
      seen: '1 message, each a single frame with FIN=1; the largest: TEXT "one message, one frame" · 22 B · masked from the client',
      field: 'fin',
      rfc: 'RFC 6455 §5.4',
    });
    expect(failure('echo-one-message', t).seen).toBe('no fragmented message from the client yet');
  });

  test('a message whose last fragment never came is named as cut short', () => {
    const t = trace([
      connectionIn('loopback', 'c1', '/echo', [frameEvent(T0 + 10, 'client', 0x1, 'half', false)]),
    ]);
    expect(failure('client-fragments', t)).toMatchObject({
      seen: 'a message whose last fragment never came: TEXT (FIN=0), 4 bytes in all',
      field: 'fin',
    });
  });

  test('fragments sent but no echo event yet: "no message event on that connection yet"', () => {
    expect(failure('echo-one-message', serverEcho({ echo: false }))).toEqual({
      expected:
        'one message event carrying all 307200 bytes: /echo reassembled the 3 fragments and sent the message back (5.4)',
      seen: 'no message event on that connection yet',
      rfc: 'RFC 6455 §5.4',
    });
  });

  test('fragments with nothing between them fail ping-between', () => {
    expect(failure('ping-between', misbehaveFragments({ ping: false }))).toMatchObject({
      seen: 'TEXT (FIN=0) + CONT (FIN=0) + CONT (FIN=1), 30 bytes in all with nothing between the fragments',
      field: 'fin',
      rfc: 'RFC 6455 §5.4',
    });
  });

  test('no pong from the client fails pong-between, pointing at the ping', () => {
    expect(failure('pong-between', misbehaveFragments({ pong: '' }))).toEqual({
      expected:
        "a PONG from the client carrying the PING's payload (7 bytes): the answer §5.5.2 requires, with the same data (§5.5.3)",
      seen: 'no PONG from the client on that connection',
      field: 'opcode',
      rfc: 'RFC 6455 §5.5.2',
    });
  });

  test('a pong with another payload fails pong-between (5.5.3)', () => {
    expect(failure('pong-between', misbehaveFragments({ pong: 'other' }))).toMatchObject({
      seen: 'PONG "other" · 5 B · masked from the client, whose payload differs from the PING\'s',
      field: 'payload',
      rfc: 'RFC 6455 §5.5.3',
    });
  });

  test('one message event per fragment fails one-event with the count', () => {
    const t = misbehaveFragments({ events: ['one text ', 'message, ', 'three frames'] });
    expect(failure('one-event', t)).toEqual({
      expected:
        "exactly one message event, whose data is all 3 fragments joined: 'one text message, three frames'",
      seen: '3 message events, of 9, 9, 12 bytes',
      rfc: 'RFC 6455 §5.4',
    });
  });

  test('one event with the wrong data fails one-event, quoting it', () => {
    const t = misbehaveFragments({ events: ['three frames'] });
    expect(failure('one-event', t).seen).toBe("one message event, but its data is 'three frames'");
  });

  test("the learner's server sending one frame fails both server tasks", () => {
    const t = ownServer([['Hello, fragments', true]]);
    expect(failure('server-fragments', t)).toMatchObject({
      expected:
        'a message from your server in 2 or more frames: a TEXT or BINARY frame with FIN=0, then CONTINUATION frames (opcode 0x0), the last one with FIN=1; in ws, send(part, { fin: false }) for every part but the last',
      seen: '1 message, each a single frame with FIN=1; the largest: TEXT "Hello, fragments" · 16 B from the server',
      field: 'fin',
    });
    expect(failure('server-one-event', t).seen).toBe('no fragmented message from your server yet');
  });

  test("fragments from the learner's server with no event in the client fail server-one-event", () => {
    const t = ownServer(
      [
        ['Hel', false],
        ['lo', true],
      ],
      [],
    );
    expect(failure('server-one-event', t)).toEqual({
      expected: 'one message event in your client with all 5 bytes of the 2 fragments joined',
      seen: 'no message event in your client yet',
      rfc: 'RFC 6455 §5.4',
    });
  });

  test('bundled endpoints opened from code are not "your own server"', () => {
    const url = 'ws://localhost:5173/echo';
    const t = trace([
      connection(
        'c1',
        url,
        [
          ...opened(T0, url),
          frameEvent(T0 + 5, 'server', 0x1, 'a', false),
          frameEvent(T0 + 6, 'server', 0x0, 'b'),
        ],
        {
          origin: 'code',
        },
      ),
    ]);
    expect(failure('server-fragments', t).seen).toContain(
      'no connection from your code to your own server yet',
    );
  });
});
