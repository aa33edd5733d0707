import { describe, expect, test } from 'vitest';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  connection,
  frameEvent,
  maskedFrameBytes,
  opened,
  serverConnection,
  serverUrl,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { Trace } from '../../app/lessons/types.ts';
import { encodeFrame, encodeUtf8 } from '../../app/ui/lib/engine.ts';
import checks, { INPUT, sourceFrame } from './checks.ts';
import play from './play.ts';
import { hex, targetFrom } from './target.ts';

const { ids, run, failure } = tasksUnderTest(checks);

const solution = recordLoopback(play.solution);
const wrong = (name: string): Promise<Trace> => recordLoopback(play.wrong![name]!);

/** The key the learner's own frame was masked with, as hex. */
async function keyOf(t: Trace): Promise<string> {
  return hex(sourceFrame(t)!.maskKey!);
}

describe('the solution', () => {
  test.each(ids)('passes %s', async (id) => {
    const r = run(id, await solution);
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  });
  test('built: what was typed is exactly the target, made from its own frame', async () => {
    const t = await solution;
    const target = targetFrom(sourceFrame(t)!.bytes)!;
    expect(t.inputs[INPUT]).toBe(hex(target.bytes));
    expect(hex(target.bytes)).toMatch(/^02 83 /);
    expect(new TextDecoder().decode(target.plain)).toBe('hel');
  });
  test('built: the pass points at the masking key of the learner’s frame', async () => {
    const r = run('built', await solution);
    expect(r.ok && r.frame?.field).toBe('maskKey');
  });
});

describe('the start (nothing done)', () => {
  test('fails every task, asking for a connection first', async () => {
    const t = await recordLoopback(play.start);
    for (const id of ids) expect(run(id, t).ok, id).toBe(false);
    expect(failure('own-frame', t).seen).toBe('no connection to /echo yet');
    expect(failure('binary-frame', t).seen).toBe('no frame from your client yet');
  });
});

describe('built: each wrong field is named, with its id and the frame it is copied from', () => {
  const cases: [string, string, RegExp, RegExp][] = [
    [
      'finSet',
      'fin',
      /^FIN = 0 \(the top bit of byte 0\): not the last frame, more fragments follow \[field fin\]$/,
      /^FIN = 1 in 82 83 /,
    ],
    [
      'rsv1Set',
      'rsv1',
      /^RSV1 = 0 \(bit 6 of byte 0\)/,
      /^RSV1 = 1 in 42 83 .* \(the engine says: RSV bit set/,
    ],
    [
      'textOpcode',
      'opcode',
      /^opcode = 0x2 \(the low 4 bits of byte 0\): a BINARY message \[field opcode\]$/,
      /^opcode = 0x1 in 01 83 /,
    ],
    [
      'unmasked',
      'mask',
      /^MASK = 1 \(the top bit of byte 1\): a client masks every frame \[field mask\]$/,
      /^MASK = 0 in 02 03 68 65 6c \(the engine says: A client frame arrived unmasked/,
    ],
    [
      'wholeLength',
      'len7',
      /^payload length = 3 \(the low 7 bits of byte 1\): 3 bytes of payload \[field len7\]$/,
      /^payload length = 5 in 02 85 /,
    ],
    [
      'longForm',
      'len7',
      /needs no extended form \[field len7\]$/,
      /^126 in byte 1, announcing the 16-bit form$/,
    ],
    [
      'neighbourKey',
      'maskKey',
      /^the masking key of your own frame 'hello': [0-9a-f ]{11} \[field maskKey\]$/,
      /^11 22 33 44 in bytes 2-5$/,
    ],
    [
      'plainPayload',
      'payload',
      /masked as they crossed the wire: [0-9a-f ]{8} \[field payload\]$/,
      /^68 65 6c: the bytes of 'hel' unmasked;/,
    ],
    [
      'cutShort',
      'maskKey',
      /^4 bytes of masking key after byte 1: /,
      /^your bytes end after 4 bytes: 02 83 /,
    ],
    [
      'extraByte',
      'payload',
      /^the frame to end after its 3 payload bytes \(9 bytes in all\)/,
      /^1 more byte after it: 00$/,
    ],
  ];
  test.each(cases)('%s: field %s', async (name, field, expected, seen) => {
    const t = await wrong(name);
    const f = failure('built', t);
    expect(f.expected).toMatch(expected);
    expect(f.seen).toMatch(seen);
    expect(f.frame).toMatchObject({ field, connection: sourceFrame(t)!.ref.connection });
    // The other tasks are done: only the built frame is wrong.
    for (const id of ids.filter((i) => i !== 'built')) expect(run(id, t).ok, id).toBe(true);
  });

  test('the expected key is the learner’s own', async () => {
    const t = await wrong('neighbourKey');
    expect(failure('built', t).expected).toContain(await keyOf(t));
  });

  test('typing nothing: the whole frame is described, with the learner’s key', async () => {
    const t = await wrong('typedNothing');
    const f = failure('built', t);
    expect(f.seen).toBe('nothing typed there yet');
    expect(f.expected).toBe(
      `the first fragment (FIN 0) of a BINARY message from a client, masked with your key ${await keyOf(t)}, carrying the first 3 bytes of your text 'hello', typed as hex in Paste & decode`,
    );
  });

  test('text that is not hex: the parser says where', async () => {
    const f = failure('built', await wrong('notHex'));
    expect(f.seen).toBe("text that is not bytes: 'z' at character 7 is not a hex digit (0-9, a-f)");
  });

  test('a frame typed without any frame of one’s own to make it from', async () => {
    const f = failure('built', await wrong('typedOnly'));
    expect(f.expected).toContain('a TEXT frame of at least 3 bytes from your client on /echo');
    expect(f.seen).toBe('no connection to /echo yet');
  });

  test('a neighbour’s correct answer fails: the target follows the learner’s own key', async () => {
    const mine = await solution;
    // The neighbour's text frame, masked with their browser's key (the recorder's key is fixed).
    const neighbour = encodeFrame({
      fin: true,
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode: 0x1,
      maskKey: Uint8Array.of(0x9e, 0x04, 0x7b, 0x2d),
      payload: encodeUtf8('hello'),
    });
    const theirs = hex(targetFrom(neighbour)!.bytes);
    expect(theirs).not.toBe(mine.inputs[INPUT]);
    const f = failure('built', { ...mine, inputs: { [INPUT]: theirs } });
    expect(f.frame?.field).toBe('maskKey');
    expect(f.seen).toBe('9e 04 7b 2d in bytes 2-5');
  });
});

describe('own-frame and echo-frame', () => {
  test('own-frame: short texts are not enough', () => {
    const t = trace([connection('c1', URL_, [...opened(T0, URL_), frameEvent(T0 + 5, 'client', 0x1, 'hi')])]);
    expect(failure('own-frame', t).seen).toBe("only short TEXT frames: 'hi'");
  });
  test('echo-frame: closed before the echo came back', () => {
    const t = trace([
      connection('c1', URL_, [...opened(T0, URL_), frameEvent(T0 + 5, 'client', 0x1, 'hello')]),
    ]);
    const f = failure('echo-frame', t);
    expect(f.expected).toBe("the server's TEXT frame echoing 'hello'");
    expect(f.seen).toContain('0 frames from the server on that connection');
  });
  test('binary-frame: only text sent', () => {
    const t = trace([
      connection('c1', URL_, [...opened(T0, URL_), frameEvent(T0 + 5, 'client', 0x1, 'hello')]),
    ]);
    const f = failure('binary-frame', t);
    expect(f.seen).toBe('your frames: TEXT; no BINARY one');
    expect(f.frame?.field).toBe('opcode');
  });
});

const T0 = 1_764_000_000_000;
const URL_ = serverUrl('/echo');

describe('server mode (Chromium on our Node server, bytes from the tap)', () => {
  const key = Uint8Array.of(0xa1, 0x5c, 0x09, 0xe7);
  const textBytes = maskedFrameBytes(0x1, 'Grüße', key);
  const target = targetFrom(textBytes)!;
  const serverTrace = (typed: string): Trace =>
    trace(
      [
        serverConnection(
          'c1',
          '/echo',
          [
            { kind: 'api', t: T0 + 9, type: 'message', data: 'Grüße' },
            { kind: 'frame', t: T0 + 5, from: 'client', bytes: textBytes },
            frameEvent(T0 + 6, 'server', 0x1, 'Grüße'),
            {
              kind: 'frame',
              t: T0 + 7,
              from: 'client',
              bytes: maskedFrameBytes(0x2, Uint8Array.of(1, 2, 3), key),
            },
            frameEvent(T0 + 8, 'server', 0x2, Uint8Array.of(1, 2, 3)),
          ],
          { t0: T0, key: 'x3JJHMbDL1EzLkh9GBhXDw==', tap: 'AbCdEfGhIjKlMnOpQrStUvWx' },
        ),
      ],
      { mode: 'server', inputs: { [INPUT]: typed } },
    );

  test.each(ids)('passes %s with the frame built from Chromium’s key', (id) => {
    const r = run(id, serverTrace(hex(target.bytes).toUpperCase().replace(/ /g, '')));
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  });
  test('the first 3 bytes of a UTF-8 text may stop inside a character: they are bytes, not letters', () => {
    expect(hex(target.plain)).toBe('47 72 c3');
    expect(hex(target.key)).toBe('a1 5c 09 e7');
    const r = run('built', serverTrace(hex(target.bytes)));
    expect(r.ok && r.observed).toContain('BINARY');
  });
  test('base64 of the same bytes passes too (any correct way of typing them)', () => {
    const b64 = btoa(String.fromCharCode(...target.bytes));
    expect(run('built', serverTrace(b64)).ok).toBe(true);
  });
});
