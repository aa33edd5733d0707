/**
 * Lesson 5, masking (RFC 6455 5.1, 5.3, 10.3). Every task reads the bytes that crossed the wire:
 * the masked payload and the key of the learner's own frames, so an answer copied from someone
 * else's frames fails.
 */
import {
  apiEvents,
  at,
  closeOf,
  connectionsTo,
  defineChecks,
  fail,
  framesOf,
  handshakeOf,
  pass,
  plural,
  quote,
  rfc,
  type FrameRef,
  type TraceConnection,
  type TraceFrame,
} from '../../app/lessons/kit.ts';
import { parsePastedBytes, toHex } from '../../app/ui/lib/bytes.ts';
import { decodeFrameBytes } from '../../app/ui/lib/frames.ts';
import { decodeUtf8, isValidUtf8 } from '../../app/ui/lib/engine.ts';

/** The decode widget's input where the learner types the bytes they unmasked (index.md). */
export const UNMASKED_INPUT = 'unmasked';
/** Bytes the learner must unmask by hand: one for each byte of the key (5.3: j = i MOD 4). */
export const MIN_UNMASKED = 4;

/** The payload exactly as it crossed the wire (masked for a client frame). */
export function wirePayload(f: TraceFrame): Uint8Array {
  return f.bytes.subarray(f.headerLength, f.headerLength + Math.max(f.length, 0));
}

/** 5.3: octet i of the result is octet i of the input XOR octet (i MOD 4) of the key. */
export function xorWithKey(bytes: Uint8Array, key: Uint8Array): Uint8Array {
  return bytes.map((b, i) => b ^ key[i % 4]!);
}

/** The payload as the sender meant it: unmasked when the frame carries a key (right or not). */
export function plainPayload(f: TraceFrame): Uint8Array {
  return f.maskKey ? xorWithKey(wirePayload(f), f.maskKey) : wirePayload(f);
}

/** A data frame (text or binary) the learner's page sent in one piece. */
function isWholeData(f: TraceFrame): boolean {
  return (f.kind === 'text' || f.kind === 'binary') && f.fin;
}

/** The learner's data frames to /echo, newest connection first, newest frame first. */
function clientDataFrames(conns: TraceConnection[]): TraceFrame[] {
  return [...conns].reverse().flatMap((c) => framesOf(c, 'client').filter(isWholeData).reverse());
}

/** "'hello'" for text that reads as UTF-8, else the bytes in hex. */
function show(bytes: Uint8Array): string {
  return isValidUtf8(bytes) ? quote(decodeUtf8(bytes), 24) : toHex(bytes, ' ', 12);
}

function keyHex(f: TraceFrame): string {
  return f.maskKey ? toHex(f.maskKey) : 'none';
}

function hexByte(b: number): string {
  return '0x' + b.toString(16).padStart(2, '0');
}

const noEcho = (seen: string) =>
  fail({ expected: 'a connection to /echo with a message from your page', seen, rfc: rfc('5.3') });

export default defineChecks({
  tasks: [
    {
      id: 'client-masked',
      title: 'Send a message to /echo and find it masked on the wire',
      check(trace) {
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0) return noEcho('no connection to /echo yet');
        const frames = clientDataFrames(conns);
        const mine = frames[0];
        if (!mine) return noEcho('no message from your page yet: send one');
        if (!mine.maskKey)
          return fail({
            expected: 'MASK = 1 and a 4-byte key on every frame from the client',
            seen: `${mine.summary} with MASK = 0`,
            frame: at(mine, 'mask'),
            rfc: rfc('5.1'),
          });
        // The newest of the learner's frames whose echo came back (a newer one may still be on its way).
        const echoOf = (f: TraceFrame) =>
          framesOf(
            conns.find((c) => c.id === f.ref.connection)!,
            'server',
          ).find(
            (e) => e.ref.event > f.ref.event && isWholeData(e) && equal(plainPayload(e), plainPayload(f)),
          );
        const done = frames.find((f) => f.maskKey && echoOf(f));
        if (!done)
          return fail({
            expected: `the echo of ${show(plainPayload(mine))} from the server`,
            seen: 'your frame went out masked; its echo has not come back yet',
            frame: at(mine, 'maskKey'),
            rfc: rfc('5.1'),
          });
        const echo = echoOf(done)!;
        if (echo.masked)
          return fail({
            expected: 'the echo with MASK = 0: a server never masks',
            seen: `the echo has MASK = 1, key ${keyHex(echo)}`,
            frame: at(echo, 'mask'),
            rfc: rfc('5.1'),
          });
        const plain = plainPayload(done);
        return pass(
          `your ${show(plain)} crossed as ${toHex(wirePayload(done), ' ', 12)} with key ${keyHex(done)}; the echo came back as plain ${toHex(plain, ' ', 12)}`,
          at(done, 'maskKey'),
        );
      },
    },
    {
      id: 'same-twice',
      title: 'Send the same message twice and compare the bytes',
      check(trace) {
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0) return noEcho('no connection to /echo yet');
        const frames = clientDataFrames(conns).filter((f) => f.maskKey);
        const pairs: [TraceFrame, TraceFrame][] = [];
        frames.forEach((newer, i) => {
          const plain = plainPayload(newer);
          for (const older of frames.slice(i + 1))
            if (equal(plainPayload(older), plain)) pairs.push([older, newer]);
        });
        // Same payload, different bytes on the wire: only different keys can do that.
        const good = pairs.find(([a, b]) => !equal(wirePayload(a), wirePayload(b)));
        if (good) {
          const [a, b] = good;
          return pass(
            `the same ${show(plainPayload(a))} crossed as ${toHex(wirePayload(a), ' ', 8)} (key ${keyHex(a)}) and as ${toHex(wirePayload(b), ' ', 8)} (key ${keyHex(b)})`,
            at(b, 'maskKey'),
          );
        }
        const expected =
          'two frames from your page with the same payload, each with its own mask key, so different bytes on the wire';
        const newest = pairs[0];
        if (!newest) {
          const seen =
            frames.length === 0
              ? 'no message from your page yet'
              : frames.length === 1
                ? `one message so far: ${show(plainPayload(frames[0]!))}`
                : `${frames.length} messages, no two alike: ${frames
                    .slice(0, 4)
                    .map((f) => show(plainPayload(f)))
                    .join(', ')}`;
          return fail({
            expected,
            seen,
            ...(frames[0] ? { frame: at(frames[0], 'payload') } : {}),
            rfc: rfc('5.3'),
          });
        }
        const [a, b] = newest;
        if (equal(a.maskKey!, b.maskKey!))
          return fail({
            expected: 'a fresh, unpredictable mask key for each frame',
            seen: `both frames of ${show(plainPayload(a))} used the key ${keyHex(a)}`,
            frame: at(b, 'maskKey'),
            rfc: rfc('5.3'),
          });
        return fail({
          expected,
          seen: `keys ${keyHex(a)} and ${keyHex(b)} differ, yet both frames crossed as ${toHex(wirePayload(a))}: a payload of ${plural(wirePayload(a).length, 'byte')} uses only the first key ${wirePayload(a).length === 1 ? 'byte' : 'bytes'}; send a message of ${MIN_UNMASKED} bytes or more`,
          frame: at(b, 'payload'),
          rfc: rfc('5.3'),
        });
      },
    },
    {
      id: 'unmasked-by-hand',
      title: 'Unmask one of your frames by hand',
      check(trace) {
        const expected = `the first ${MIN_UNMASKED} or more payload bytes of one of your frames, unmasked by hand (masked byte XOR key byte), in hex`;
        const typed = trace.inputs[UNMASKED_INPUT];
        const frames = clientDataFrames(connectionsTo(trace, '/echo')).filter((f) => f.maskKey);
        if (frames.length === 0)
          return fail({
            expected,
            seen: 'no message from your page to /echo yet: send one first',
            rfc: rfc('5.3'),
          });
        const latest = frames[0]!;
        if (typed === undefined || typed.trim() === '')
          return fail({ expected, seen: 'nothing typed yet', frame: at(latest, 'maskKey'), rfc: rfc('5.3') });
        const parsed = parsePastedBytes(typed, 'hex');
        if (!parsed.ok)
          return fail({ expected, seen: `"${typed.slice(0, 40)}": ${parsed.message}`, rfc: rfc('5.3') });
        // Either the bare bytes, or a whole unmasked frame around them (which the widget decodes).
        const bytes = payloadOfUnmaskedFrame(parsed.bytes) ?? parsed.bytes;
        const b0 = parsed.bytes[0];
        const bare = (f: TraceFrame) => startsWith(plainPayload(f), bytes);
        if ((b0 === 0x81 || b0 === 0x82) && bytes === parsed.bytes && !frames.some(bare)) {
          const decoded = decodeFrameBytes(parsed.bytes, 'server');
          return fail({
            expected,
            seen: `${toHex(parsed.bytes, ' ', 8)} starts like a frame, but it is not one whole unmasked frame: ${decoded.error ?? 'MASK is set'}`,
            rfc: rfc('5.2'),
          });
        }
        if (bytes.length < MIN_UNMASKED)
          return fail({
            expected,
            seen: `${plural(bytes.length, 'byte')} (${toHex(bytes)}): unmask at least ${MIN_UNMASKED}, one for each byte of the key`,
            frame: at(latest, 'maskKey'),
            rfc: rfc('5.3'),
          });
        const long = frames.filter((f) => wirePayload(f).length >= bytes.length);
        if (long.length === 0)
          return fail({
            expected,
            seen: `you typed ${plural(bytes.length, 'byte')}, more than any of your frames carries (the longest: ${plural(Math.max(...frames.map((f) => wirePayload(f).length)), 'byte')})`,
            frame: at(latest, 'payload'),
            rfc: rfc('5.3'),
          });
        for (const f of long) {
          const plain = xorWithKey(wirePayload(f).subarray(0, bytes.length), f.maskKey!);
          if (equal(plain, bytes))
            return pass(
              `you unmasked ${toHex(wirePayload(f).subarray(0, bytes.length), ' ', 12)} with key ${keyHex(f)} into ${show(plain)}`,
              at(f, 'payload'),
            );
        }
        const copied = long.find((f) => equal(wirePayload(f).subarray(0, bytes.length), bytes));
        if (copied)
          return fail({
            expected,
            seen: `${toHex(bytes, ' ', 12)} are the bytes as they crossed the wire, still masked: XOR each one with key byte (i MOD 4) of ${keyHex(copied)}`,
            frame: at(copied, 'payload'),
            rfc: rfc('5.3'),
          });
        if (long.some((f) => equal(f.maskKey!, bytes.subarray(0, 4))))
          return fail({
            expected,
            seen: `${toHex(bytes, ' ', 12)} starts with the mask key itself: the payload follows the key`,
            frame: at(long[0]!, 'maskKey'),
            rfc: rfc('5.3'),
          });
        // The frame the learner most likely worked on: the longest run of right bytes, newest first.
        const right = (f: TraceFrame) => {
          const plain = xorWithKey(wirePayload(f).subarray(0, bytes.length), f.maskKey!);
          let n = 0;
          while (n < bytes.length && plain[n] === bytes[n]) n++;
          return n;
        };
        const best = long.reduce((a, b) => (right(b) > right(a) ? b : a));
        const i = right(best);
        const masked = wirePayload(best)[i]!;
        const key = best.maskKey![i % 4]!;
        return fail({
          expected,
          seen: `byte ${i}: the wire has ${hexByte(masked)} and key byte ${i % 4} is ${hexByte(key)}, so ${hexByte(masked)} XOR ${hexByte(key)} = ${hexByte(masked ^ key)}; you typed ${hexByte(bytes[i]!)} (frame with key ${keyHex(best)})`,
          frame: at(best, 'payload'),
          rfc: rfc('5.3'),
        });
      },
    },
    {
      id: 'rejects-masked',
      title: 'Watch your client fail the connection when the server masks a frame',
      check(trace) {
        const expected =
          'your client fails the connection: a Close frame with 1002 (protocol error), the masked message never delivered';
        const conn = trace.connections.filter(isMaskedFrameExperiment).at(-1);
        if (!conn)
          return fail({
            expected: 'a connection to /misbehave?do=masked-frame',
            seen: 'none yet',
            rfc: rfc('5.1'),
          });
        const answer = handshakeOf(conn).response;
        if (!answer || answer.status !== 101)
          return fail({
            expected: 'a 101 from /misbehave, then a masked frame',
            seen: answer
              ? `the server answered ${quote(answer.startLine, 60)}`
              : 'no answer to the handshake',
            rfc: rfc('4.2.2'),
          });
        const masked = firstMaskedServerFrame(conn);
        if (!masked)
          return fail({
            expected: 'a frame from the server with MASK = 1',
            seen: 'no masked frame from the server yet',
            rfc: rfc('5.1'),
          });
        const delivered = apiEvents(conn, 'message')[0];
        if (delivered)
          return fail({
            expected,
            seen: `the page received a message (${typeof delivered.data === 'string' ? quote(delivered.data) : 'binary'}): the client accepted a masked frame`,
            frame: masked,
            rfc: rfc('5.1'),
          });
        const close = framesOf(conn, 'client').find((f) => f.kind === 'close' && f.ref.event > masked.event);
        const page = closeOf(conn);
        const pageSaw = page ? `; the page saw close ${page.code}, wasClean ${page.wasClean}` : '';
        if (!close)
          return fail({
            expected,
            seen: `no Close frame from the client after the masked frame${pageSaw}`,
            frame: masked,
            rfc: rfc('7.1.7'),
          });
        const code =
          close.frame && close.frame.payload.length >= 2
            ? (close.frame.payload[0]! << 8) | close.frame.payload[1]!
            : undefined;
        if (code !== 1002)
          return fail({
            expected,
            seen: `the client's Close frame carries ${code === undefined ? 'no code' : code}`,
            frame: at(close, 'closeCode'),
            rfc: rfc('7.4.1'),
          });
        const errored = apiEvents(conn, 'error').length > 0;
        return pass(
          `the client answered the masked frame with Close 1002${page ? `; the page saw ${errored ? 'error, then ' : ''}close ${page.code}, wasClean ${page.wasClean}` : ''}`,
          at(close, 'closeCode'),
        );
      },
    },
  ],
});

/**
 * The payload when `bytes` are one whole unmasked data frame (FIN set, RSV clear, as a server
 * would send it), else undefined. Bare text never starts like that: its bytes are below 0x80,
 * and a UTF-8 lead byte has the bits RSV would use.
 */
export function payloadOfUnmaskedFrame(bytes: Uint8Array): Uint8Array | undefined {
  const b0 = bytes[0] ?? 0;
  if (b0 !== 0x81 && b0 !== 0x82) return undefined;
  const decoded = decodeFrameBytes(bytes, 'server');
  return decoded.frame && !decoded.error && !decoded.masked ? decoded.frame.payload : undefined;
}

function isMaskedFrameExperiment(conn: TraceConnection): boolean {
  try {
    const url = new URL(conn.url);
    return (
      url.pathname.split('/').filter(Boolean).at(-1) === 'misbehave' &&
      url.searchParams.get('do') === 'masked-frame'
    );
  } catch {
    return false;
  }
}

/** The first bytes from the server with MASK set: a frame event, or raw bytes the tap could not frame. */
function firstMaskedServerFrame(conn: TraceConnection): FrameRef | undefined {
  const event = conn.events.findIndex(
    (e) =>
      (e.kind === 'frame' || e.kind === 'bytes') && e.from === 'server' && ((e.bytes[1] ?? 0) & 0x80) !== 0,
  );
  return event === -1 ? undefined : { connection: conn.id, event, field: 'mask' };
}

function startsWith(whole: Uint8Array, part: Uint8Array): boolean {
  return part.length <= whole.length && part.every((x, i) => x === whole[i]);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
