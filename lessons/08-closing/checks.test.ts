import { describe, expect, test } from 'vitest';
import type { Trace } from '../../app/lessons/kit.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  closeFrameEvent,
  connection,
  frameEvent,
  serverConnection,
  serverUrl,
  T0,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks, { ECHO_LIMIT } from './checks.ts';
import { closeFramesOf } from './closes.ts';
import play from './play.ts';

const KIB = 1024;

const { run, expectAllPass, failureText: failure, observed } = tasksUnderTest(checks);

const closed = (t: number, code: number, reason: string, wasClean: boolean): SessionEvent[] => [
  { kind: 'api', t, type: 'state', state: 'CLOSED' },
  { kind: 'api', t, type: 'close', code, reason, wasClean },
];

/** Everything the lesson asks, as our Node server's tap and Chromium's page record it. */
function serverSolution(): Trace {
  const chunk = 'x'.repeat(128 * KIB);
  // Chromium sends 1 MiB + 1 in frames of 128 KiB; /echo stops at its limit with 1009.
  const big: SessionEvent[] = [frameEvent(T0 + 40, 'client', 0x1, chunk, false)];
  for (let i = 1; i < 8; i++) big.push(frameEvent(T0 + 40 + i, 'client', 0x0, chunk, false));
  big.push(frameEvent(T0 + 48, 'client', 0x0, 'x', true));
  return trace(
    [
      serverConnection('c1', '/echo', [
        closeFrameEvent(T0 + 10, 'client', 1000, 'done'),
        closeFrameEvent(T0 + 11, 'server', 1000, 'done'),
        { kind: 'eof', t: T0 + 12, from: 'server' },
        ...closed(T0 + 12, 1000, 'done', true),
      ]),
      serverConnection('c2', '/close?code=4000&reason=bye', [
        closeFrameEvent(T0 + 20, 'server', 4000, 'bye'),
        closeFrameEvent(T0 + 21, 'client', 4000, 'bye'),
        ...closed(T0 + 22, 4000, 'bye', true),
      ]),
      serverConnection('c3', '/echo', [
        closeFrameEvent(T0 + 30, 'client', 4000, 'my app is done'),
        closeFrameEvent(T0 + 31, 'server', 4000, 'my app is done'),
        ...closed(T0 + 32, 4000, 'my app is done', true),
      ]),
      serverConnection('c4', '/echo', [
        ...big,
        closeFrameEvent(T0 + 49, 'server', 1009, 'MESSAGE_TOO_BIG'),
        closeFrameEvent(T0 + 50, 'client', 1009, 'MESSAGE_TOO_BIG'),
        ...closed(T0 + 51, 1009, 'MESSAGE_TOO_BIG', true),
      ]),
      serverConnection('c5', '/close?code=none', [
        closeFrameEvent(T0 + 60, 'server'),
        closeFrameEvent(T0 + 61, 'client'),
        ...closed(T0 + 62, 1005, '', true),
      ]),
      serverConnection('c6', '/close?drop=1', [
        { kind: 'eof', t: T0 + 70, from: 'server' },
        ...closed(T0 + 71, 1006, '', false),
      ]),
      serverConnection('c7', '/echo', [
        closeFrameEvent(T0 + 80, 'client', 1000, 'r'.repeat(123)),
        closeFrameEvent(T0 + 81, 'server', 1000, 'r'.repeat(123)),
        ...closed(T0 + 82, 1000, 'r'.repeat(123), true),
      ]),
    ],
    { mode: 'server' },
  );
}

describe('the solution passes every task', () => {
  test('recorded on the loopback, every task passes and points at the frame it read', async () => {
    const t = await recordLoopback(play.solution);
    expectAllPass(t);
    expect(observed('server-close', t)).toBe(
      "CLOSE 4000 'bye' from the server, then CLOSE 4000 'bye' from the client; the page reported 4000 'bye', wasClean true",
    );
    expect(observed('app-code', t)).toBe(
      "CLOSE 4000 'my app is done' from the client: a code of your own, on the wire as 4000",
    );
    expect(observed('reported-1005', t)).toBe(
      'an empty CLOSE (no code) from the server (0 bytes of payload); the page reported 1005, wasClean true: 1005 was never on the wire',
    );
    expect(observed('reported-1006', t)).toBe(
      'no CLOSE frame either way; the page reported 1006, wasClean false: 1006 was never on the wire',
    );
    expect(run('full-reason', t)).toMatchObject({ frame: { field: 'closeReason' } });
  });

  test('the browser refuses close(1001) and a 124-byte reason before anything reaches the wire', async () => {
    const t = await recordLoopback(play.solution);
    expect(t.console).toEqual([
      expect.stringMatching(/^close\(1001\) threw InvalidAccessError/),
      expect.stringMatching(/^close\(1000, 124-byte reason\) threw SyntaxError/),
    ]);
    const fromClient = t.connections.flatMap((c) => closeFramesOf(c).filter((f) => f.from === 'client'));
    expect(fromClient.map((f) => f.code)).not.toContain(1001);
    expect(Math.max(...fromClient.map((f) => f.reasonBytes))).toBe(123);
  });

  test('a server-mode trace (Chromium on our Node server, 1 MiB + 1 in 128 KiB frames) passes every task', () => {
    const t = serverSolution();
    expectAllPass(t);
    expect(observed('too-big', t)).toBe(
      "CLOSE 1009 'MESSAGE_TOO_BIG' from the server; the page reported 1009 'MESSAGE_TOO_BIG', wasClean true",
    );
    expect(observed('client-close', t)).toContain("CLOSE 1000 'rrrr");
  });
});

describe('the start fails every task, each saying what is missing', () => {
  test('with nothing done, each task names the connection or frame it is waiting for', async () => {
    const t = await recordLoopback(play.start);
    expect(failure('client-close', t)).toEqual({
      expected:
        'a CLOSE from the client first, then a CLOSE from the server that answers it, and a clean close (wasClean true)',
      seen: 'no connection to /echo yet',
      rfc: 'RFC 6455 §5.5.1',
    });
    expect(failure('server-close', t).seen).toBe('no connection to /close yet');
    expect(failure('app-code', t)).toMatchObject({
      seen: 'no CLOSE started by the client yet',
      rfc: 'RFC 6455 §7.4.2',
    });
    expect(failure('too-big', t)).toMatchObject({
      expected:
        'a CLOSE 1009 (Message Too Big) from /echo after a message over its limit of 1048576 bytes, and the page reporting 1009',
      seen: 'no connection to /echo yet',
      rfc: 'RFC 6455 §7.4.1',
    });
    expect(failure('reported-1005', t)).toMatchObject({
      seen: 'no connection to /close yet',
      rfc: 'RFC 6455 §7.1.5',
    });
    expect(failure('reported-1006', t)).toMatchObject({
      seen: 'no connection to /close yet',
      rfc: 'RFC 6455 §7.1.5',
    });
    expect(failure('full-reason', t)).toMatchObject({
      seen: 'no CLOSE from the client with a reason yet',
      rfc: 'RFC 6455 §5.5',
    });
  });
});

describe('wrong attempts fail with their own message', () => {
  test('closing with 1000 and a 100-byte reason fails app-code and full-reason, pointing at the fields', async () => {
    const t = await recordLoopback(play.wrong!.normalOnly!);
    expect(failure('app-code', t)).toEqual({
      expected:
        'a CLOSE from the client whose status code is in 3000-4999 (codes for libraries and applications)',
      seen: "your latest CLOSE: CLOSE 1000 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' from the client",
      field: 'closeCode',
      rfc: 'RFC 6455 §7.4.2',
    });
    expect(failure('full-reason', t)).toEqual({
      expected:
        'a CLOSE from the client with a reason of exactly 123 bytes of UTF-8: with the 2-byte code, the 125 bytes a control frame may carry',
      seen: 'your longest reason was 100 bytes (a payload of 102)',
      field: 'closeReason',
      rfc: 'RFC 6455 §5.5',
    });
  });

  test('an empty CLOSE from /close fails server-close (it has no code) but passes reported-1005', async () => {
    const t = await recordLoopback(play.wrong!.emptyServerClose!);
    expect(failure('server-close', t)).toMatchObject({
      seen: 'an empty CLOSE (no code) from the server: that is code=none; ask for a code, e.g. /close?code=4000&reason=bye',
      field: 'payload',
    });
    expect(run('reported-1005', t).ok).toBe(true);
    expect(failure('reported-1006', t).seen).toBe(
      'on the latest /close connection: an empty CLOSE (no code) from the server, then an empty CLOSE (no code) from the client; the page reported 1005, wasClean true',
    );
  });

  test(`a message of exactly ${ECHO_LIMIT} bytes is echoed: too-big fails and says so`, async () => {
    const t = await recordLoopback(play.wrong!.atTheLimit!);
    expect(failure('too-big', t).seen).toBe(
      'on the latest /echo connection: CLOSE 1000 from the client, then CLOSE 1000 from the server; the page reported 1000, wasClean true (the biggest message echoed back: 1048576 bytes)',
    );
  });

  test('when the server closes first, client-close says so and points at its code', async () => {
    const t = await recordLoopback(play.wrong!.tooBigOnly!);
    expect(failure('client-close', t)).toMatchObject({
      seen: "the server closed first: CLOSE 1009 'MESSAGE_TOO_BIG' from the server; the page reported 1009 'MESSAGE_TOO_BIG', wasClean true",
      field: 'closeCode',
      rfc: 'RFC 6455 §5.5.1',
    });
  });

  test('a CLOSE from the client with no answer yet fails client-close (7.1.2)', () => {
    const t = trace([serverConnection('c1', '/echo', [closeFrameEvent(T0 + 10, 'client', 1000)])], {
      mode: 'server',
    });
    expect(failure('client-close', t)).toMatchObject({
      seen: 'CLOSE 1000 from the client, and no CLOSE back from the server yet',
      field: 'opcode',
      rfc: 'RFC 6455 §7.1.2',
    });
  });

  test('a CLOSE answered but reported unclean fails client-close: the handshake must end clean (7.1.2)', () => {
    const t = trace(
      [
        serverConnection('c1', '/echo', [
          closeFrameEvent(T0 + 10, 'client', 1000),
          closeFrameEvent(T0 + 11, 'server', 1000),
          ...closed(T0 + 12, 1006, '', false),
        ]),
      ],
      { mode: 'server' },
    );
    expect(failure('client-close', t)).toMatchObject({
      seen: 'CLOSE 1000 from the client, then CLOSE 1000 from the server; the page reported 1006, wasClean false',
      rfc: 'RFC 6455 §7.1.2',
    });
  });

  test('a server CLOSE the browser did not answer fails server-close', () => {
    const t = trace(
      [serverConnection('c1', '/close?code=4000', [closeFrameEvent(T0 + 10, 'server', 4000)])],
      {
        mode: 'server',
      },
    );
    expect(failure('server-close', t).seen).toBe(
      'CLOSE 4000 from the server, and no CLOSE from the browser in answer',
    );
  });

  test('a page that reports another code than the first CLOSE received fails server-close (7.1.5)', () => {
    const t = trace([
      serverConnection('c1', '/close?code=4000', [
        closeFrameEvent(T0 + 10, 'server', 4000),
        closeFrameEvent(T0 + 11, 'client', 4000),
        ...closed(T0 + 12, 1000, '', true),
      ]),
    ]);
    expect(failure('server-close', t)).toEqual({
      expected: 'the page reporting 4000, the code of the first CLOSE it received',
      seen: 'the page reported 1000, wasClean true',
      field: 'closeCode',
      rfc: 'RFC 6455 §7.1.5',
    });
  });

  test('a CLOSE 1009 on the wire with another code reported fails too-big', () => {
    const t = trace([
      serverConnection('c1', '/echo', [
        closeFrameEvent(T0 + 10, 'server', 1009),
        ...closed(T0 + 11, 1006, '', false),
      ]),
    ]);
    expect(failure('too-big', t).seen).toBe(
      'CLOSE 1009 on the wire, but the page reported 1006, wasClean false',
    );
  });

  test('an empty CLOSE with another code reported fails reported-1005', () => {
    const t = trace([
      serverConnection('c1', '/close?code=none', [
        closeFrameEvent(T0 + 10, 'server'),
        ...closed(T0 + 11, 1000, '', true),
      ]),
    ]);
    expect(failure('reported-1005', t)).toMatchObject({
      seen: 'an empty CLOSE (no code) from the server, but the page reported 1000, wasClean true',
      field: 'payload',
    });
  });

  test('a connection that never opened does not count as a dropped one for reported-1006', () => {
    const url = serverUrl('/close?drop=1');
    const t = trace([
      connection('c1', url, [
        { kind: 'api', t: T0, type: 'create', url, protocols: [] },
        { kind: 'api', t: T0 + 1, type: 'error' },
        ...closed(T0 + 2, 1006, '', false),
      ]),
    ]);
    expect(failure('reported-1006', t).seen).toBe(
      'on the latest /close connection: no CLOSE frame either way; the page reported 1006, wasClean false',
    );
  });
});
