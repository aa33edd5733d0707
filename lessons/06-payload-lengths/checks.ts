/**
 * Lesson 6, payload lengths (RFC 6455 5.2). The checks read the length field of the learner's
 * frames as it crossed the wire: which of the three forms it took, the value it holds, and how
 * long the header was in each direction.
 */
import {
  at,
  connectionsTo,
  defineChecks,
  fail,
  framesOf,
  pass,
  rfc,
  type Task,
  type Trace,
  type TraceFrame,
} from '../../app/lessons/kit.ts';
import type { Side } from '../../app/ui/lib/engine.ts';
import { toHex } from '../../app/ui/lib/bytes.ts';

/** The four sizes the lesson sends: both sides of each edge between two length forms. */
export const SIZES = [125, 126, 65535, 65536] as const;

/** 5.2: 0-125 in the 7 bits; 126 -> a 16-bit length follows; 127 -> a 64-bit length follows. */
export function lengthFormFor(n: number): 7 | 16 | 64 {
  return n <= 125 ? 7 : n <= 0xffff ? 16 : 64;
}

/** 5.2: 2 bytes, plus 2 or 8 for the longer lengths, plus 4 for a mask key. */
export function headerSizeFor(n: number, masked: boolean): number {
  const form = lengthFormFor(n);
  return 2 + (form === 16 ? 2 : form === 64 ? 8 : 0) + (masked ? 4 : 0);
}

const FIELD = { 7: 'len7', 16: 'len16', 64: 'len64' } as const;

/** How the length field reads on the wire: "7d", "7e, then 00 7e", "7f, then 00 ... 00 01 00 00". */
export function lengthBytes(f: TraceFrame): string {
  const len7 = (f.bytes[1] ?? 0) & 0x7f;
  const first = len7.toString(16).padStart(2, '0');
  if (f.lengthForm === 7) return first;
  const extra = f.bytes.subarray(2, f.lengthForm === 16 ? 4 : 10);
  return `${first}, then ${toHex(extra)}`;
}

function formName(form: 7 | 16 | 64): string {
  return form === 7 ? 'the 7-bit form' : form === 16 ? 'the 16-bit form (126)' : 'the 64-bit form (127)';
}

/** Data frames (and continuations) of one direction on /echo, newest connection and frame first. */
function dataFrames(trace: Trace, from: Side): TraceFrame[] {
  return connectionsTo(trace, '/echo')
    .reverse()
    .flatMap((c) =>
      framesOf(c, from)
        .filter((f) => f.kind === 'text' || f.kind === 'binary' || f.kind === 'continuation')
        .reverse(),
    );
}

/** "frames of 124 (7-bit form), 127 (16-bit form) bytes": what was sent, for a failure. */
function sizesSeen(frames: TraceFrame[]): string {
  const seen = [
    ...new Set(frames.map((f) => `${f.length} (${f.lengthForm}-bit form${f.fin ? '' : ', FIN = 0'})`)),
  ];
  const shown = seen.slice(0, 6).join(', ') + (seen.length > 6 ? ', …' : '');
  return `frames of ${shown} bytes`;
}

/** The client's frame of exactly `n` bytes: its length form, value and header size. */
function clientLengthTask(n: number): Task {
  const form = lengthFormFor(n);
  const header = headerSizeFor(n, true);
  return {
    id: `len-${n}`,
    title: `Send a message of ${n} bytes and read its length field`,
    check(trace) {
      const expected = `a frame from your page with ${n} bytes of payload, its length in ${formName(form)}, a header of ${header} bytes`;
      if (connectionsTo(trace, '/echo').length === 0)
        return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('5.2') });
      const frames = dataFrames(trace, 'client');
      if (frames.length === 0)
        return fail({ expected, seen: 'no message from your page yet', rfc: rfc('5.2') });
      const mine = frames.find((f) => f.length === n);
      if (!mine)
        return fail({
          expected,
          seen: `${sizesSeen(frames)}; none of ${n}`,
          frame: at(frames[0]!, 'len7'),
          rfc: rfc('5.2'),
        });
      if (mine.lengthForm !== form)
        return fail({
          expected,
          seen: `${n} bytes written in ${formName(mine.lengthForm)} (${lengthBytes(mine)}): a length must take the fewest bytes that hold it`,
          frame: at(mine, FIELD[mine.lengthForm]),
          rfc: rfc('5.2'),
        });
      if (!mine.masked)
        return fail({
          expected,
          seen: `a header of ${mine.headerLength} bytes with MASK = 0: no mask key`,
          frame: at(mine, 'mask'),
          rfc: rfc('5.1'),
        });
      return pass(
        `${n} bytes: the length reads ${lengthBytes(mine)}; header ${mine.headerLength} bytes, 4 of them the mask key`,
        at(mine, FIELD[form]),
      );
    },
  };
}

export default defineChecks({
  tasks: [
    ...SIZES.map(clientLengthTask),
    {
      id: 'echo-headers',
      title: 'Compare the headers of the echoes with yours',
      check(trace) {
        const expected = `the four echoes from the server, unmasked, with headers of ${SIZES.map((n) => headerSizeFor(n, false)).join(', ')} bytes`;
        if (connectionsTo(trace, '/echo').length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('5.2') });
        const echoes = dataFrames(trace, 'server');
        const mine = dataFrames(trace, 'client');
        const lines: string[] = [];
        for (const n of SIZES) {
          const echo = echoes.find((f) => f.length === n);
          if (!echo)
            return fail({
              expected,
              seen: `no echo of ${n} bytes from the server yet${echoes.length ? ` (${sizesSeen(echoes)})` : ''}`,
              rfc: rfc('5.2'),
            });
          if (echo.masked)
            return fail({
              expected,
              seen: `the echo of ${n} bytes has MASK = 1: a server never masks`,
              frame: at(echo, 'mask'),
              rfc: rfc('5.1'),
            });
          const want = headerSizeFor(n, false);
          if (echo.headerLength !== want)
            return fail({
              expected,
              seen: `the echo of ${n} bytes has a header of ${echo.headerLength} bytes (${lengthBytes(echo)})`,
              frame: at(echo, FIELD[echo.lengthForm]),
              rfc: rfc('5.2'),
            });
          const client = mine.find((f) => f.length === n && f.masked);
          lines.push(
            client ? `${n}: ${client.headerLength} → ${echo.headerLength}` : `${n}: ${echo.headerLength}`,
          );
        }
        const last = echoes.find((f) => f.length === SIZES.at(-1))!;
        const both = lines.every((l) => l.includes('→'));
        return pass(
          both
            ? `header bytes, yours → the echo: ${lines.join(', ')}: 4 fewer on the way back, no mask key`
            : `header bytes of the echoes: ${lines.join(', ')}: no mask key`,
          at(last, 'len64'),
        );
      },
    },
  ],
});
