import { describe, expect, test } from 'vitest';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import { encodeUtf8 } from '../../app/ui/lib/engine.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  closePayload,
  connection,
  connectionIn,
  frameBytes,
  frameEvent,
  maskedFrameEvent,
  opened,
  serverConnection,
  serverOpened,
  serverUrl,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { Trace } from '../../app/lessons/types.ts';
import checks, { UNMASKED_INPUT, xorWithKey } from './checks.ts';
import play from './play.ts';

const { run, failure } = tasksUnderTest(checks);

const solution = await recordLoopback(play.solution);
const start = await recordLoopback(play.start);
const wrong = Object.fromEntries(
  await Promise.all(
    Object.entries(play.wrong!).map(async ([name, walk]) => [name, await recordLoopback(walk)] as const),
  ),
);

const T0 = 1_760_000_000_000;
const KEY = 'x3JJHMbDL1EzLkh9GBhXDw==';

/** A client data frame masked with a chosen key, as a browser would send it. */
const clientFrame = (t: number, payload: string | Uint8Array, key: number[], opcode = 0x1): SessionEvent =>
  maskedFrameEvent(t, opcode, payload, key);

/** Server mode, /echo: 'hello' twice with Chromium's random keys, both echoed. */
const serverEcho = trace(
  [
    serverConnection(
      'c1',
      '/echo',
      [
        clientFrame(T0 + 10, 'hello', [0xa3, 0x5c, 0x09, 0xe1]),
        frameEvent(T0 + 11, 'server', 0x1, 'hello'),
        { kind: 'api', t: T0 + 11, type: 'message', data: 'hello' },
        clientFrame(T0 + 20, 'hello', [0x4e, 0xd2, 0x77, 0x18]),
        frameEvent(T0 + 21, 'server', 0x1, 'hello'),
        { kind: 'api', t: T0 + 21, type: 'message', data: 'hello' },
      ],
      { t0: T0, key: KEY, tap: 'Qm9vdHN0cmFwVGFwVG9rZW4x' },
    ),
  ],
  // 'hello' unmasked by hand, typed with capitals and no spaces.
  { mode: 'server', inputs: { [UNMASKED_INPUT]: '68656C6C6F' } },
);

/** An /echo trace from the given events after the opening. */
function echoTrace(events: SessionEvent[], inputs: Record<string, string> = {}): Trace {
  return trace([connectionIn('loopback', 'c1', '/echo', events, { t0: T0 })], { inputs });
}

describe('client-masked: the page masks its frames (5.1, 5.3), the server does not', () => {
  test('passes on the solution: the masked bytes, the key and the plain echo', () => {
    const r = run('client-masked', solution);
    expect(r.ok).toBe(true);
    expect(r.ok && r.observed).toMatch(
      /your 'hello' crossed as [0-9a-f ]+ with key [0-9a-f ]{11}; the echo came back as plain 68 65 6c 6c 6f/,
    );
  });

  test('passes on a server-mode trace (Chromium headers, tap URL)', () => {
    expect(run('client-masked', serverEcho)).toMatchObject({
      ok: true,
      observed: expect.stringContaining('key 4e d2 77 18'),
    });
  });

  test('fails before anything was sent: no connection to /echo', () => {
    expect(failure('client-masked', start)).toMatchObject({
      seen: 'no connection to /echo yet',
      rfc: 'RFC 6455 §5.3',
    });
  });

  test('fails on a connection with no message from the page', () => {
    expect(failure('client-masked', echoTrace([])).seen).toBe('no message from your page yet: send one');
  });

  test('fails, pointing at the MASK bit, when a client frame is unmasked (5.1)', () => {
    const unmasked: SessionEvent = {
      kind: 'frame',
      t: T0 + 10,
      from: 'client',
      bytes: frameBytes('server', 0x1, 'hello'),
    };
    const r = failure('client-masked', echoTrace([unmasked]));
    expect(r.expected).toBe('MASK = 1 and a 4-byte key on every frame from the client');
    expect(r.seen).toContain('with MASK = 0');
    expect(r).toMatchObject({ rfc: 'RFC 6455 §5.1', frame: { connection: 'c1', event: 6, field: 'mask' } });
  });

  test('fails while the echo has not come back', () => {
    const r = failure('client-masked', echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello')]));
    expect(r.expected).toBe("the echo of 'hello' from the server");
    expect(r.seen).toBe('your frame went out masked; its echo has not come back yet');
  });

  test('passes on an earlier frame whose echo is back while the newest is still on its way', () => {
    const r = run(
      'client-masked',
      echoTrace([
        frameEvent(T0 + 10, 'client', 0x1, 'hello'),
        frameEvent(T0 + 11, 'server', 0x1, 'hello'),
        clientFrame(T0 + 20, 'again', [5, 6, 7, 8]),
      ]),
    );
    expect(r).toMatchObject({
      ok: true,
      observed: expect.stringContaining('key 37 fa 21 3d'),
      frame: { event: 6 },
    });
  });

  test('fails when the echo comes back masked: a server never masks (5.1)', () => {
    const maskedEcho = {
      kind: 'frame',
      t: T0 + 11,
      from: 'server',
      bytes: frameBytes('client', 0x1, 'hello'),
    } as const;
    const r = failure('client-masked', echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello'), maskedEcho]));
    expect(r).toMatchObject({
      expected: 'the echo with MASK = 0: a server never masks',
      seen: 'the echo has MASK = 1, key 37 fa 21 3d',
      frame: { event: 7, field: 'mask' },
    });
  });
});

describe('same-twice: one message sent twice crosses as different bytes (5.3)', () => {
  test('passes on the solution: two keys, two sets of bytes', () => {
    const r = run('same-twice', solution);
    expect(r.ok && r.observed).toMatch(/^the same 'hello' crossed as .+ \(key .+\) and as .+ \(key .+\)$/);
  });

  test('passes on a server-mode trace', () => {
    expect(run('same-twice', serverEcho).ok).toBe(true);
  });

  test('passes when the two frames went over two connections', () => {
    const two = trace([
      connectionIn('loopback', 'c1', '/echo', [clientFrame(T0 + 5, 'abcd', [1, 2, 3, 4])], { t0: T0 }),
      connectionIn('loopback', 'c2', '/echo', [clientFrame(T0 + 15, 'abcd', [5, 6, 7, 8])], { t0: T0 + 9 }),
    ]);
    expect(run('same-twice', two).ok).toBe(true);
  });

  test('fails before anything was sent', () => {
    expect(failure('same-twice', start).seen).toBe('no connection to /echo yet');
  });

  test('fails with one message only', () => {
    const r = failure('same-twice', wrong.once!);
    expect(r.expected).toBe(
      'two frames from your page with the same payload, each with its own mask key, so different bytes on the wire',
    );
    expect(r.seen).toBe("one message so far: 'hello'");
  });

  test('fails with two different messages, naming them', () => {
    expect(failure('same-twice', wrong.different!).seen).toBe("2 messages, no two alike: 'world', 'hello'");
  });

  test('fails when both frames used the same key: keys must be fresh (5.3)', () => {
    const r = failure(
      'same-twice',
      echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello'), frameEvent(T0 + 20, 'client', 0x1, 'hello')]),
    );
    expect(r).toMatchObject({
      expected: 'a fresh, unpredictable mask key for each frame',
      seen: "both frames of 'hello' used the key 37 fa 21 3d",
      frame: { event: 7, field: 'maskKey' },
      rfc: 'RFC 6455 §5.3',
    });
  });

  test('fails when a 1-byte message hides the different keys, and says to send a longer one', () => {
    const r = failure(
      'same-twice',
      echoTrace([clientFrame(T0 + 10, 'x', [9, 1, 2, 3]), clientFrame(T0 + 20, 'x', [9, 4, 5, 6])]),
    );
    expect(r.seen).toBe(
      'keys 09 01 02 03 and 09 04 05 06 differ, yet both frames crossed as 71: a payload of 1 byte uses only the first key byte; send a message of 4 bytes or more',
    );
  });
});

describe('unmasked-by-hand: the learner XORs their own frame with its key (5.3)', () => {
  test('passes on the solution: the bytes typed are the frame unmasked', () => {
    const r = run('unmasked-by-hand', solution);
    expect(r.ok && r.observed).toMatch(/^you unmasked [0-9a-f ]+ with key [0-9a-f ]{11} into 'hello'$/);
  });

  test('passes on a server-mode trace, whatever the hex is written like', () => {
    expect(run('unmasked-by-hand', serverEcho).ok).toBe(true);
    const prefixed = { ...serverEcho, inputs: { [UNMASKED_INPUT]: '0x68, 0x65, 0x6c, 0x6c' } };
    expect(run('unmasked-by-hand', prefixed)).toMatchObject({
      ok: true,
      observed: expect.stringContaining("into 'hell'"),
    });
  });

  test('passes when the bytes are typed as a whole unmasked frame: 81, the length, the payload', () => {
    const asFrame = { ...serverEcho, inputs: { [UNMASKED_INPUT]: '81 05 68 65 6c 6c 6f' } };
    expect(run('unmasked-by-hand', asFrame)).toMatchObject({
      ok: true,
      observed: expect.stringContaining("into 'hello'"),
    });
  });

  test('a whole frame with a wrong byte is judged on its payload', () => {
    const asFrame = { ...serverEcho, inputs: { [UNMASKED_INPUT]: '81 05 68 65 6c 6c 70' } };
    expect(failure('unmasked-by-hand', asFrame).seen).toMatch(/^byte 4: .* = 0x6f; you typed 0x70/);
  });

  test('a frame whose length byte does not match the bytes typed is named as such', () => {
    const cut = { ...serverEcho, inputs: { [UNMASKED_INPUT]: '81 05 68 65 6c 6c' } };
    expect(failure('unmasked-by-hand', cut).seen).toBe(
      '81 05 68 65 6c 6c starts like a frame, but it is not one whole unmasked frame: cut short: 6 bytes of a longer frame',
    );
  });

  test('fails before anything was sent', () => {
    expect(failure('unmasked-by-hand', start).seen).toBe(
      'no message from your page to /echo yet: send one first',
    );
  });

  test('fails when nothing was typed', () => {
    const r = failure('unmasked-by-hand', wrong.different!);
    expect(r.expected).toBe(
      'the first 4 or more payload bytes of one of your frames, unmasked by hand (masked byte XOR key byte), in hex',
    );
    expect(r.seen).toBe('nothing typed yet');
  });

  test('fails on a wrong byte, showing the XOR it should have done', () => {
    const r = failure('unmasked-by-hand', wrong['wrong-byte']!);
    expect(r.seen).toMatch(
      /^byte 4: the wire has 0x[0-9a-f]{2} and key byte 0 is 0x[0-9a-f]{2}, so 0x[0-9a-f]{2} XOR 0x[0-9a-f]{2} = 0x6f; you typed 0x6e \(frame with key .+\)$/,
    );
    expect(r.frame?.field).toBe('payload');
  });

  test("fails on an answer copied from someone else's frame: it is recomputed from the learner's own key", () => {
    const r = failure('unmasked-by-hand', wrong.copied!);
    expect(r.seen).toMatch(/^byte 1: .* = 0x6f; you typed 0x65/);
  });

  test('fails when the masked bytes were typed as they are on the wire', () => {
    const onWire = frameBytes('client', 0x1, 'hello').subarray(6);
    const r = failure(
      'unmasked-by-hand',
      echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello')], {
        [UNMASKED_INPUT]: Buffer.from(onWire).toString('hex'),
      }),
    );
    expect(r.seen).toBe(
      '5f 9f 4d 51 58 are the bytes as they crossed the wire, still masked: XOR each one with key byte (i MOD 4) of 37 fa 21 3d',
    );
  });

  test('fails when the key was typed instead of the payload', () => {
    const r = failure(
      'unmasked-by-hand',
      echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello')], { [UNMASKED_INPUT]: '37 fa 21 3d' }),
    );
    expect(r.seen).toBe('37 fa 21 3d starts with the mask key itself: the payload follows the key');
  });

  test('fails on fewer than 4 bytes: every key byte must be used once', () => {
    const r = failure(
      'unmasked-by-hand',
      echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello')], { [UNMASKED_INPUT]: '68 65' }),
    );
    expect(r.seen).toBe('2 bytes (68 65): unmask at least 4, one for each byte of the key');
  });

  test('fails on more bytes than any frame carries', () => {
    const r = failure(
      'unmasked-by-hand',
      echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello')], { [UNMASKED_INPUT]: '68 65 6c 6c 6f 21' }),
    );
    expect(r.seen).toBe('you typed 6 bytes, more than any of your frames carries (the longest: 5 bytes)');
  });

  test('fails on text that is not hex, saying where', () => {
    const r = failure(
      'unmasked-by-hand',
      echoTrace([frameEvent(T0 + 10, 'client', 0x1, 'hello')], { [UNMASKED_INPUT]: 'hello' }),
    );
    expect(r.seen).toBe(`"hello": 'h' at character 1 is not a hex digit (0-9, a-f)`);
  });

  test('the XOR is its own inverse: masking the unmasked bytes gives the wire bytes back', () => {
    const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
    const plain = encodeUtf8('Hello');
    // RFC 6455 5.7: "Hello" masked with 37 fa 21 3d is 7f 9f 4d 51 58.
    expect(Buffer.from(xorWithKey(plain, key)).toString('hex')).toBe('7f9f4d5158');
    expect(xorWithKey(xorWithKey(plain, key), key)).toEqual(plain);
  });
});

describe('rejects-masked: a client fails the connection on a masked server frame with 1002 (5.1, 7.1.7)', () => {
  const url = 'ws://playground.local/misbehave?do=masked-frame';
  /** What /misbehave sends: RFC 6455 5.7's masked 'hello' example, key 37 fa 21 3d. */
  const masked: SessionEvent = {
    kind: 'frame',
    t: T0 + 5,
    from: 'server',
    bytes: Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x5f, 0x9f, 0x4d, 0x51, 0x58),
  };
  const close1002 = (reason: string, t = T0 + 6): SessionEvent =>
    clientFrame(t, closePayload(1002, reason), [0x11, 0x22, 0x33, 0x44], 0x8);
  const failedEnd: SessionEvent[] = [
    { kind: 'api', t: T0 + 6, type: 'error' },
    { kind: 'api', t: T0 + 6, type: 'state', state: 'CLOSED' },
    { kind: 'api', t: T0 + 6, type: 'close', code: 1006, reason: '', wasClean: false },
    { kind: 'eof', t: T0 + 7, from: 'client' },
  ];
  const misbehave = (events: SessionEvent[], u = url, open = opened(T0, url)): Trace =>
    trace([connection('c1', u, [...open, ...events])]);

  test('passes when the client answers with Close 1002 (our engine, loopback)', () => {
    const r = run('rejects-masked', misbehave([masked, close1002('MASKED_SERVER_FRAME'), ...failedEnd]));
    expect(r).toMatchObject({
      ok: true,
      observed:
        'the client answered the masked frame with Close 1002; the page saw error, then close 1006, wasClean false',
      frame: { connection: 'c1', event: 7, field: 'closeCode' },
    });
  });

  test("passes on a server-mode trace: Chromium's Close 1002 on the tap", () => {
    const path = '/misbehave?do=masked-frame';
    const r = run(
      'rejects-masked',
      misbehave(
        [masked, close1002('Masked frame from server'), ...failedEnd],
        serverUrl(path),
        serverOpened(T0, path, { key: KEY, tap: 'VGFwVG9rZW5Gb3JNYXNraW5n' }),
      ),
    );
    expect(r.ok).toBe(true);
  });

  test('passes on the solution recorded on the loopback with /misbehave', () => {
    expect(run('rejects-masked', solution)).toMatchObject({
      ok: true,
      observed: expect.stringContaining('Close 1002'),
    });
  });

  test('fails before the experiment', () => {
    expect(failure('rejects-masked', start)).toMatchObject({
      expected: 'a connection to /misbehave?do=masked-frame',
      seen: 'none yet',
    });
  });

  test('ignores /misbehave connections that asked for another misdeed', () => {
    const other = misbehave(
      [masked, close1002('x'), ...failedEnd],
      'ws://playground.local/misbehave?do=bad-utf8',
    );
    expect(failure('rejects-masked', other).seen).toBe('none yet');
  });

  test('fails when the server frame was not masked', () => {
    const plain = frameEvent(T0 + 5, 'server', 0x1, 'hello');
    expect(failure('rejects-masked', misbehave([plain])).seen).toBe('no masked frame from the server yet');
  });

  test('fails when the page delivered the masked message', () => {
    const r = failure(
      'rejects-masked',
      misbehave([masked, { kind: 'api', t: T0 + 6, type: 'message', data: 'hello' }]),
    );
    expect(r.seen).toBe("the page received a message ('hello'): the client accepted a masked frame");
    expect(r.frame).toEqual({ connection: 'c1', event: 6, field: 'mask' });
  });

  test('fails when the client dropped TCP without a Close frame, saying what the page saw', () => {
    const r = failure('rejects-masked', misbehave([masked, ...failedEnd]));
    expect(r).toMatchObject({
      expected:
        'your client fails the connection: a Close frame with 1002 (protocol error), the masked message never delivered',
      seen: 'no Close frame from the client after the masked frame; the page saw close 1006, wasClean false',
      rfc: 'RFC 6455 §7.1.7',
    });
  });

  test('fails when the Close frame carries another code than 1002', () => {
    const close1000 = clientFrame(T0 + 6, Uint8Array.of(0x03, 0xe8), [1, 2, 3, 4], 0x8);
    const r = failure('rejects-masked', misbehave([masked, close1000, ...failedEnd]));
    expect(r).toMatchObject({
      seen: "the client's Close frame carries 1000",
      frame: { event: 7, field: 'closeCode' },
      rfc: 'RFC 6455 §7.4.1',
    });
  });
});

describe('every walk of play.ts, task by task', () => {
  const outcome = (t: Trace) =>
    checks.tasks.map((task) => `${task.id} ${run(task.id, t).ok ? 'passes' : 'fails'}`);

  test('the start passes nothing', () => {
    expect(outcome(start).filter((line) => line.endsWith('passes'))).toEqual([]);
  });

  test('each wrong attempt fails the task it gets wrong, and only what it did not do besides', () => {
    expect(outcome(wrong.once!)).toEqual([
      'client-masked passes',
      'same-twice fails',
      'unmasked-by-hand passes',
      'rejects-masked fails',
    ]);
    expect(outcome(wrong.different!)).toEqual([
      'client-masked passes',
      'same-twice fails',
      'unmasked-by-hand fails',
      'rejects-masked fails',
    ]);
    for (const name of ['wrong-byte', 'copied'])
      expect(outcome(wrong[name]!)).toEqual([
        'client-masked passes',
        'same-twice passes',
        'unmasked-by-hand fails',
        'rejects-masked fails',
      ]);
  });
});
