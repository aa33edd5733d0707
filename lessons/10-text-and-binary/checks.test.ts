import { describe, expect, test } from 'vitest';
import type { Trace } from '../../app/lessons/kit.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  closePayload,
  frameEvent,
  serverConnection,
  T0,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks from './checks.ts';
import play, { KOSME } from './play.ts';

const { run, expectAllPass, failureText: failure, observed } = tasksUnderTest(checks);

const HI = Uint8Array.of(0x68, 0x69);
/** /misbehave?do=bad-utf8's payload: "κόσμε" and ED A0 80 (a surrogate). */
const BAD = Uint8Array.of(0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80);

/** Server mode, by hand: Chromium on /echo (the tap's frames) and then on /misbehave?do=bad-utf8. */
function serverTrace(
  options: { clientClose?: number; message?: boolean; arraybuffer?: boolean } = {},
): Trace {
  const echo: SessionEvent[] = [
    frameEvent(T0 + 10, 'client', 0x1, 'hi'),
    frameEvent(T0 + 11, 'server', 0x1, 'hi'),
    { kind: 'api', t: T0 + 11, type: 'message', data: 'hi' },
    frameEvent(T0 + 20, 'client', 0x2, HI),
    frameEvent(T0 + 21, 'server', 0x2, HI),
    { kind: 'api', t: T0 + 21, type: 'message', data: { type: 'Blob', bytes: HI, size: 2 } },
  ];
  if (options.arraybuffer !== false)
    echo.push(frameEvent(T0 + 30, 'client', 0x2, HI), frameEvent(T0 + 31, 'server', 0x2, HI), {
      kind: 'api',
      t: T0 + 31,
      type: 'message',
      data: { type: 'ArrayBuffer', bytes: HI },
    });
  echo.push(frameEvent(T0 + 40, 'client', 0x1, KOSME), frameEvent(T0 + 41, 'server', 0x1, KOSME), {
    kind: 'api',
    t: T0 + 41,
    type: 'message',
    data: KOSME,
  });
  const bad: SessionEvent[] = [frameEvent(T0 + 110, 'server', 0x1, BAD)];
  if (options.message) bad.push({ kind: 'api', t: T0 + 111, type: 'message', data: 'κόσμε\ufffd' });
  bad.push(
    frameEvent(T0 + 112, 'client', 0x8, closePayload(options.clientClose ?? 1002)),
    { kind: 'api', t: T0 + 112, type: 'error' },
    { kind: 'api', t: T0 + 113, type: 'close', code: 1006, reason: '', wasClean: false },
  );
  return trace(
    [
      serverConnection('c1', '/echo', echo),
      serverConnection('c2', '/misbehave?do=bad-utf8', bad, { t0: T0 + 100 }),
    ],
    { mode: 'server' },
  );
}

describe('the solution passes', () => {
  test('the recorded solution (loopback) passes every task, and says what the wire showed', async () => {
    const t = await recordLoopback(play.solution);
    expectAllPass(t);
    expect(observed('blob-and-arraybuffer', t)).toBe(
      'a Blob of 2 bytes and an ArrayBuffer of 2 bytes; on the wire every one was a BINARY frame (opcode 0x2)',
    );
    expect(observed('utf8-length', t)).toBe(`'${KOSME}': 5 characters, 11 bytes of UTF-8 in the payload`);
    expect(run('utf8-length', t)).toMatchObject({ frame: { field: 'len7' } });
    expect(observed('bad-utf8-frame', t)).toContain('ce ba e1 bd b9 ce bc ce b5 ed a0 80');
    expect(observed('bad-utf8-failed', t)).toBe(
      'the client sent CLOSE 1007; the page got no message, then close 1006 (wasClean false)',
    );
  });

  test('a server-mode trace passes every task: Chromium closes a text frame that is not UTF-8 with 1002, not 1007', () => {
    const t = serverTrace();
    expectAllPass(t);
    expect(observed('bad-utf8-failed', t)).toBe(
      'the client sent CLOSE 1002; the page got no message, then close 1006 (wasClean false)',
    );
    expect(observed('sent-binary', t)).toContain('BINARY 0x68 69');
  });
});

describe('the start fails every task, each with what to do', () => {
  test.each([
    ['sent-text', 'no connection to /echo yet'],
    ['sent-binary', 'no connection to /echo yet'],
    ['blob-and-arraybuffer', 'no binary message event from /echo yet'],
    ['utf8-length', 'no connection to /echo yet'],
    ['bad-utf8-frame', 'no connection to /misbehave?do=bad-utf8 yet'],
    ['bad-utf8-failed', 'no connection to /misbehave?do=bad-utf8 yet'],
  ])('%s: %s', async (id, seen) => {
    const f = failure(id, await recordLoopback(play.start));
    expect(f.seen).toBe(seen);
  });
});

describe('wrong attempts fail with what the wire showed', () => {
  test('strings only: a string is always a TEXT frame, so no binary message and no Blob', async () => {
    const t = await recordLoopback(play.wrong!.textOnly!);
    expect(failure('sent-binary', t)).toMatchObject({
      seen: `only TEXT frames from the client; the latest: TEXT "${KOSME}" · 11 B · masked from the client (a string is always sent as text)`,
      field: 'opcode',
      rfc: 'RFC 6455 §5.6',
    });
    expect(failure('blob-and-arraybuffer', t).seen).toBe('no binary message event from /echo yet');
    expect(run('sent-text', t)).toMatchObject({ ok: true });
  });

  test("binary twice with binaryType left at 'blob': two Blobs, no ArrayBuffer; ASCII text has one byte per character", async () => {
    const t = await recordLoopback(play.wrong!.blobOnly!);
    expect(failure('blob-and-arraybuffer', t)).toMatchObject({
      seen: "2 binary messages, every one a Blob: none received with binaryType 'arraybuffer' (set it in the composer, then send binary again)",
      field: 'opcode',
    });
    expect(failure('utf8-length', t)).toMatchObject({
      seen: "only ASCII text: the latest, 'hello', has as many characters as bytes (5)",
      field: 'payload',
    });
  });

  test("binaryType 'arraybuffer' from the start: no Blob; no text sent at all", async () => {
    const t = await recordLoopback(play.wrong!.arrayBufferOnly!);
    expect(failure('blob-and-arraybuffer', t).seen).toBe(
      "1 binary message, every one an ArrayBuffer: none received with binaryType 'blob'",
    );
    expect(failure('sent-text', t)).toMatchObject({
      seen: 'only BINARY 0x01 02 03 · 3 B · masked from the client',
      field: 'opcode',
    });
    expect(failure('utf8-length', t).seen).toBe('no TEXT frame from the client on /echo yet');
  });

  test('a client that delivered the bad text as a message fails bad-utf8-failed (8.1: it must fail the connection)', () => {
    expect(failure('bad-utf8-failed', serverTrace({ message: true })).seen).toBe(
      "the page got 1 message event: 'κόσμε\ufffd'",
    );
  });

  test('a client that closed with another code (1000) fails, pointing at its close code', () => {
    expect(failure('bad-utf8-failed', serverTrace({ clientClose: 1000 }))).toMatchObject({
      seen: "the client's CLOSE 1000 Normal Closure · masked from the client",
      field: 'closeCode',
      rfc: 'RFC 6455 §7.4.1',
    });
  });

  test('the expectation names the code of the mode: 1002 for Chromium (server), 1007 for our engine (loopback)', async () => {
    expect(failure('bad-utf8-failed', trace([], { mode: 'server' })).expected).toContain(
      'Chromium sends 1002',
    );
    expect(failure('bad-utf8-failed', await recordLoopback(play.start)).expected).toContain(
      'our engine sends 1007',
    );
  });

  test('a server trace without the ArrayBuffer message fails blob-and-arraybuffer', () => {
    expect(failure('blob-and-arraybuffer', serverTrace({ arraybuffer: false })).seen).toContain(
      'every one a Blob',
    );
  });
});
