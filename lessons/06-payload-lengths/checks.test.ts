import { describe, expect, test } from 'vitest';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import {
  connectionIn,
  frameBytes,
  frameEvent,
  maskedFrameEvent,
  serverConnection,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { Trace } from '../../app/lessons/types.ts';
import checks, { headerSizeFor, lengthFormFor, SIZES } from './checks.ts';
import play from './play.ts';

const { run, failure } = tasksUnderTest(checks);

const solution = await recordLoopback(play.solution);
const start = await recordLoopback(play.start);
const offByOne = await recordLoopback(play.wrong!['off-by-one']!);

const T0 = 1_760_000_000_000;

/** A frame of n bytes of 'x' as a browser (masked, with this key) or a server would send it. */
function frame(
  t: number,
  from: 'client' | 'server',
  n: number,
  key = [0x9c, 0x21, 0x5e, 0xd7],
): SessionEvent {
  const payload = new Uint8Array(n).fill(0x78);
  return from === 'client' ? maskedFrameEvent(t, 0x1, payload, key) : frameEvent(t, 'server', 0x1, payload);
}

/** Server mode: the four sizes with Chromium's keys, each echoed; the tap's events. */
const serverTrace = trace(
  [
    serverConnection(
      'c1',
      '/echo',
      SIZES.flatMap((n, i) => [
        frame(T0 + 10 * i, 'client', n, [i, 0xa0 + i, 0x33, 0x7e]),
        frame(T0 + 10 * i + 1, 'server', n),
        { kind: 'api', t: T0 + 10 * i + 2, type: 'message', data: 'x'.repeat(n) } as SessionEvent,
      ]),
      { t0: T0, key: 'mN1Xr0kgqI6s3C2WY7fT5A==', tap: 'TGVuZ3Roc0xlc3NvblRhcA' },
    ),
  ],
  { mode: 'server' },
);

function echoTrace(events: SessionEvent[]): Trace {
  return trace([connectionIn('loopback', 'c1', '/echo', events, { t0: T0 })]);
}

describe('the length rules of 5.2, as the checks compute them', () => {
  test('0-125 in 7 bits, up to 65535 in 16, beyond in 64', () => {
    expect([0, 125, 126, 65535, 65536, 2 ** 40].map(lengthFormFor)).toEqual([7, 7, 16, 16, 64, 64]);
  });

  test('a client header is 4 bytes longer than a server header: the mask key', () => {
    expect(SIZES.map((n) => headerSizeFor(n, true))).toEqual([6, 8, 8, 14]);
    expect(SIZES.map((n) => headerSizeFor(n, false))).toEqual([2, 4, 4, 10]);
  });
});

describe('len-N: the client frame of each size takes the right length form and header (5.2)', () => {
  test('125 bytes: 7 bits (7d), header 6', () => {
    expect(run('len-125', solution)).toMatchObject({
      ok: true,
      observed: '125 bytes: the length reads 7d; header 6 bytes, 4 of them the mask key',
      frame: { field: 'len7' },
    });
  });

  test('126 bytes: 126 in 7 bits, then 16 bits (00 7e), header 8', () => {
    expect(run('len-126', solution)).toMatchObject({
      ok: true,
      observed: '126 bytes: the length reads 7e, then 00 7e; header 8 bytes, 4 of them the mask key',
      frame: { field: 'len16' },
    });
  });

  test('65535 bytes: still 16 bits (ff ff), header 8', () => {
    expect(run('len-65535', solution)).toMatchObject({
      ok: true,
      observed: '65535 bytes: the length reads 7e, then ff ff; header 8 bytes, 4 of them the mask key',
    });
  });

  test('65536 bytes: 127 in 7 bits, then 64 bits, header 14', () => {
    expect(run('len-65536', solution)).toMatchObject({
      ok: true,
      observed:
        '65536 bytes: the length reads 7f, then 00 00 00 00 00 01 00 00; header 14 bytes, 4 of them the mask key',
      frame: { field: 'len64' },
    });
  });

  test('every size passes on a server-mode trace (Chromium headers, tap URL, random keys)', () => {
    for (const n of SIZES) expect(run(`len-${n}`, serverTrace).ok).toBe(true);
  });

  test('binary messages pass too: the length counts bytes, whatever the opcode', async () => {
    const binary = await recordLoopback(async (lab) => {
      const ws = lab.open('/echo');
      await lab.until(() => ws.readyState === 1);
      for (const n of SIZES) ws.send(new Uint8Array(n));
      await lab.until(() => ws.bufferedAmount === 0);
    });
    for (const n of SIZES) expect(run(`len-${n}`, binary).ok).toBe(true);
  });

  test('the start code passes 125 only, and the others say which sizes were sent', () => {
    expect(run('len-125', start).ok).toBe(true);
    const r = failure('len-126', start);
    expect(r).toMatchObject({
      expected:
        'a frame from your page with 126 bytes of payload, its length in the 16-bit form (126), a header of 8 bytes',
      seen: 'frames of 125 (7-bit form) bytes; none of 126',
      rfc: 'RFC 6455 §5.2',
    });
    expect(failure('len-65536', start).expected).toBe(
      'a frame from your page with 65536 bytes of payload, its length in the 64-bit form (127), a header of 14 bytes',
    );
  });

  test('one byte off at each edge fails every size, listing the forms the wrong sizes took', () => {
    for (const n of SIZES)
      expect(failure(`len-${n}`, offByOne).seen).toBe(
        `frames of 65537 (64-bit form), 65534 (16-bit form), 127 (16-bit form), 124 (7-bit form) bytes; none of ${n}`,
      );
  });

  test('fails with no connection, and with a connection that sent nothing', () => {
    expect(failure('len-125', trace([])).seen).toBe('no connection to /echo yet');
    expect(failure('len-125', echoTrace([])).seen).toBe('no message from your page yet');
  });

  test('fails on a length not written in the fewest bytes: 126 in the 64-bit form', () => {
    const key = [1, 2, 3, 4];
    const payload = new Uint8Array(126).fill(0x78).map((b, i) => b ^ key[i % 4]!);
    const bytes = Uint8Array.of(0x81, 0xff, 0, 0, 0, 0, 0, 0, 0, 126, ...key, ...payload);
    const r = failure('len-126', echoTrace([{ kind: 'frame', t: T0 + 10, from: 'client', bytes }]));
    expect(r).toMatchObject({
      seen: '126 bytes written in the 64-bit form (127) (7f, then 00 00 00 00 00 00 00 7e): a length must take the fewest bytes that hold it',
      frame: { event: 6, field: 'len64' },
      rfc: 'RFC 6455 §5.2',
    });
  });

  test('fails on a client frame without a mask key (5.1)', () => {
    const unmasked: SessionEvent = {
      kind: 'frame',
      t: T0 + 10,
      from: 'client',
      bytes: frameBytes('server', 0x1, 'x'.repeat(125)),
    };
    expect(failure('len-125', echoTrace([unmasked]))).toMatchObject({
      seen: 'a header of 2 bytes with MASK = 0: no mask key',
      frame: { field: 'mask' },
      rfc: 'RFC 6455 §5.1',
    });
  });

  test('a fragment of the right size counts, and a fragmented message is shown with FIN = 0', () => {
    const first = {
      kind: 'frame',
      t: T0 + 10,
      from: 'client',
      bytes: frameBytes('client', 0x1, 'x'.repeat(100), false),
    } as const;
    expect(failure('len-125', echoTrace([first])).seen).toBe(
      'frames of 100 (7-bit form, FIN = 0) bytes; none of 125',
    );
  });
});

describe('echo-headers: the echoes carry the same lengths, with 4 header bytes fewer (5.2, 5.1)', () => {
  test('passes on the solution, with both directions side by side', () => {
    expect(run('echo-headers', solution)).toMatchObject({
      ok: true,
      observed:
        'header bytes, yours → the echo: 125: 6 → 2, 126: 8 → 4, 65535: 8 → 4, 65536: 14 → 10: 4 fewer on the way back, no mask key',
      frame: { field: 'len64' },
    });
  });

  test('passes on a server-mode trace', () => {
    expect(run('echo-headers', serverTrace).ok).toBe(true);
  });

  test('fails on the start code: only the echo of 125 came back', () => {
    expect(failure('echo-headers', start)).toMatchObject({
      expected: 'the four echoes from the server, unmasked, with headers of 2, 4, 4, 10 bytes',
      seen: 'no echo of 126 bytes from the server yet (frames of 125 (7-bit form) bytes)',
    });
  });

  test('fails one byte off, naming the first size missing', () => {
    expect(failure('echo-headers', offByOne).seen).toMatch(/^no echo of 125 bytes from the server yet/);
  });

  test('fails before any connection', () => {
    expect(failure('echo-headers', trace([])).seen).toBe('no connection to /echo yet');
  });

  test('fails when an echo is masked (5.1)', () => {
    const events = SIZES.map((n, i) => frame(T0 + i, 'server', n));
    events[2] = {
      kind: 'frame',
      t: T0 + 2,
      from: 'server',
      bytes: (frame(T0 + 2, 'client', 65535) as { bytes: Uint8Array }).bytes,
    };
    expect(failure('echo-headers', echoTrace(events))).toMatchObject({
      seen: 'the echo of 65535 bytes has MASK = 1: a server never masks',
      frame: { event: 8, field: 'mask' },
      rfc: 'RFC 6455 §5.1',
    });
  });

  test('fails when an echo took a longer length form than it needs (5.2)', () => {
    const events = SIZES.map((n, i) => frame(T0 + i, 'server', n));
    events[0] = {
      kind: 'frame',
      t: T0,
      from: 'server',
      bytes: Uint8Array.of(0x81, 0x7e, 0x00, 0x7d, ...new Uint8Array(125).fill(0x78)),
    };
    expect(failure('echo-headers', echoTrace(events))).toMatchObject({
      seen: 'the echo of 125 bytes has a header of 4 bytes (7e, then 00 7d)',
      frame: { event: 6, field: 'len16' },
    });
  });
});

describe('every walk of play.ts, task by task', () => {
  const passing = (t: Trace) => checks.tasks.filter((task) => run(task.id, t).ok).map((task) => task.id);

  test('the solution passes every task', () => {
    expect(passing(solution)).toEqual(['len-125', 'len-126', 'len-65535', 'len-65536', 'echo-headers']);
  });

  test('the start code passes only the 125-byte step', () => {
    expect(passing(start)).toEqual(['len-125']);
  });

  test('one byte off at every edge passes nothing', () => {
    expect(passing(offByOne)).toEqual([]);
  });
});
