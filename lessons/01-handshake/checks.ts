/**
 * Lesson 1, the opening handshake: each task reads the GET and the 101 of the learner's own
 * connections (and what the page's WebSocket did with them). Never the learner's source.
 */
import {
  apiEvents,
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
import { computeAccept, hasToken, headerList, isValidKey } from '../../app/protocol/index.ts';

/** The `do=` of a /misbehave URL ('' when it has none). */
export function misbehaviourOf(url: string): string {
  try {
    return new URL(url).searchParams.get('do') ?? '';
  } catch {
    return '';
  }
}

/** Connections to /misbehave?do=WHAT, oldest first. */
function misbehaving(trace: Trace, what: string): TraceConnection[] {
  return connectionsTo(trace, '/misbehave').filter((c) => misbehaviourOf(c.url) === what);
}

/** 'GET /echo HTTP/1.1' -> the method, the path (query dropped) and the version. */
function requestLine(head: HttpHead): { method: string; path: string; version: string } {
  const [method = '', target = '', version = ''] = head.startLine.split(' ');
  return { method, path: target.split('?')[0] ?? '', version };
}

const NO_ECHO = (what: string): TaskResult =>
  fail({
    expected: `${what} (press "Open /echo")`,
    seen: 'no connection to /echo yet',
    rfc: rfc('4.1'),
  });

/** The latest connection to `path` whose GET was recorded, or why there is none. */
function latestRequest(
  conns: TraceConnection[],
  what: string,
): { conn: TraceConnection; request: HttpHead } | TaskResult {
  const conn = conns.at(-1);
  if (!conn) return NO_ECHO(what);
  const { request } = handshakeOf(conn);
  if (!request)
    return fail({
      expected: what,
      seen: 'the latest connection has no recorded request yet (still connecting?)',
      rfc: rfc('4.1'),
    });
  return { conn, request };
}

function isResult(v: object): v is TaskResult {
  return 'ok' in v;
}

/** 4.1: the checks a client makes on the 101, in the RFC's order; undefined when all hold. */
function responseProblem(
  request: HttpHead,
  response: HttpHead,
): { expected: string; seen: string } | undefined {
  if (response.status !== 101)
    return { expected: 'status 101 Switching Protocols', seen: `'${response.startLine}'` };
  const h = response.headers;
  if (!hasToken(h['upgrade'], 'websocket'))
    return { expected: 'Upgrade: websocket in the 101', seen: `Upgrade: ${h['upgrade'] ?? '(missing)'}` };
  if (!hasToken(h['connection'], 'upgrade'))
    return {
      expected: 'Connection: Upgrade in the 101',
      seen: `Connection: ${h['connection'] ?? '(missing)'}`,
    };
  const key = request.headers['sec-websocket-key'] ?? '';
  const want = computeAccept(key);
  const got = h['sec-websocket-accept'];
  if (got !== want)
    return {
      expected: `Sec-WebSocket-Accept: ${want} (base64 of SHA-1 of the key ${key} + the GUID)`,
      seen: got === undefined ? 'no Sec-WebSocket-Accept header' : `Sec-WebSocket-Accept: ${got}`,
    };
  return undefined;
}

/**
 * What the page did with a handshake that 4.1 says it must refuse: no `open`, a `close` 1006
 * (never clean), and no frame from the client (the connection never opened, so not even a Close).
 */
function refused(conn: TraceConnection, rule: string, section: string): TaskResult {
  const opened = apiEvents(conn, 'open')[0];
  if (opened)
    return fail({
      expected: `no open event: ${rule}, so the client must fail the connection`,
      seen: 'the page fired open: the client accepted the handshake',
      rfc: rfc(section),
    });
  const clientFrame = framesOf(conn, 'client')[0];
  if (clientFrame)
    return fail({
      expected: 'no frame from the client: a connection that never opened carries no frames',
      seen: `${clientFrame.summary} from the client`,
      frame: clientFrame.ref,
      rfc: rfc('7.1.7'),
    });
  const close = closeOf(conn);
  if (!close)
    return fail({
      expected: 'a close event with code 1006 (the page gives up on the connection)',
      seen: 'no close event yet',
      rfc: rfc('7.1.5'),
    });
  if (close.code !== 1006 || close.wasClean)
    return fail({
      expected: 'close code 1006, wasClean false: no Close frame was ever exchanged',
      seen: `close code ${close.code}, wasClean ${close.wasClean}`,
      rfc: rfc('7.1.5'),
    });
  const error = apiEvents(conn, 'error').length > 0 ? 'error, then ' : '';
  return pass(`${rule}; the page saw ${error}close 1006 (wasClean false) and never open`);
}

export default defineChecks({
  tasks: [
    {
      id: 'get',
      title: 'Open /echo and read the GET your browser sent',
      check(trace) {
        const r = latestRequest(connectionsTo(trace, '/echo'), 'a GET request to /echo');
        if (isResult(r)) return r;
        const { method, path, version } = requestLine(r.request);
        const h = r.request.headers;
        // 4.1 (2)-(6): a GET, HTTP/1.1 or later, Host, Upgrade: websocket, Connection: Upgrade.
        if (method !== 'GET' || !path.endsWith('/echo') || version !== 'HTTP/1.1')
          return fail({
            expected: "the request line 'GET /echo HTTP/1.1'",
            seen: `'${r.request.startLine}'`,
            rfc: rfc('4.1'),
          });
        if (!h['host']) return fail({ expected: 'a Host header', seen: 'no Host header', rfc: rfc('4.1') });
        if (!hasToken(h['upgrade'], 'websocket'))
          return fail({
            expected: 'Upgrade: websocket',
            seen: `Upgrade: ${h['upgrade'] ?? '(missing)'}`,
            rfc: rfc('4.1'),
          });
        if (!hasToken(h['connection'], 'upgrade'))
          return fail({
            expected: 'Connection: Upgrade',
            seen: `Connection: ${h['connection'] ?? '(missing)'}`,
            rfc: rfc('4.1'),
          });
        return pass(
          `'${r.request.startLine}' with Upgrade: ${h['upgrade']} and Connection: ${h['connection']}`,
        );
      },
    },
    {
      id: 'two-keys',
      title: 'Open /echo twice and compare the two Sec-WebSocket-Key values',
      check(trace) {
        const withGet = connectionsTo(trace, '/echo').filter((c) => handshakeOf(c).request);
        const last = withGet.slice(-2);
        const keys = last.map((c) => handshakeOf(c).request?.headers['sec-websocket-key']);
        for (const [i, conn] of last.entries()) {
          const h = handshakeOf(conn).request!.headers;
          const key = keys[i];
          // 4.1 (7): base64 of 16 random bytes.
          if (key === undefined || !isValidKey(key))
            return fail({
              expected: 'Sec-WebSocket-Key: 16 bytes in base64 (24 characters ending in ==)',
              seen: key === undefined ? 'no Sec-WebSocket-Key header' : `Sec-WebSocket-Key: ${key}`,
              rfc: rfc('4.1'),
            });
          // 4.1 (9): version 13.
          if (h['sec-websocket-version'] !== '13')
            return fail({
              expected: 'Sec-WebSocket-Version: 13',
              seen: `Sec-WebSocket-Version: ${h['sec-websocket-version'] ?? '(missing)'}`,
              rfc: rfc('4.1'),
            });
        }
        if (last.length < 2)
          return fail({
            expected: 'two connections to /echo, to compare their keys (open /echo again)',
            seen:
              last.length === 0
                ? 'no connection to /echo yet'
                : `${plural(1, 'connection')}, with Sec-WebSocket-Key: ${keys[0]}`,
            rfc: rfc('4.1'),
          });
        if (keys[0] === keys[1])
          return fail({
            expected: 'a different key for each connection (a fresh random nonce)',
            seen: `the same key twice: ${keys[0]}`,
            rfc: rfc('4.1'),
          });
        return pass(`two different keys: ${keys[0]} then ${keys[1]}; Sec-WebSocket-Version: 13 both times`);
      },
    },
    {
      id: 'accept',
      title: "Read the server's 101 Switching Protocols",
      check(trace) {
        const r = latestRequest(connectionsTo(trace, '/echo'), "the server's answer to a GET to /echo");
        if (isResult(r)) return r;
        const { response } = handshakeOf(r.conn);
        if (!response)
          return fail({
            expected: "the server's answer: HTTP/1.1 101 Switching Protocols",
            seen: 'no answer recorded yet',
            rfc: rfc('4.2.2'),
          });
        const problem = responseProblem(r.request, response);
        if (problem) return fail({ ...problem, rfc: rfc('4.2.2') });
        return pass(
          `'${response.startLine}' with Sec-WebSocket-Accept: ${response.headers['sec-websocket-accept']}, made from the key ${r.request.headers['sec-websocket-key']}`,
        );
      },
    },
    {
      id: 'subprotocol',
      title: 'Offer two subprotocols to /echo and see which one the server picks',
      check(trace) {
        const offering = connectionsTo(trace, '/echo').filter(
          (c) => headerList(handshakeOf(c).request?.headers['sec-websocket-protocol']).length >= 2,
        );
        const conn = offering.at(-1);
        if (!conn)
          return fail({
            expected:
              'a connection to /echo offering two subprotocols (Sec-WebSocket-Protocol: superchat, chat)',
            seen:
              connectionsTo(trace, '/echo').length === 0
                ? 'no connection to /echo yet'
                : 'your connections to /echo offered fewer than two subprotocols',
            rfc: rfc('4.1'),
          });
        const offers = headerList(handshakeOf(conn).request!.headers['sec-websocket-protocol']);
        const { response } = handshakeOf(conn);
        if (!response)
          return fail({ expected: "the server's 101", seen: 'no answer recorded yet', rfc: rfc('4.2.2') });
        const chosen = response.headers['sec-websocket-protocol'];
        // 4.2.2: the server names at most one of the offers, or none.
        if (chosen === undefined) {
          // A browser that offered subprotocols fails the connection when the 101 names none
          // (WHATWG WebSockets, "establish a WebSocket connection"); RFC 6455 alone would allow it.
          const close = closeOf(conn);
          const refusedBy =
            close && !apiEvents(conn, 'open')[0]
              ? `, so the page refused the connection (close ${close.code})`
              : '';
          return fail({
            expected: `Sec-WebSocket-Protocol in the 101 naming one of ${offers.join(', ')} (offer ones /echo knows: chat, superchat, json)`,
            seen: `no Sec-WebSocket-Protocol in the 101: the server picked none of your offers${refusedBy}`,
            rfc: rfc('4.2.2'),
          });
        }
        if (!offers.includes(chosen))
          return fail({
            expected: `exactly one of your offers: ${offers.join(', ')}`,
            seen: `Sec-WebSocket-Protocol: ${chosen}`,
            rfc: rfc('4.2.2'),
          });
        const open = apiEvents(conn, 'open')[0];
        if (!open)
          return fail({
            expected: `the open event, with ws.protocol '${chosen}'`,
            seen: 'no open event yet',
            rfc: rfc('4.1'),
          });
        if (open.protocol !== chosen)
          return fail({
            expected: `ws.protocol '${chosen}', the value of the 101's Sec-WebSocket-Protocol`,
            seen: `ws.protocol '${open.protocol}'`,
            rfc: rfc('4.1'),
          });
        return pass(
          `you offered ${offers.join(', ')}; the 101 named ${chosen}, and ws.protocol is '${chosen}'`,
        );
      },
    },
    {
      id: 'bad-accept',
      title: 'Open /misbehave?do=bad-accept and watch the page refuse a wrong Sec-WebSocket-Accept',
      check(trace) {
        const conn = misbehaving(trace, 'bad-accept').at(-1);
        if (!conn)
          return fail({
            expected: 'a connection to /misbehave?do=bad-accept',
            seen: 'none yet',
            rfc: rfc('4.1'),
          });
        const { request, response } = handshakeOf(conn);
        if (!request || !response || response.status !== 101)
          return fail({
            expected: 'a 101 from /misbehave carrying a wrong Sec-WebSocket-Accept',
            seen: response ? `'${response.startLine}'` : 'no answer recorded yet',
            rfc: rfc('4.1'),
          });
        const key = request.headers['sec-websocket-key'] ?? '';
        const got = response.headers['sec-websocket-accept'];
        const want = computeAccept(key);
        if (got === want)
          return fail({
            expected: `a wrong Sec-WebSocket-Accept (anything but ${want})`,
            seen: `the right value, ${got}: this server did not misbehave`,
            rfc: rfc('4.1'),
          });
        return refused(
          conn,
          `the 101 said Sec-WebSocket-Accept: ${got ?? '(none)'} where the key ${key} needs ${want}`,
          '4.1',
        );
      },
    },
    {
      id: 'unoffered',
      title: 'Open /misbehave?do=unoffered-protocol and watch the page refuse a subprotocol it did not offer',
      check(trace) {
        const conn = misbehaving(trace, 'unoffered-protocol').at(-1);
        if (!conn)
          return fail({
            expected: 'a connection to /misbehave?do=unoffered-protocol',
            seen: 'none yet',
            rfc: rfc('4.1'),
          });
        const { request, response } = handshakeOf(conn);
        if (!request || !response || response.status !== 101)
          return fail({
            expected: 'a 101 from /misbehave naming a subprotocol you did not offer',
            seen: response ? `'${response.startLine}'` : 'no answer recorded yet',
            rfc: rfc('4.1'),
          });
        const offers = headerList(request.headers['sec-websocket-protocol']);
        const named = response.headers['sec-websocket-protocol'];
        if (named === undefined || offers.includes(named))
          return fail({
            expected: `Sec-WebSocket-Protocol naming something you did not offer (you offered ${offers.length > 0 ? offers.join(', ') : 'none'})`,
            seen:
              named === undefined
                ? 'no Sec-WebSocket-Protocol in the 101'
                : `Sec-WebSocket-Protocol: ${named}`,
            rfc: rfc('4.1'),
          });
        const offered = offers.length > 0 ? `you offered ${offers.join(', ')}` : 'you offered none';
        return refused(conn, `the 101 named the subprotocol ${named} and ${offered}`, '4.1');
      },
    },
  ],
});
