/**
 * The subprotocols lesson: each task reads the GET (what the client offered) and
 * the 101 (what the server chose) of the learner's connections, and what the page's WebSocket
 * did with them (its `open` event's `protocol` and `extensions`, or its failure).
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
  rfc,
  type HttpHead,
  type TaskResult,
  type Trace,
  type TraceConnection,
} from '../../app/lessons/kit.ts';
import { headerList } from '../../app/protocol/index.ts';

/** What /echo speaks (app/services/echo.ts), in its own order of preference. */
export const ECHO_SPEAKS = ['chat', 'superchat', 'json'];

const speaks = (p: string): boolean => ECHO_SPEAKS.includes(p);

/** 'a', 'b' -> "'a, b'"; none -> 'nothing'. */
function listed(items: string[]): string {
  return items.length === 0 ? 'nothing' : `'${items.join(', ')}'`;
}

interface Negotiation {
  conn: TraceConnection;
  request?: HttpHead;
  response?: HttpHead;
  /** 1.9, 4.1: the client's Sec-WebSocket-Protocol, in its order of preference. */
  offered: string[];
  /** 4.2.2: the server's Sec-WebSocket-Protocol ('' when the 101 has none). */
  chosen: string;
  /** The page's `open` event, when the socket opened. */
  open?: { protocol: string; extensions: string };
}

function negotiation(conn: TraceConnection): Negotiation {
  const { request, response } = handshakeOf(conn);
  const open = apiEvents(conn, 'open')[0];
  return {
    conn,
    ...(request ? { request } : {}),
    ...(response ? { response } : {}),
    // The wire's header when recorded; else what the page asked for.
    offered: request ? headerList(request.headers['sec-websocket-protocol']) : conn.protocols,
    chosen: response?.headers['sec-websocket-protocol'] ?? '',
    ...(open ? { open: { protocol: open.protocol, extensions: open.extensions } } : {}),
  };
}

function misbehaving(trace: Trace, what: string): TraceConnection[] {
  return connectionsTo(trace, '/misbehave').filter((c) => {
    try {
      return new URL(c.url).searchParams.get('do') === what;
    } catch {
      return false;
    }
  });
}

/** The 101 and the page's open event agree on `chosen`, or why not. */
function openedWith(n: Negotiation, expected: string, section: string): TaskResult | undefined {
  if (!n.response)
    return fail({ expected, seen: 'no answer from the server yet (still connecting?)', rfc: rfc(section) });
  if (n.response.status !== 101)
    return fail({ expected, seen: `'${n.response.startLine}' instead of a 101`, rfc: rfc(section) });
  if (!n.open)
    return fail({
      expected,
      seen: `the 101 came, but the page's socket never opened (${closeOf(n.conn)?.code ?? 'not closed'})`,
      rfc: rfc(section),
    });
  if (n.open.protocol !== n.chosen)
    return fail({
      expected,
      seen: `the 101 chose '${n.chosen}' but ws.protocol is '${n.open.protocol}'`,
      rfc: rfc('4.1'),
    });
  return undefined;
}

export default defineChecks({
  tasks: [
    {
      id: 'offer-chosen',
      title: 'Offer /echo two subprotocols it speaks and read its choice',
      check(trace) {
        const expected = `a GET to /echo offering two or more of ${ECHO_SPEAKS.join(', ')} in Sec-WebSocket-Protocol, a 101 naming the one /echo chose, and ws.protocol equal to it`;
        const conns = connectionsTo(trace, '/echo').map(negotiation);
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('1.9') });
        const found = [...conns].reverse().find((n) => n.offered.filter(speaks).length >= 2);
        if (!found) {
          const last = conns.at(-1)!;
          const spoken = last.offered.filter(speaks);
          return fail({
            expected,
            seen:
              last.offered.length === 0
                ? 'your latest GET to /echo had no Sec-WebSocket-Protocol: it offered nothing'
                : `your latest GET to /echo offered ${listed(last.offered)}, of which /echo speaks ${spoken.length === 0 ? 'none' : listed(spoken)}`,
            rfc: rfc('4.1'),
          });
        }
        const problem = openedWith(found, expected, '4.2.2');
        if (problem) return problem;
        const first = found.offered.find(speaks)!;
        if (found.chosen !== first)
          return fail({
            expected: `${expected}: the first of your offers that it speaks, '${first}'`,
            seen: `the 101 chose ${found.chosen ? `'${found.chosen}'` : 'none'}`,
            rfc: rfc('4.2.2'),
          });
        return pass(
          `you offered ${listed(found.offered)}; the 101 chose '${found.chosen}', the first of your list that /echo speaks, and ws.protocol is '${found.open!.protocol}'`,
        );
      },
    },
    {
      id: 'no-common',
      title: 'Offer /echo only a subprotocol it does not speak',
      check(trace) {
        const expected = `a GET to /echo offering only subprotocols /echo does not speak (it speaks ${ECHO_SPEAKS.join(', ')}), a 101 with no Sec-WebSocket-Protocol, and the page failing the connection: close 1006, never open`;
        const conns = connectionsTo(trace, '/echo').map(negotiation);
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('4.2.2') });
        const found = [...conns].reverse().find((n) => n.offered.length > 0 && !n.offered.some(speaks));
        if (!found) {
          const last = conns.at(-1)!;
          return fail({
            expected,
            seen:
              last.offered.length === 0
                ? 'your latest GET to /echo offered nothing: offer a subprotocol, just not one /echo speaks'
                : `your latest GET to /echo offered ${listed(last.offered)}, and /echo speaks ${listed(last.offered.filter(speaks))}`,
            rfc: rfc('4.1'),
          });
        }
        if (!found.response)
          return fail({
            expected,
            seen: 'no answer from the server yet (still connecting?)',
            rfc: rfc('4.2.2'),
          });
        if (found.chosen !== '')
          return fail({
            expected,
            seen: `the 101 named '${found.chosen}', which you did not offer`,
            rfc: rfc('4.2.2'),
          });
        if (found.open)
          return fail({
            expected,
            seen: "the socket opened with ws.protocol '': RFC 6455 allows that, but a browser fails a connection when it offered subprotocols and the 101 chose none",
            rfc: rfc('4.1'),
          });
        const close = closeOf(found.conn);
        if (!close) return fail({ expected, seen: 'the socket has not closed yet', rfc: rfc('4.1') });
        if (close.code !== 1006 || close.wasClean)
          return fail({
            expected,
            seen: `close ${close.code}${close.wasClean ? ', clean' : ''}`,
            rfc: rfc('7.1.5'),
          });
        return pass(
          `you offered ${listed(found.offered)}; the 101 had no Sec-WebSocket-Protocol; the page closed with 1006 and never opened`,
        );
      },
    },
    {
      id: 'unoffered-refused',
      title: 'See the browser refuse a subprotocol it did not offer',
      check(trace) {
        const expected =
          'a 101 from /misbehave?do=unoffered-protocol naming a subprotocol your GET did not offer, and the page failing the connection: an error event, then close 1006, never open';
        const conn = misbehaving(trace, 'unoffered-protocol').at(-1);
        if (!conn)
          return fail({
            expected,
            seen: 'no connection to /misbehave?do=unoffered-protocol yet',
            rfc: rfc('4.1'),
          });
        const n = negotiation(conn);
        if (!n.response)
          return fail({
            expected,
            seen: 'no answer from the server yet (still connecting?)',
            rfc: rfc('4.1'),
          });
        if (n.chosen === '' || n.offered.includes(n.chosen))
          return fail({
            expected,
            seen: `the 101 named ${n.chosen ? `'${n.chosen}', which you offered` : 'no subprotocol'}`,
            rfc: rfc('4.1'),
          });
        if (n.open)
          return fail({
            expected,
            seen: `the socket opened with ws.protocol '${n.open.protocol}': a client must fail the connection when the 101 names a subprotocol it did not offer`,
            rfc: rfc('4.1'),
          });
        const close = closeOf(conn);
        if (!close) return fail({ expected, seen: 'the socket has not closed yet', rfc: rfc('4.1') });
        if (close.code !== 1006 || close.wasClean)
          return fail({
            expected,
            seen: `close ${close.code}${close.wasClean ? ', clean' : ''}`,
            rfc: rfc('7.1.5'),
          });
        const errored = apiEvents(conn, 'error').length > 0;
        return pass(
          `you offered ${listed(n.offered)}; the 101 named '${n.chosen}'; the page ${errored ? 'fired error, then ' : ''}close 1006 and never opened`,
        );
      },
    },
    {
      id: 'extensions-declined',
      title: "Read the extensions offered and the server's answer",
      check(trace) {
        const expected =
          "a 101 from /echo with no Sec-WebSocket-Extensions (the lesson's /echo?deflate=0: our server declines), and ws.extensions ''";
        const answered = connectionsTo(trace, '/echo')
          .map(negotiation)
          .filter((n) => n.response?.status === 101);
        // The latest /echo socket that opened with no extension; else the latest 101, to say why not.
        const declined = answered.filter((a) => a.open && !a.response!.headers['sec-websocket-extensions']);
        const n = declined.at(-1) ?? answered.filter((a) => a.open).at(-1) ?? answered.at(-1);
        if (!n) return fail({ expected, seen: 'no 101 from /echo yet', rfc: rfc('9.1') });
        const offer = n.request?.headers['sec-websocket-extensions'] ?? '';
        const accepted = n.response!.headers['sec-websocket-extensions'] ?? '';
        if (accepted !== '')
          return fail({
            expected,
            seen: `the 101 accepted '${accepted}'${n.open ? ` and ws.extensions is '${n.open.extensions}'` : ''}`,
            rfc: rfc('9.1'),
          });
        if (!n.open) return fail({ expected, seen: "the page's socket never opened", rfc: rfc('9.1') });
        if (n.open.extensions !== '')
          return fail({
            expected,
            seen: `no extension in the 101, yet ws.extensions is '${n.open.extensions}'`,
            rfc: rfc('9.1'),
          });
        return pass(
          offer
            ? `your browser offered '${offer}'; the 101 had no Sec-WebSocket-Extensions, so none is in use and ws.extensions is ''`
            : "this client offered no extension; the 101 had none either, and ws.extensions is ''",
        );
      },
    },
    {
      id: 'compressed',
      title: 'Send a message compressed, and get it back inflated',
      check(trace) {
        const expected =
          'an /echo connection whose 101 accepted permessage-deflate, a message you sent in a frame with RSV1 = 1, and the page receiving its echo';
        const section = rfc('7.2', 7692);
        const accepted = connectionsTo(trace, '/echo')
          .map(negotiation)
          .filter((n) => /permessage-deflate/.test(n.response?.headers['sec-websocket-extensions'] ?? ''));
        const n = accepted.filter((a) => a.open).at(-1) ?? accepted.at(-1);
        if (!n)
          return fail({
            expected,
            seen: 'no /echo connection whose 101 accepted permessage-deflate yet (open /echo?deflate=1)',
            rfc: rfc('7.1', 7692),
          });
        if (!n.open) return fail({ expected, seen: "the page's socket never opened", rfc: section });
        const sent = framesOf(n.conn, 'client').filter((f) => f.opcode === 1 || f.opcode === 2);
        if (sent.length === 0) return fail({ expected, seen: 'no message sent on it yet', rfc: section });
        const squeezed = sent.find((f) => ((f.bytes[0] ?? 0) & 0x40) !== 0); // RSV1: bit 0x40 of the first byte (5.2)
        if (!squeezed)
          return fail({
            expected,
            seen: `${plural(sent.length, 'frame')} sent, each with RSV1 = 0 (sent uncompressed)`,
            rfc: section,
            frame: at(sent.at(-1)!, 'rsv1'),
          });
        // /echo sends each message back: the page's message event after the frame is its echo, inflated.
        const back = apiEvents(n.conn, 'message').filter((m) => m.t >= squeezed.t);
        if (back.length === 0)
          return fail({
            expected,
            seen: 'the page has not received the echo of what you sent yet',
            rfc: section,
            frame: at(squeezed, 'rsv1'),
          });
        return pass(
          `the 101 accepted '${n.response!.headers['sec-websocket-extensions']}'; your frame had RSV1 = 1 and ${plural(squeezed.length, 'byte')} of DEFLATE data, and the page got the echo back, inflated`,
          at(squeezed, 'rsv1'),
        );
      },
    },
  ],
});
