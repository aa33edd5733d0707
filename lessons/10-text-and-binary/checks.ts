import {
  apiEvents,
  at,
  closeOf,
  connectionsTo,
  defineChecks,
  describe,
  fail,
  framesOf,
  pass,
  plural,
  quote,
  rfc,
  type Trace,
  type TraceConnection,
  type TraceFrame,
} from '../../app/lessons/kit.ts';
import type { ApiData } from '../../app/ui/connection/events.ts';

/*
 * The text-and-binary lesson reads opcodes (5.2, 5.6), the type the page's message event carried (binaryType,
 * WHATWG), UTF-8 lengths (5.6), and what a client does with a text frame that is not UTF-8
 * (8.1, 7.1.7). Events are matched by their data, never by their place in the log: in server
 * mode the tap's frames and the page's API events reach the log by different paths.
 */

const TEXT = 0x1;
const BINARY = 0x2;

/** The payload of a frame as its receiver reads it (unmasked), whole frames only. */
function payloadOf(f: TraceFrame): Uint8Array {
  if (f.frame) return f.frame.payload;
  const raw = f.bytes.slice(f.headerLength);
  if (!f.maskKey) return raw;
  return raw.map((b, i) => b ^ f.maskKey![i % 4]!);
}

/** Whole data frames (FIN=1, not a fragment) of one opcode from `from`, across `conns`, newest last. */
function whole(conns: TraceConnection[], from: 'client' | 'server', opcode: number): TraceFrame[] {
  return conns.flatMap((c) => framesOf(c, from).filter((f) => f.opcode === opcode && f.fin));
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function hex(bytes: Uint8Array, max = 16): string {
  const shown = [...bytes.slice(0, max)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} …` : shown;
}

/** Characters as a person counts them (code points: an emoji is one). */
function characters(text: string): number {
  return [...text].length;
}

function binaryData(data: ApiData): data is Exclude<ApiData, string> {
  return typeof data !== 'string';
}

/** Message events of /echo connections whose data is binary, with the type the page saw. */
function binaryMessages(trace: Trace): Exclude<ApiData, string>[] {
  return connectionsTo(trace, '/echo').flatMap((c) =>
    apiEvents(c, 'message')
      .map((e) => e.data)
      .filter(binaryData),
  );
}

/** Connections to /misbehave?do=bad-utf8. */
function badUtf8(trace: Trace): TraceConnection[] {
  return connectionsTo(trace, '/misbehave').filter((c) => {
    try {
      return new URL(c.url).searchParams.get('do') === 'bad-utf8';
    } catch {
      return false;
    }
  });
}

/** The code of a CLOSE frame, when its payload has one. */
function closeCode(f: TraceFrame): number | undefined {
  const p = payloadOf(f);
  return p.length >= 2 ? (p[0]! << 8) | p[1]! : undefined;
}

export default defineChecks({
  tasks: [
    {
      id: 'sent-text',
      title: 'Send a text message to /echo',
      check(trace) {
        const expected =
          'a TEXT frame (opcode 0x1) from the client: the lab composer in Text mode, or send(string)';
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('5.6') });
        const text = whole(conns, 'client', TEXT).at(-1);
        if (text) return pass(`${describe(text)}: opcode 0x1`, at(text, 'opcode'));
        const other = framesOf(conns.at(-1)!, 'client').find((f) => f.opcode < 0x8);
        return fail({
          expected,
          seen: other ? `only ${describe(other)}` : 'no data frame from the client on /echo yet',
          ...(other ? { frame: at(other, 'opcode') } : {}),
          rfc: rfc('5.6'),
        });
      },
    },
    {
      id: 'sent-binary',
      title: 'Send a binary message to /echo and get it back as binary',
      check(trace) {
        const expected =
          'a BINARY frame (opcode 0x2) from the client (the composer in Hex mode, or send(new Uint8Array([...]))), echoed back as a BINARY frame';
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('5.6') });
        const sent = whole(conns, 'client', BINARY);
        if (sent.length === 0) {
          const text = whole(conns, 'client', TEXT).at(-1);
          return fail({
            expected,
            seen: text
              ? `only TEXT frames from the client; the latest: ${describe(text)} (a string is always sent as text)`
              : 'no data frame from the client on /echo yet',
            ...(text ? { frame: at(text, 'opcode') } : {}),
            rfc: rfc('5.6'),
          });
        }
        const back = whole(conns, 'server', BINARY).at(-1);
        if (!back)
          return fail({
            expected,
            seen: `${describe(sent.at(-1)!)}, and no BINARY frame back from /echo yet`,
            frame: at(sent.at(-1)!, 'opcode'),
            rfc: rfc('5.6'),
          });
        return pass(`${describe(sent.at(-1)!)}; back: ${describe(back)}`, at(back, 'opcode'));
      },
    },
    {
      id: 'blob-and-arraybuffer',
      title: 'Receive one binary message as a Blob and one as an ArrayBuffer',
      check(trace) {
        const expected =
          "two binary messages from /echo: one while binaryType is 'blob' (the page gets a Blob), one after you set it to 'arraybuffer' (an ArrayBuffer)";
        const got = binaryMessages(trace);
        const blob = got.find((d) => d.type === 'Blob');
        const buffer = got.find((d) => d.type === 'ArrayBuffer');
        const frames = whole(connectionsTo(trace, '/echo'), 'server', BINARY);
        if (blob && buffer) {
          const opcodes = [...new Set(frames.map((f) => `0x${f.opcode.toString(16)}`))].join(', ');
          return pass(
            `a Blob of ${plural(blob.size ?? blob.bytes.length, 'byte')} and an ArrayBuffer of ${plural(buffer.bytes.length, 'byte')}; on the wire every one was a BINARY frame (opcode ${opcodes})`,
            frames.at(-1) ? at(frames.at(-1)!, 'opcode') : undefined,
          );
        }
        if (got.length === 0)
          return fail({ expected, seen: 'no binary message event from /echo yet', rfc: rfc('5.6') });
        const missing = blob ? "'arraybuffer' (set it in the composer, then send binary again)" : "'blob'";
        return fail({
          expected,
          seen: `${plural(got.length, 'binary message')}, every one ${blob ? 'a Blob' : 'an ArrayBuffer'}: none received with binaryType ${missing}`,
          ...(frames.at(-1) ? { frame: at(frames.at(-1)!, 'opcode') } : {}),
          rfc: rfc('5.6'),
        });
      },
    },
    {
      id: 'utf8-length',
      title: 'Send text with a character outside ASCII and read its length in bytes',
      check(trace) {
        const expected =
          "a TEXT frame from the client whose text has a character outside ASCII (such as 'é' or 'κόσμε'), so its payload length (bytes) is larger than its number of characters";
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('5.6') });
        const texts = whole(conns, 'client', TEXT);
        const wide = texts.filter((f) => {
          const p = payloadOf(f);
          return isUtf8(p) && characters(new TextDecoder().decode(p)) < p.length;
        });
        const found = wide.at(-1);
        if (found) {
          const p = payloadOf(found);
          const text = new TextDecoder().decode(p);
          return pass(
            `${quote(text)}: ${plural(characters(text), 'character')}, ${plural(p.length, 'byte')} of UTF-8 in the payload`,
            at(found, found.lengthForm === 7 ? 'len7' : found.lengthForm === 16 ? 'len16' : 'len64'),
          );
        }
        const last = texts.at(-1);
        return fail({
          expected,
          seen: last
            ? `only ASCII text: the latest, ${quote(new TextDecoder().decode(payloadOf(last)))}, has as many characters as bytes (${payloadOf(last).length})`
            : 'no TEXT frame from the client on /echo yet',
          ...(last ? { frame: at(last, 'payload') } : {}),
          rfc: rfc('5.6'),
        });
      },
    },
    {
      id: 'bad-utf8-frame',
      title: 'Open /misbehave?do=bad-utf8 and find the text frame that is not UTF-8',
      check(trace) {
        const expected = 'a TEXT frame from the server whose payload is not valid UTF-8 (§8.1)';
        const conns = badUtf8(trace);
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /misbehave?do=bad-utf8 yet', rfc: rfc('8.1') });
        for (const conn of [...conns].reverse()) {
          const bad = framesOf(conn, 'server').find((f) => f.opcode === TEXT && !isUtf8(payloadOf(f)));
          if (bad)
            return pass(
              `a TEXT frame of ${plural(payloadOf(bad).length, 'byte')}: ${hex(payloadOf(bad))}; ED A0 80 would be a UTF-16 surrogate, which UTF-8 may not encode`,
              at(bad, 'payload'),
            );
        }
        return fail({
          expected,
          seen: 'no TEXT frame from the server on that connection (did the handshake complete?)',
          rfc: rfc('8.1'),
        });
      },
    },
    {
      id: 'bad-utf8-failed',
      title: 'See what the client did with text that is not UTF-8',
      check(trace) {
        const conns = badUtf8(trace);
        const code =
          trace.mode === 'server'
            ? 'Chromium sends 1002'
            : 'our engine sends 1007 (Invalid frame payload data)';
        const expected = `the client fails the connection (§8.1, §7.1.7): a CLOSE from the client (${code}), no message event, and the page's close event with 1006 and wasClean false`;
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /misbehave?do=bad-utf8 yet', rfc: rfc('8.1') });
        const conn = conns.at(-1)!;
        const messages = apiEvents(conn, 'message');
        if (messages.length > 0)
          return fail({
            expected,
            seen: `the page got ${plural(messages.length, 'message event')}: ${typeof messages[0]!.data === 'string' ? quote(messages[0]!.data) : 'binary'}`,
            rfc: rfc('8.1'),
          });
        const close = framesOf(conn, 'client').find((f) => f.opcode === 0x8);
        const ended = closeOf(conn);
        if (!close || !ended) {
          return fail({
            expected,
            seen: !close ? 'no CLOSE from the client yet' : 'the page has no close event yet',
            rfc: rfc('7.1.7'),
          });
        }
        const sent = closeCode(close);
        if (sent !== 1007 && sent !== 1002)
          return fail({
            expected,
            seen: `the client's ${describe(close)}`,
            frame: at(close, sent === undefined ? 'payload' : 'closeCode'),
            rfc: rfc('7.4.1'),
          });
        if (ended.code !== 1006 || ended.wasClean)
          return fail({
            expected,
            seen: `the page's close event: ${ended.code}, wasClean ${ended.wasClean}`,
            frame: at(close, 'closeCode'),
            rfc: rfc('7.1.7'),
          });
        return pass(
          `the client sent CLOSE ${sent}; the page got no message, then close 1006 (wasClean false)`,
          at(close, 'closeCode'),
        );
      },
    },
  ],
});
