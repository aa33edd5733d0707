/**
 * Lesson 3: the API and the lifecycle. What a script sees (the API events the page recorded)
 * checked against what crossed the wire (the handshake and the frames).
 *
 * The API itself (readyState, the events, what throws) is the WHATWG WebSockets Standard; the
 * failures cite the RFC 6455 rule each one rests on (§6.1: data is sent only in OPEN).
 *
 * An exception leaves nothing on the wire and fires no event: the only trace of one is what the
 * learner's code printed when it caught it (trace.console). Those tasks read the console for the
 * exception's name and the wire for what the call did not do.
 */
import {
  apiEvents,
  apiOf,
  at,
  closeOf,
  defineChecks,
  fail,
  framesOf,
  handshakeOf,
  pass,
  plural,
  quote,
  rfc,
  type TraceConnection,
  type TraceFrame,
  type Trace,
} from '../../app/lessons/kit.ts';
import type { ApiData } from '../../app/ui/connection/events.ts';

const STATE_ORDER = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;

/** The readyState values the page saw, in order, without repeats. */
export function statesOf(conn: TraceConnection): string[] {
  const out: string[] = [];
  for (const e of apiEvents(conn, 'state')) if (out.at(-1) !== e.state) out.push(e.state);
  return out;
}

/** 'open → message → message → close': the events a script would have seen, in order. */
function eventNames(conn: TraceConnection): string[] {
  return apiOf(conn)
    .filter((e) => e.type === 'open' || e.type === 'message' || e.type === 'error' || e.type === 'close')
    .map((e) => (e.type === 'close' ? `close ${e.code}` : e.type));
}

function dataText(data: ApiData): string {
  return typeof data === 'string' ? quote(data) : `${data.type} of ${data.size ?? data.bytes.length} bytes`;
}

/** The frame's payload as the API would deliver it (text decoded; binary as a size). */
function frameText(f: TraceFrame): string {
  if (f.kind === 'text' && f.frame) return quote(new TextDecoder().decode(f.frame.payload));
  return `${f.kind.toUpperCase()} of ${f.length} bytes`;
}

/**
 * The most recent connection to /echo that reached OPEN and, when there is one, that also did
 * what the task is about (`relevant`): an experiment on a later connection does not undo a step.
 */
function lastOpened(trace: Trace, relevant?: (c: TraceConnection) => boolean): TraceConnection | undefined {
  const opened = trace.connections.filter((c) => isEcho(c) && apiEvents(c, 'open').length > 0);
  return (relevant && opened.filter(relevant).at(-1)) || opened.at(-1);
}

const hasClientClose = (c: TraceConnection): boolean => framesOf(c, 'client').some((f) => f.kind === 'close');

function isEcho(c: TraceConnection): boolean {
  try {
    return new URL(c.url).pathname.endsWith('/echo');
  } catch {
    return false;
  }
}

/** The first Close frame of a connection, from either side. */
function firstClose(conn: TraceConnection): TraceFrame | undefined {
  return framesOf(conn).find((f) => f.kind === 'close');
}

/** The field to highlight in a Close frame: its code, or its opcode when it carries none. */
function closeField(f: TraceFrame): string {
  return closeCodeIn(f) === 1005 ? 'opcode' : 'closeCode';
}

/** The code a Close frame carries: 1005 when it has none (§7.1.5). */
function closeCodeIn(f: TraceFrame): number {
  const p = f.frame?.payload;
  return p && p.length >= 2 ? (p[0]! << 8) | p[1]! : 1005;
}

function noOpenConnection(trace: Trace, rfcSection: string): ReturnType<typeof fail> {
  const echo = trace.connections.filter(isEcho);
  return fail({
    expected: 'a connection to /echo that opens',
    seen:
      echo.length === 0
        ? 'no connection to /echo yet'
        : `${plural(echo.length, 'connection')} to /echo, none of them opened (the last one: ${eventNames(echo.at(-1)!).join(' → ') || 'no event yet'})`,
    rfc: rfcSection,
  });
}

/** Console lines matching `pattern`. */
function printed(trace: Trace, pattern: RegExp): string[] {
  return trace.console.filter((line) => pattern.test(line));
}

function consoleSummary(trace: Trace): string {
  if (trace.console.length === 0) return 'your code printed nothing';
  return `your code printed ${plural(trace.console.length, 'line')}, the last: ${quote(trace.console.at(-1)!, 60)}`;
}

export default defineChecks({
  tasks: [
    {
      id: 'lifecycle',
      title: 'Connect to /echo, send a message, then close: watch all four readyStates',
      check(trace) {
        const conn = lastOpened(trace, (c) => closeOf(c) !== undefined && apiEvents(c, 'message').length > 0);
        if (!conn) return noOpenConnection(trace, rfc('4.1'));
        const states = statesOf(conn);
        const seen = `readyState went ${states.join(' → ')}`;
        const ranks = states.map((s) => STATE_ORDER.indexOf(s as (typeof STATE_ORDER)[number]));
        if (ranks.some((r, i) => i > 0 && r <= ranks[i - 1]!))
          return fail({
            expected: 'readyState to move forward only: CONNECTING → OPEN → CLOSING → CLOSED',
            seen,
            rfc: rfc('4.1'),
          });
        const messages = apiEvents(conn, 'message');
        if (messages.length === 0)
          return fail({
            expected: 'at least one message event while OPEN (send something: /echo sends it back)',
            seen: `${seen}, with no message event`,
            rfc: rfc('6.2'),
          });
        const close = closeOf(conn);
        if (!close)
          return fail({
            expected: 'CLOSING, then CLOSED: close the connection (the Close button)',
            seen: `${seen}: still ${states.at(-1)}`,
            rfc: rfc('7.1.2'),
          });
        const closeFrame = firstClose(conn);
        if (!states.includes('CLOSING') || !closeFrame)
          return fail({
            expected: 'a closing handshake: CLOSING while the Close frames cross, then CLOSED',
            seen: `${seen}, close ${close.code} with no Close frame on the wire (the connection was cut)`,
            rfc: rfc('7.1.5'),
          });
        const response = handshakeOf(conn).response;
        return pass(
          `${states.join(' → ')}: OPEN after the ${response?.status ?? 101}, ` +
            `CLOSING with the first Close frame (from the ${closeFrame.from}), CLOSED once both Close frames crossed`,
          at(closeFrame, closeField(closeFrame)),
        );
      },
    },
    {
      id: 'order',
      title: 'Send two messages on open and close when the second echo arrives',
      check(trace) {
        const conn = lastOpened(trace, (c) => apiEvents(c, 'message').length >= 2 && hasClientClose(c));
        if (!conn) return noOpenConnection(trace, rfc('4.1'));
        const names = eventNames(conn);
        const messages = apiEvents(conn, 'message');
        const serverData = framesOf(conn, 'server').filter((f) => f.kind === 'text' || f.kind === 'binary');
        if (messages.length < 2)
          return fail({
            expected: 'two message events: send two messages in your open handler (/echo returns each)',
            seen: `events: ${names.join(' → ')}`,
            rfc: rfc('6.2'),
          });
        // One message event per data message, in the order the frames crossed the wire.
        for (let i = 0; i < messages.length; i++) {
          const frame = serverData[i];
          const got = dataText(messages[i]!.data);
          if (!frame || (frame.kind === 'text' && got !== frameText(frame)))
            return fail({
              expected: `message event ${i + 1} to carry what the server's data frame ${i + 1} carried`,
              seen: frame
                ? `message ${got}, frame ${frameText(frame)}`
                : `message ${got} with no frame for it`,
              ...(frame ? { frame: at(frame, 'payload') } : {}),
              rfc: rfc('6.2'),
            });
        }
        const close = closeOf(conn);
        const closeFrame = firstClose(conn);
        if (!close || !closeFrame)
          return fail({
            expected: 'your code to close the socket once the second echo came back',
            seen: `events: ${names.join(' → ')}${close ? '' : ' (still open)'}`,
            rfc: rfc('7.1.2'),
          });
        if (closeFrame.from !== 'client')
          return fail({
            expected: 'the first Close frame to come from your client (you close, the server answers)',
            seen: `the server sent the first Close frame (code ${closeCodeIn(closeFrame)})`,
            frame: at(closeFrame, closeField(closeFrame)),
            rfc: rfc('5.5.1'),
          });
        if (close.code !== closeCodeIn(closeFrame))
          return fail({
            expected: `the close event's code to be the one on the wire (${closeCodeIn(closeFrame)})`,
            seen: `close event code ${close.code}`,
            frame: at(closeFrame, closeField(closeFrame)),
            rfc: rfc('7.1.5'),
          });
        return pass(
          `${names.join(' → ')}; on the wire: ${plural(serverData.length, 'data frame')} from the server, then Close ${closeCodeIn(closeFrame)} from your client and its echo`,
          at(closeFrame, closeField(closeFrame)),
        );
      },
    },
    {
      id: 'send-too-early',
      title: 'Call send() while CONNECTING and print the name of what it throws',
      check(trace) {
        const lines = printed(trace, /InvalidStateError/);
        if (lines.length === 0)
          return fail({
            expected:
              "a console line naming what send() threw while CONNECTING: call ws.send('too early') right after new WebSocket(), catch the error and print err.name",
            seen: `no console line mentions InvalidStateError; ${consoleSummary(trace)}`,
            rfc: rfc('6.1'),
          });
        const conn = lastOpened(trace);
        if (!conn) return noOpenConnection(trace, rfc('4.1'));
        const first = framesOf(conn, 'client')[0];
        return pass(
          `InvalidStateError (your console: ${quote(lines[0]!, 60)}); the socket opened all the same, and nothing crossed the wire before the 101: your first frame was ${first ? frameText(first) : 'none yet'}`,
          first ? at(first, 'opcode') : undefined,
        );
      },
    },
    {
      id: 'send-after-close',
      title: 'Call send() after close() and print bufferedAmount',
      check(trace) {
        const conn = lastOpened(trace, hasClientClose);
        if (!conn) return noOpenConnection(trace, rfc('4.1'));
        const clientClose = framesOf(conn, 'client').find((f) => f.kind === 'close');
        if (!clientClose)
          return fail({
            expected: 'a Close frame from your client: call ws.close(), then ws.send(...)',
            seen: `no Close frame from your client on the latest /echo connection (events: ${eventNames(conn).join(' → ')})`,
            rfc: rfc('5.5.1'),
          });
        const late = framesOf(conn, 'client').filter(
          (f) => f.ref.event > clientClose.ref.event && f.kind !== 'close',
        );
        if (late.length > 0)
          return fail({
            expected: 'no data frame after your Close frame',
            seen: `${plural(late.length, 'frame')} after it, the first ${frameText(late[0]!)}`,
            frame: at(late[0]!, 'opcode'),
            rfc: rfc('5.5.1'),
          });
        const amounts = trace.console
          .map((line) => /bufferedAmount\D{0,24}?(\d+)/i.exec(line))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => Number(m[1]));
        if (amounts.length === 0)
          return fail({
            expected:
              "a console line with bufferedAmount read right after send() following close(): console.log('bufferedAmount', ws.bufferedAmount)",
            seen: `no console line mentions bufferedAmount; ${consoleSummary(trace)}`,
            frame: at(clientClose, closeField(clientClose)),
            rfc: rfc('6.1'),
          });
        const grown = amounts.find((n) => n > 0);
        if (grown === undefined)
          return fail({
            expected:
              'bufferedAmount above 0 after a send() that followed close(): the bytes are counted, never sent',
            seen: `bufferedAmount ${amounts.join(', ')} (read before that send(), or no send() after close()?)`,
            frame: at(clientClose, closeField(clientClose)),
            rfc: rfc('6.1'),
          });
        return pass(
          `send() after close() threw nothing: bufferedAmount ${grown}, and no frame after your Close ${closeCodeIn(clientClose)} on the wire`,
          at(clientClose, closeField(clientClose)),
        );
      },
    },
    {
      id: 'close-1001',
      title: 'Call close(1001), print the name of what it throws, then close with a code you may send',
      check(trace) {
        const lines = printed(trace, /InvalidAccessError/);
        if (lines.length === 0)
          return fail({
            expected: 'a console line naming what close(1001) threw: catch it and print err.name',
            seen: `no console line mentions InvalidAccessError; ${consoleSummary(trace)}`,
            rfc: rfc('7.4.1'),
          });
        const conn = lastOpened(trace, hasClientClose);
        if (!conn) return noOpenConnection(trace, rfc('4.1'));
        const clientClose = framesOf(conn, 'client').find((f) => f.kind === 'close');
        if (!clientClose)
          return fail({
            expected: 'after the exception, a Close frame from your client with 1000 or 3000-4999',
            seen: 'no Close frame from your client: the throw closed nothing',
            rfc: rfc('7.4.2'),
          });
        const code = closeCodeIn(clientClose);
        if (code === 1001)
          return fail({
            expected: 'no Close frame with 1001 from a page: close(1001) throws before anything is sent',
            seen: 'a Close frame with 1001 from the client',
            frame: at(clientClose, closeField(clientClose)),
            rfc: rfc('7.4.1'),
          });
        return pass(
          `InvalidAccessError (your console: ${quote(lines[0]!, 60)}), and no 1001 on the wire: your Close frame carried ${code === 1005 ? 'no code' : code}`,
          at(clientClose, closeField(clientClose)),
        );
      },
    },
    {
      id: 'error-event',
      title: 'Make a connection fail: close() it while CONNECTING and watch error, then close 1006',
      check(trace) {
        const failed = trace.connections
          .filter((c) => apiEvents(c, 'error').length > 0 || closeOf(c)?.code === 1006)
          .at(-1);
        if (!failed)
          return fail({
            expected:
              'a connection that fails: an error event, then close 1006 (call ws.close() right after new WebSocket())',
            seen: `no connection has failed yet (${plural(trace.connections.length, 'connection')}, none with an error event or close 1006)`,
            rfc: rfc('7.1.7'),
          });
        const names = eventNames(failed);
        const close = closeOf(failed);
        const errorAt = names.indexOf('error');
        if (errorAt === -1)
          return fail({
            expected: 'an error event before close 1006: the API reports a failed connection with error',
            seen: `${names.join(' → ')}: no error event (a connection cut after opening closes 1006 without one)`,
            rfc: rfc('7.1.7'),
          });
        if (!close)
          return fail({
            expected: 'close 1006 after the error event',
            seen: names.join(' → '),
            rfc: rfc('7.1.5'),
          });
        if (close.code !== 1006 || close.wasClean)
          return fail({
            expected: 'close 1006 (abnormal closure), wasClean false',
            seen: `close ${close.code}, wasClean ${close.wasClean}`,
            rfc: rfc('7.1.5'),
          });
        // 1006 is reported, never sent (7.4.1). Chromium may still have sent its GET: it then
        // finishes the handshake and sends its own CLOSE 1001 Going Away, which is no 1006.
        const closeFrame = firstClose(failed);
        const code = closeFrame ? closeCodeIn(closeFrame) : undefined;
        if (closeFrame && code === 1006)
          return fail({
            expected: 'no Close frame carrying 1006: that code is reported by the API, never sent',
            seen: `a Close frame from the ${closeFrame.from} with 1006`,
            frame: at(closeFrame, closeField(closeFrame)),
            rfc: rfc('7.4.1'),
          });
        const wire = closeFrame
          ? `the browser's own CLOSE ${code} crossed the wire, but 1006 did not: it is reported, never sent`
          : 'no Close frame on the wire: 1006 is reported, never sent';
        return pass(`${names.join(' → ')} (wasClean false); ${wire}`);
      },
    },
  ],
});
