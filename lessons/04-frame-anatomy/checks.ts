/**
 * Lesson 4: the anatomy of a frame (§5.2). The learner reads frames of their own connection, then
 * types a frame in hex (`trace.inputs.built`) that the engine must decode as exactly the frame
 * asked for: one derived from their own first text frame (target.ts), so a neighbour's answer
 * fails on the masking key.
 */
import { parsePastedBytes } from '../../app/ui/lib/bytes.ts';
import { annotateFrame } from '../../app/ui/lib/annotate.ts';
import { decodeFrames, isValidUtf8 } from '../../app/ui/lib/engine.ts';
import {
  at,
  defineChecks,
  fail,
  framesOf,
  pass,
  pathOf,
  plural,
  quote,
  rfc,
  type TaskResult,
  type Trace,
  type TraceConnection,
  type TraceFrame,
} from '../../app/lessons/kit.ts';
import { hex, TARGET_LENGTH, targetFrom, type Target } from './target.ts';

/** The name under which the decode widget keeps the learner's bytes (`:: decode input=built`). */
export const INPUT = 'built';

const echoes = (trace: Trace): TraceConnection[] =>
  trace.connections.filter((c) => pathOf(c.url) === '/echo');

/** A client TEXT frame the target can be made from: masked, at least TARGET_LENGTH bytes. */
function isSource(f: TraceFrame): boolean {
  return f.kind === 'text' && f.masked && f.length >= TARGET_LENGTH && f.frame !== undefined;
}

/** The learner's own frame: the first usable text frame of their latest /echo connection that has one. */
export function sourceFrame(trace: Trace): TraceFrame | undefined {
  for (const conn of echoes(trace).reverse()) {
    const f = framesOf(conn, 'client').find(isSource);
    if (f) return f;
  }
  return undefined;
}

/** " ('hel')" when the bytes are whole UTF-8, else nothing (3 bytes may stop inside a character). */
function asText(bytes: Uint8Array): string {
  return isValidUtf8(bytes) ? ` (${quote(new TextDecoder().decode(bytes))})` : '';
}

function text(f: TraceFrame): string {
  return f.frame ? new TextDecoder().decode(f.frame.payload) : '';
}

function noSource(trace: Trace): TaskResult {
  const conns = echoes(trace);
  const sent = conns.flatMap((c) => framesOf(c, 'client')).filter((f) => f.kind === 'text');
  return fail({
    expected: `a TEXT frame of at least ${TARGET_LENGTH} bytes from your client on /echo (send 'hello' in the lab)`,
    seen:
      conns.length === 0
        ? 'no connection to /echo yet'
        : sent.length === 0
          ? `${plural(conns.length, 'connection')} to /echo, no TEXT frame from your client`
          : `only short TEXT frames: ${sent.map((f) => quote(text(f))).join(', ')}`,
    rfc: rfc('5.6'),
  });
}

/** '81 85': the first two bytes, where FIN, RSV, opcode, MASK and the 7-bit length live. */
function firstTwo(f: TraceFrame): string {
  return hex(f.bytes.subarray(0, 2));
}

// ---- the frame the learner builds ---------------------------------------------------------

interface FieldSpec {
  id: string;
  /** The field's name, and where it sits. */
  name: string;
  where: string;
  expected: number;
  meaning: string;
  section: string;
}

function headerSpecs(): FieldSpec[] {
  const noExtension = 'no extension was negotiated';
  return [
    {
      id: 'fin',
      name: 'FIN',
      where: 'the top bit of byte 0',
      expected: 0,
      meaning: 'not the last frame, more fragments follow',
      section: '5.4',
    },
    { id: 'rsv1', name: 'RSV1', where: 'bit 6 of byte 0', expected: 0, meaning: noExtension, section: '5.2' },
    { id: 'rsv2', name: 'RSV2', where: 'bit 5 of byte 0', expected: 0, meaning: noExtension, section: '5.2' },
    { id: 'rsv3', name: 'RSV3', where: 'bit 4 of byte 0', expected: 0, meaning: noExtension, section: '5.2' },
    {
      id: 'opcode',
      name: 'opcode',
      where: 'the low 4 bits of byte 0',
      expected: 0x2,
      meaning: 'a BINARY message',
      section: '5.2',
    },
    {
      id: 'mask',
      name: 'MASK',
      where: 'the top bit of byte 1',
      expected: 1,
      meaning: 'a client masks every frame',
      section: '5.3',
    },
    {
      id: 'len7',
      name: 'payload length',
      where: 'the low 7 bits of byte 1',
      expected: TARGET_LENGTH,
      meaning: `${TARGET_LENGTH} bytes of payload`,
      section: '5.2',
    },
  ];
}

function showValue(id: string, v: number): string {
  return id === 'opcode' ? `0x${v.toString(16)}` : String(v);
}

/** The first field of `bytes` that differs from the target, as a failure; undefined when none does. */
function compare(
  bytes: Uint8Array,
  target: Target,
  source: TraceFrame,
  typed: string,
): TaskResult | undefined {
  const ann = annotateFrame(bytes, { role: 'server', allowRsv1: false });
  const field = (id: string) => ann.fields.find((f) => f.id === id);
  const cut = (what: string, fieldId: string, section: string): TaskResult =>
    fail({
      expected: what,
      seen: `your bytes end after ${plural(bytes.length, 'byte')}: ${typed}`,
      frame: at(source, fieldId),
      rfc: rfc(section),
    });

  for (const spec of headerSpecs()) {
    const f = field(spec.id);
    if (!f) {
      return cut(
        `byte ${spec.id === 'mask' || spec.id === 'len7' ? 1 : 0}, with ${spec.name} in ${spec.where}`,
        spec.id,
        spec.section,
      );
    }
    if (spec.id === 'len7' && (f.value === 126 || f.value === 127))
      return fail({
        expected: `the payload length ${TARGET_LENGTH} in the 7 bits of byte 1: a length under 126 needs no extended form [field len7]`,
        seen: `${f.value} in byte 1, announcing the ${f.value === 126 ? '16' : '64'}-bit form`,
        frame: at(source, 'len7'),
        rfc: rfc('5.2'),
      });
    if (f.value !== spec.expected)
      return fail({
        expected: `${spec.name} = ${showValue(spec.id, spec.expected)} (${spec.where}): ${spec.meaning} [field ${spec.id}]`,
        seen: `${spec.name} = ${showValue(spec.id, Number(f.value))} in ${typed}${f.problem ? ` (the engine says: ${f.problem})` : ''}`,
        frame: at(source, spec.id),
        rfc: rfc(spec.section),
      });
  }

  const keyAt = 2;
  const key = bytes.subarray(keyAt, keyAt + 4);
  if (key.length < 4) return cut(`4 bytes of masking key after byte 1: ${hex(target.key)}`, 'maskKey', '5.3');
  if (hex(key) !== hex(target.key))
    return fail({
      expected: `the masking key of your own frame ${quote(text(source))}: ${hex(target.key)} [field maskKey]`,
      seen: `${hex(key)} in bytes 2-5`,
      frame: at(source, 'maskKey'),
      rfc: rfc('5.3'),
    });

  const payload = bytes.subarray(6, 6 + TARGET_LENGTH);
  if (payload.length < TARGET_LENGTH)
    return cut(`${TARGET_LENGTH} payload bytes after the key: ${hex(target.masked)}`, 'payload', '5.2');
  if (hex(payload) !== hex(target.masked)) {
    const plainTyped = hex(payload) === hex(target.plain);
    return fail({
      expected: `the first ${TARGET_LENGTH} payload bytes of your frame, masked as they crossed the wire: ${hex(target.masked)} [field payload]`,
      seen: plainTyped
        ? `${hex(payload)}: the bytes of ${quote(new TextDecoder().decode(target.plain))} unmasked; with MASK 1 the receiver would unmask them into other bytes`
        : `${hex(payload)} in bytes 6-${5 + TARGET_LENGTH}`,
      frame: at(source, 'payload'),
      rfc: rfc(plainTyped ? '5.3' : '5.2'),
    });
  }
  if (bytes.length > target.bytes.length)
    return fail({
      expected: `the frame to end after its ${TARGET_LENGTH} payload bytes (${target.bytes.length} bytes in all) [field payload]`,
      seen: `${plural(bytes.length - target.bytes.length, 'more byte')} after it: ${hex(bytes.subarray(target.bytes.length))}`,
      frame: at(source, 'payload'),
      rfc: rfc('5.2'),
    });
  return undefined;
}

function checkBuilt(trace: Trace): TaskResult {
  const source = sourceFrame(trace);
  if (!source) return noSource(trace);
  const target = targetFrom(source.bytes);
  if (!target) return noSource(trace);
  const asked = `the first fragment (FIN 0) of a BINARY message from a client, masked with your key ${hex(target.key)}, carrying the first ${TARGET_LENGTH} bytes of your text ${quote(text(source))}`;
  const input = trace.inputs[INPUT];
  if (input === undefined || input.trim() === '')
    return fail({
      expected: `${asked}, typed as hex in Paste & decode`,
      seen: 'nothing typed there yet',
      frame: at(source, 'fin'),
      rfc: rfc('5.2'),
    });
  const parsed = parsePastedBytes(input);
  if (!parsed.ok)
    return fail({
      expected: `${asked}, as hex`,
      seen: `text that is not bytes: ${parsed.message}`,
      rfc: rfc('5.2'),
    });
  const typed = hex(parsed.bytes);
  const wrong = compare(parsed.bytes, target, source, typed);
  if (wrong) return wrong;
  // The engine, reading as a server would, must take it as exactly one whole frame.
  const decoded = decodeFrames(parsed.bytes.slice(), { role: 'server' });
  const frame = decoded.frames[0]?.frame;
  if (decoded.error || decoded.frames.length !== 1 || decoded.rest !== 0 || !frame)
    return fail({
      expected: asked,
      seen: decoded.error
        ? `the engine refuses it: ${decoded.error.message}`
        : `the engine reads ${plural(decoded.frames.length, 'frame')}`,
      frame: at(source, 'fin'),
      rfc: rfc('5.2'),
    });
  return pass(
    `${typed}: BINARY, FIN 0, MASK 1, length ${frame.payload.length}, key ${hex(target.key)}, payload ${hex(target.masked)} unmasked to ${hex(frame.payload)}${asText(frame.payload)}`,
    at(source, 'maskKey'),
  );
}

export default defineChecks({
  tasks: [
    {
      id: 'own-frame',
      title: `Send a text of at least ${TARGET_LENGTH} characters to /echo and find its frame`,
      check(trace) {
        const f = sourceFrame(trace);
        if (!f) return noSource(trace);
        return pass(
          `${quote(text(f))} took ${f.bytes.length} bytes: ${f.headerLength - 4} of header, 4 of masking key, ${f.length} of payload`,
          at(f, 'fin'),
        );
      },
    },
    {
      id: 'binary-frame',
      title: 'Send a binary message (hex) and compare its first byte with your text frame',
      check(trace) {
        const binary = echoes(trace)
          .flatMap((c) => framesOf(c, 'client'))
          .filter((f) => f.kind === 'binary')
          .at(-1);
        if (!binary) {
          const mine = echoes(trace).flatMap((c) => framesOf(c, 'client'));
          return fail({
            expected: 'a BINARY frame from your client on /echo (send hex such as 01 02 03)',
            seen:
              mine.length === 0
                ? 'no frame from your client yet'
                : `your frames: ${mine.map((f) => f.kind.toUpperCase()).join(', ')}; no BINARY one`,
            ...(mine[0] ? { frame: at(mine[0], 'opcode') } : {}),
            rfc: rfc('5.6'),
          });
        }
        const textFrame = sourceFrame(trace);
        const b0 = hex(binary.bytes.subarray(0, 1));
        return pass(
          `BINARY starts 0x${b0} (FIN 1, RSV 000, opcode 0x2)` +
            (textFrame ? `; TEXT started 0x${hex(textFrame.bytes.subarray(0, 1))} (opcode 0x1)` : ''),
          at(binary, 'opcode'),
        );
      },
    },
    {
      id: 'echo-frame',
      title: 'Find the server’s echo of your text and compare its header with yours',
      check(trace) {
        const source = sourceFrame(trace);
        if (!source) return noSource(trace);
        const conn = trace.connections.find((c) => c.id === source.ref.connection)!;
        const echo = framesOf(conn, 'server').find(
          (f) => f.kind === 'text' && f.frame && text(f) === text(source),
        );
        if (!echo)
          return fail({
            expected: `the server's TEXT frame echoing ${quote(text(source))}`,
            seen: `${plural(framesOf(conn, 'server').length, 'frame')} from the server on that connection, none carrying it (closed before the echo came?)`,
            frame: at(source, 'payload'),
            rfc: rfc('5.6'),
          });
        if (echo.masked)
          return fail({
            expected: 'the echo unmasked: a server never masks (MASK 0)',
            seen: `MASK 1, key ${hex(echo.maskKey!)}`,
            frame: at(echo, 'mask'),
            rfc: rfc('5.1'),
          });
        return pass(
          `yours: ${firstTwo(source)} + 4-byte key + ${source.length} bytes (${source.bytes.length}); ` +
            `the echo: ${firstTwo(echo)} + ${echo.length} bytes (${echo.bytes.length}): MASK 0, no key`,
          at(echo, 'mask'),
        );
      },
    },
    {
      id: 'built',
      title: 'Build the frame asked for, in hex, in Paste & decode',
      check: checkBuilt,
    },
  ],
});
