import {
  apiEvents,
  at,
  closeOf,
  connectionsTo,
  defineChecks,
  fail,
  pass,
  rfc,
  type Trace,
  type TraceConnection,
} from '../../app/lessons/kit.ts';
import { apiDataSize } from '../../app/ui/connection/events.ts';
import { closeFramesOf, describeClose, ending, reported, type CloseFrame } from './closes.ts';

/** /echo's limit on a message (the host's default): one byte more is answered with 1009. */
export const ECHO_LIMIT = 1024 * 1024;

/** The latest connection (of `conns`) for which `pick` finds something, with what it found. */
function latest<T>(
  conns: TraceConnection[],
  pick: (c: TraceConnection) => T | undefined,
): { conn: TraceConnection; found: T } | undefined {
  for (const conn of [...conns].reverse()) {
    const found = pick(conn);
    if (found !== undefined) return { conn, found };
  }
  return undefined;
}

/** The CLOSE that started the closing handshake, and the answer to it from the other side. */
function handshake(conn: TraceConnection): { first: CloseFrame; answer?: CloseFrame } | undefined {
  const closes = closeFramesOf(conn);
  const first = closes[0];
  if (!first) return undefined;
  const answer = closes.find((c) => c.from !== first.from);
  return answer ? { first, answer } : { first };
}

/** Client-initiated closes with a code, newest last, across every connection. */
function clientCloses(trace: Trace): CloseFrame[] {
  return trace.connections.flatMap((conn) => {
    const h = handshake(conn);
    return h && h.first.from === 'client' ? [h.first] : [];
  });
}

export default defineChecks({
  tasks: [
    {
      id: 'client-close',
      title: 'Close a connection to /echo yourself and see the server answer',
      check(trace) {
        const expected =
          'a CLOSE from the client first, then a CLOSE from the server that answers it, and a clean close (wasClean true)';
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('5.5.1') });
        const done = latest(conns, (c) => {
          const h = handshake(c);
          return h?.first.from === 'client' && h.answer && closeOf(c)?.wasClean ? h : undefined;
        });
        if (done)
          return pass(
            `${describeClose(done.found.first)}, then ${describeClose(done.found.answer!)}; ${reported(done.conn)}`,
            at(done.found.first.frame, 'closeCode'),
          );
        const last = conns.at(-1)!;
        const h = handshake(last);
        if (!h)
          return fail({
            expected,
            seen: `no CLOSE frame on the latest /echo connection (${closeOf(last) ? reported(last) : 'it is still open'})`,
            rfc: rfc('5.5.1'),
          });
        if (h.first.from === 'server')
          return fail({
            expected,
            seen: `the server closed first: ${ending(last)}`,
            frame: at(h.first.frame, 'closeCode'),
            rfc: rfc('5.5.1'),
          });
        return fail({
          expected,
          seen: h.answer ? ending(last) : `${describeClose(h.first)}, and no CLOSE back from the server yet`,
          frame: at(h.first.frame, 'opcode'),
          rfc: rfc('7.1.2'),
        });
      },
    },
    {
      id: 'server-close',
      title: 'Let the server close first: open /close?code=4000&reason=bye',
      check(trace) {
        const expected =
          "a CLOSE with a status code from the server first, a CLOSE from the browser in answer, and the page reporting the server's code";
        const conns = connectionsTo(trace, '/close');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /close yet', rfc: rfc('5.5.1') });
        const done = latest(conns, (c) => {
          const h = handshake(c);
          return h?.first.from === 'server' && h.first.code !== undefined && h.answer ? h : undefined;
        });
        if (done) {
          const page = closeOf(done.conn);
          const { first, answer } = done.found;
          if (page && page.code !== first.code)
            return fail({
              expected: `the page reporting ${first.code}, the code of the first CLOSE it received`,
              seen: reported(done.conn),
              frame: at(first.frame, 'closeCode'),
              rfc: rfc('7.1.5'),
            });
          return pass(
            `${describeClose(first)}, then ${describeClose(answer!)}; ${reported(done.conn)}`,
            at(first.frame, 'closeCode'),
          );
        }
        const last = conns.at(-1)!;
        const h = handshake(last);
        if (h?.first.from === 'server' && h.first.code === undefined)
          return fail({
            expected,
            seen: `${describeClose(h.first)}: that is code=none; ask for a code, e.g. /close?code=4000&reason=bye`,
            frame: at(h.first.frame, 'payload'),
            rfc: rfc('5.5.1'),
          });
        if (h?.first.from === 'server')
          return fail({
            expected,
            seen: `${describeClose(h.first)}, and no CLOSE from the browser in answer`,
            frame: at(h.first.frame, 'opcode'),
            rfc: rfc('5.5.1'),
          });
        return fail({
          expected,
          seen: `on the latest /close connection: ${ending(last)}`,
          rfc: rfc('5.5.1'),
        });
      },
    },
    {
      id: 'app-code',
      title: 'Close with a code of your own, from 3000 to 4999',
      check(trace) {
        const expected =
          'a CLOSE from the client whose status code is in 3000-4999 (codes for libraries and applications)';
        const closes = clientCloses(trace);
        const own = closes.filter((c) => c.code !== undefined && c.code >= 3000 && c.code <= 4999).at(-1);
        if (own)
          return pass(
            `${describeClose(own)}: a code of your own, on the wire as ${own.code}`,
            at(own.frame, 'closeCode'),
          );
        const last = closes.at(-1);
        if (!last) return fail({ expected, seen: 'no CLOSE started by the client yet', rfc: rfc('7.4.2') });
        return fail({
          expected,
          seen: `your latest CLOSE: ${describeClose(last)}`,
          frame: at(last.frame, last.code === undefined ? 'payload' : 'closeCode'),
          rfc: rfc('7.4.2'),
        });
      },
    },
    {
      id: 'too-big',
      title: 'Send /echo more than it accepts and read the code the server closes with',
      check(trace) {
        const expected = `a CLOSE 1009 (Message Too Big) from /echo after a message over its limit of ${ECHO_LIMIT} bytes, and the page reporting 1009`;
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('7.4.1') });
        const done = latest(conns, (c) =>
          closeFramesOf(c).find((f) => f.from === 'server' && f.code === 1009),
        );
        if (done) {
          const page = closeOf(done.conn);
          if (page && page.code !== 1009)
            return fail({
              expected,
              seen: `CLOSE 1009 on the wire, but ${reported(done.conn)}`,
              frame: at(done.found.frame, 'closeCode'),
              rfc: rfc('7.1.5'),
            });
          return pass(
            `${describeClose(done.found)}; ${reported(done.conn)}`,
            at(done.found.frame, 'closeCode'),
          );
        }
        const biggest = Math.max(
          0,
          ...conns.flatMap((c) => apiEvents(c, 'message').map((m) => apiDataSize(m.data))),
        );
        const last = conns.at(-1)!;
        const echoed = biggest > 0 ? ` (the biggest message echoed back: ${biggest} bytes)` : '';
        return fail({
          expected,
          seen: `on the latest /echo connection: ${ending(last)}${echoed}`,
          rfc: rfc('7.4.1'),
        });
      },
    },
    {
      id: 'reported-1005',
      title: 'Get a close with no code: open /close?code=none',
      check(trace) {
        const expected =
          'a CLOSE with an empty payload from the server (no code on the wire), and the page reporting 1005';
        const conns = connectionsTo(trace, '/close');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /close yet', rfc: rfc('7.1.5') });
        const done = latest(conns, (c) => {
          const h = handshake(c);
          return h?.first.from === 'server' && h.first.code === undefined ? h.first : undefined;
        });
        if (done) {
          const page = closeOf(done.conn);
          if (!page)
            return fail({
              expected,
              seen: `${describeClose(done.found)}, and the page has not reported a close yet`,
              rfc: rfc('7.1.5'),
            });
          if (page.code !== 1005)
            return fail({
              expected,
              seen: `${describeClose(done.found)}, but ${reported(done.conn)}`,
              frame: at(done.found.frame, 'payload'),
              rfc: rfc('7.1.5'),
            });
          return pass(
            `${describeClose(done.found)} (0 bytes of payload); ${reported(done.conn)}: 1005 was never on the wire`,
            at(done.found.frame, 'len7'),
          );
        }
        return fail({
          expected,
          seen: `on the latest /close connection: ${ending(conns.at(-1)!)}`,
          rfc: rfc('7.1.5'),
        });
      },
    },
    {
      id: 'reported-1006',
      title: 'Lose a connection with no close frame at all: open /close?drop=1',
      check(trace) {
        const expected =
          'an open connection that ends with no CLOSE frame either way (the server dropped TCP), and the page reporting 1006, wasClean false';
        const done = latest(trace.connections, (c) =>
          apiEvents(c, 'open').length > 0 && closeFramesOf(c).length === 0 && closeOf(c)?.code === 1006
            ? closeOf(c)
            : undefined,
        );
        if (done)
          return pass(`no CLOSE frame either way; ${reported(done.conn)}: 1006 was never on the wire`);
        const conns = connectionsTo(trace, '/close');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /close yet', rfc: rfc('7.1.5') });
        return fail({
          expected,
          seen: `on the latest /close connection: ${ending(conns.at(-1)!)}`,
          rfc: rfc('7.1.5'),
        });
      },
    },
    {
      id: 'full-reason',
      title: 'Close with a reason of exactly 123 bytes',
      check(trace) {
        const expected =
          'a CLOSE from the client with a reason of exactly 123 bytes of UTF-8: with the 2-byte code, the 125 bytes a control frame may carry';
        const closes = clientCloses(trace);
        const full = closes.filter((c) => c.reasonBytes === 123).at(-1);
        if (full)
          return pass(
            `CLOSE ${full.code} with a 123-byte reason: a payload of 125 bytes, the most a control frame may carry`,
            at(full.frame, 'closeReason'),
          );
        const withReason = closes.filter((c) => c.reasonBytes > 0);
        if (withReason.length === 0)
          return fail({ expected, seen: 'no CLOSE from the client with a reason yet', rfc: rfc('5.5') });
        const longest = withReason.reduce((a, b) => (b.reasonBytes > a.reasonBytes ? b : a));
        return fail({
          expected,
          seen: `your longest reason was ${longest.reasonBytes} bytes (a payload of ${longest.reasonBytes + 2})`,
          frame: at(longest.frame, 'closeReason'),
          rfc: rfc('5.5'),
        });
      },
    },
  ],
});
