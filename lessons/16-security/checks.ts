/**
 * The security lesson (RFC 6455 §10). First the lab: a token in a URL crosses ws:// in plain
 * text, and the bundled /echo?rate=N closes a flood with 1008. Then the learner hardens their
 * server and the lesson's probe attacks it, each attack on its own connection, labelled in its
 * URL (`probe=NAME`): the lesson's own page (which must still be served), a page from another
 * site, a client without the token, an oversize message and a flood. The answers are read from
 * the wire: the status of the handshake, the server's Close frame and its code.
 */
import {
  at,
  connectionsTo,
  defineChecks,
  fail,
  framesOf,
  handshakeOf,
  pass,
  plural,
  quote,
  rfc,
  type ProbeKit,
  type TaskResult,
  type Trace,
  type TraceConnection,
  type TraceFrame,
} from '../../app/lessons/kit.ts';
import type { PlaySocket } from '../../app/lessons/play.ts';
import { decodeUtf8 } from '../../app/ui/lib/engine.ts';

export const PORT = 9000;
export const SERVER_URL = `ws://localhost:${PORT}/`;
/** The secret the lesson's own page knows (in the URL and in its first message). */
export const TOKEN = 'let-me-in';
/** The site the probe pretends to be when it attacks from another origin. */
export const FOREIGN_ORIGIN = 'https://evil.example';
/** The oversize message: bigger than any sensible limit for a chat line. */
export const BIG = 64 * 1024;
/** Messages the flood sends at once. */
export const FLOOD = 40;

export type Attack = 'friend' | 'foreign' | 'stranger' | 'oversize' | 'flood';

const OPEN = 1;
const CLOSED = 3;

/** The URL of one attack: labelled, with the token unless it is the stranger. */
export function attackUrl(base: string, attack: Attack): string {
  const u = new URL(base);
  if (attack !== 'stranger') u.searchParams.set('token', TOKEN);
  u.searchParams.set('probe', attack);
  return u.href;
}

/** Sends `messages` once open (the token first, for a server that wants it in a message), then waits for the end. */
async function attack(
  kit: ProbeKit,
  url: string,
  messages: string[],
  done: (got: string[], ws: PlaySocket) => boolean,
  ms = 1500,
): Promise<void> {
  const ws = kit.connect(url);
  const got: string[] = [];
  ws.addEventListener('message', (e) => got.push(String((e as MessageEvent).data)));
  await kit.until(() => ws.readyState !== 0);
  if (ws.readyState !== OPEN) return;
  for (const m of messages) if (ws.readyState === OPEN) ws.send(m);
  await kit.until(() => ws.readyState === CLOSED || done(got, ws), ms);
  if (ws.readyState === OPEN) ws.close(1000, 'probe done');
  await kit.until(() => ws.readyState === CLOSED, 1000);
}

/** The probe, for any server URL (the learner's in the page; a reference service in Vitest). */
export async function securityProbe(kit: ProbeKit, url: string): Promise<TraceConnection[]> {
  const tag = Math.random().toString(36).slice(2, 8);
  const auth = JSON.stringify({ token: TOKEN });
  const hello = `hello from the lesson's page (${tag})`;
  await attack(kit, attackUrl(url, 'friend'), [auth, hello], (got) => got.includes(hello));
  const foreign = await kit.open(attackUrl(url, 'foreign'), { origin: FOREIGN_ORIGIN });
  await attack(kit, attackUrl(url, 'stranger'), [`hello from a stranger (${tag})`], () => false);
  await attack(kit, attackUrl(url, 'oversize'), [auth, 'x'.repeat(BIG)], () => false);
  await attack(
    kit,
    attackUrl(url, 'flood'),
    [auth, ...Array.from({ length: FLOOD }, (_, i) => `flood ${i + 1} (${tag})`)],
    () => false,
    2500,
  );
  return [foreign];
}

/** The probe's latest connection for one attack (the player keeps only the latest probe run). */
function attackConn(trace: Trace, which: Attack): TraceConnection | undefined {
  return trace.connections
    .filter((c) => {
      if (c.origin !== 'probe') return false;
      try {
        return new URL(c.url).searchParams.get('probe') === which;
      } catch {
        return false;
      }
    })
    .at(-1);
}

const NOT_TESTED = (expected: string): TaskResult =>
  fail({
    expected,
    seen: 'the lesson has not attacked your server yet: run server.js, then press Check',
    rfc: rfc('10'),
  });

/** The code of a Close frame, when it has one. */
function closeCode(f: TraceFrame): number | undefined {
  const p = f.frame?.payload;
  return p && p.length >= 2 ? (p[0]! << 8) | p[1]! : undefined;
}

interface Outcome {
  /** The handshake's answer: its status (0: none). */
  status: number;
  statusLine: string;
  /** The server's Close frame, if it sent one. */
  serverClose?: TraceFrame;
  code?: number;
  /** Texts the server sent. */
  texts: { text: string; frame: TraceFrame }[];
}

function outcome(conn: TraceConnection): Outcome {
  const response = handshakeOf(conn).response;
  const frames = framesOf(conn, 'server');
  // Only a Close the server began: one that answers the client's own Close (the probe ending
  // a connection the server kept open) says nothing about the server's defences.
  const clientClose = framesOf(conn, 'client').find((f) => f.kind === 'close');
  const serverClose = frames.find(
    (f) => f.kind === 'close' && (!clientClose || f.ref.event < clientClose.ref.event),
  );
  const code = serverClose ? closeCode(serverClose) : undefined;
  return {
    status: response?.status ?? 0,
    statusLine: response?.startLine ?? '',
    ...(serverClose ? { serverClose } : {}),
    ...(code !== undefined ? { code } : {}),
    texts: frames
      .filter((f) => (f.kind === 'text' || f.kind === 'binary') && f.frame)
      .map((f) => ({ text: decodeUtf8(f.frame!.payload), frame: f })),
  };
}

function nothingAnswered(o: Outcome): string | undefined {
  return o.status === 0 ? `nothing answered on ${SERVER_URL}: is server.js running?` : undefined;
}

/** "a 101, then Close 1000" / "'HTTP/1.1 403 Forbidden'": how a connection ended, in one phrase. */
function told(o: Outcome): string {
  if (o.status !== 101) return quote(o.statusLine, 60);
  if (!o.serverClose) return 'a 101, and your server never closed it';
  return `a 101, then Close ${o.code ?? '(no code)'}`;
}

/** The client messages of a connection. */
function sentTexts(conn: TraceConnection): string[] {
  return framesOf(conn, 'client')
    .filter((f) => f.kind === 'text' && f.frame)
    .map((f) => decodeUtf8(f.frame!.payload));
}

function closeTask(
  trace: Trace,
  which: 'oversize' | 'flood',
  code: number,
  expected: string,
  section: string,
): TaskResult {
  const conn = attackConn(trace, which);
  if (!conn) return NOT_TESTED(expected);
  const o = outcome(conn);
  const none = nothingAnswered(o);
  if (none) return fail({ expected, seen: none, rfc: rfc('4.2.2') });
  if (o.status !== 101)
    return fail({
      expected,
      seen: `your server refused the handshake of a client with the right Origin and token: ${quote(o.statusLine, 60)}`,
      rfc: rfc('4.2.2'),
    });
  if (!o.serverClose) {
    const echoed = o.texts.length;
    return fail({
      expected,
      seen:
        which === 'flood'
          ? `the client sent ${plural(FLOOD + 1, 'message')} at once; your server answered ${plural(echoed, 'message')} and never closed the connection`
          : `your server took the ${BIG / 1024} KiB message${echoed ? ' and answered it' : ''} and never closed the connection`,
      rfc: rfc(section),
    });
  }
  if (o.code !== code)
    return fail({
      expected,
      seen: `your server closed with ${o.code ?? 'no code'}`,
      frame: at(o.serverClose, 'closeCode'),
      rfc: rfc('7.4.1'),
    });
  const answered = o.texts.length;
  return pass(
    which === 'flood'
      ? `${plural(FLOOD + 1, 'message')} at once; your server answered ${answered} of them, then closed with ${code}`
      : `a ${BIG / 1024} KiB message; your server closed with ${code}`,
    at(o.serverClose, 'closeCode'),
  );
}

export default defineChecks({
  probe: (kit) => securityProbe(kit, SERVER_URL),
  tasks: [
    {
      id: 'token-visible',
      title: 'Open /echo with a token in its URL and find the token on the wire',
      check(trace) {
        const expected =
          'a connection to /echo whose URL carries ?token=..., and its GET request line on the wire';
        const conns = connectionsTo(trace, '/echo').filter((c) => {
          try {
            return new URL(c.url).searchParams.has('token');
          } catch {
            return false;
          }
        });
        const conn = conns.at(-1);
        if (!conn)
          return fail({
            expected,
            seen: `${plural(connectionsTo(trace, '/echo').length, 'connection')} to /echo, none with a token in its URL`,
            rfc: rfc('10.6'),
          });
        const request = handshakeOf(conn).request;
        if (!request) return fail({ expected, seen: 'no request on the wire yet', rfc: rfc('4.1') });
        const token = /[?&]token=([^&\s]*)/.exec(request.startLine)?.[1];
        if (token === undefined)
          return fail({
            expected,
            seen: `the request line ${quote(request.startLine, 60)} has no token`,
            rfc: rfc('4.1'),
          });
        return pass(`${quote(request.startLine, 70)}: the token ${quote(token)} crossed in plain text`);
      },
    },
    {
      id: 'bundled-rate',
      title: 'Flood /echo?rate=3 and see it close the connection',
      check(trace) {
        const expected =
          "a connection to /echo?rate=N that sends more than N messages in a second, and the server's Close 1008 (policy violation)";
        const conns = connectionsTo(trace, '/echo').filter((c) => {
          try {
            return new URL(c.url).searchParams.has('rate');
          } catch {
            return false;
          }
        });
        const conn = conns.at(-1);
        if (!conn) return fail({ expected, seen: 'no connection to /echo?rate=... yet', rfc: rfc('7.4.1') });
        const o = outcome(conn);
        const sent = sentTexts(conn).length;
        if (!o.serverClose)
          return fail({
            expected,
            seen: `you sent ${plural(sent, 'message')}; the server has not closed: send more at once (the composer's × field)`,
            rfc: rfc('7.4.1'),
          });
        if (o.code !== 1008)
          return fail({
            expected,
            seen: `the server closed with ${o.code ?? 'no code'}`,
            frame: at(o.serverClose, 'closeCode'),
            rfc: rfc('7.4.1'),
          });
        return pass(
          `${plural(sent, 'message')} reached the server; it echoed ${o.texts.length}, then closed with 1008`,
          at(o.serverClose, 'closeCode'),
        );
      },
    },
    {
      id: 'friend-served',
      title: "Keep serving the lesson's own page: the right Origin and the token",
      check(trace) {
        const expected = `your server accepts the lesson's page (its own Origin, ?token=${TOKEN}) and echoes its message`;
        const conn = attackConn(trace, 'friend');
        if (!conn) return NOT_TESTED(expected);
        const o = outcome(conn);
        const none = nothingAnswered(o);
        if (none) return fail({ expected, seen: none, rfc: rfc('4.2.2') });
        const origin = handshakeOf(conn).request?.headers.origin ?? '(none)';
        if (o.status !== 101)
          return fail({
            expected,
            seen: `your server refused the lesson's own page (Origin ${origin}) with ${quote(o.statusLine, 60)}: allow process.env.PAGE_ORIGIN`,
            rfc: rfc('10.2'),
          });
        const hello = sentTexts(conn).find((t) => t.startsWith('hello from'));
        const echo = o.texts.find((t) => hello !== undefined && t.text.includes(hello));
        if (echo)
          return pass(
            `Origin ${origin} with the token: accepted, and ${quote(hello!)} came back`,
            at(echo.frame, 'payload'),
          );
        return fail({
          expected,
          seen: o.serverClose
            ? `your server closed the lesson's page with ${o.code ?? 'no code'} before it answered`
            : `its message ${quote(hello ?? '')} never came back`,
          ...(o.serverClose ? { frame: at(o.serverClose, 'closeCode') } : {}),
          rfc: rfc('10.2'),
        });
      },
    },
    {
      id: 'origin-refused',
      title: 'Refuse a page from another site: 403, no 101',
      check(trace) {
        const expected = `a handshake with Origin: ${FOREIGN_ORIGIN} answered 403 Forbidden, with no 101: the foreign page never gets a connection`;
        const conn = attackConn(trace, 'foreign');
        if (!conn) return NOT_TESTED(expected);
        const o = outcome(conn);
        const none = nothingAnswered(o);
        if (none) return fail({ expected, seen: none, rfc: rfc('4.2.2') });
        if (o.status === 403)
          return pass(`Origin ${FOREIGN_ORIGIN}: ${quote(o.statusLine, 60)}, no connection`);
        if (o.status === 101)
          return fail({
            expected,
            seen: `${told(o)}: the page on ${FOREIGN_ORIGIN} got an open socket${o.serverClose ? ' (its script saw open before your Close)' : ''}; refuse it in the handshake (verifyClient)`,
            ...(o.serverClose ? { frame: at(o.serverClose, 'closeCode') } : {}),
            rfc: rfc('10.2'),
          });
        return fail({
          expected,
          seen: `${quote(o.statusLine, 60)}: refused, but 403 Forbidden is the answer for an origin the server does not accept`,
          rfc: rfc('4.2.2'),
        });
      },
    },
    {
      id: 'token-required',
      title: 'Turn away a client without the token',
      check(trace) {
        const expected =
          'a client without the token is refused (401 or 403, no 101) or closed with 1008, and its message never answered';
        const conn = attackConn(trace, 'stranger');
        if (!conn) return NOT_TESTED(expected);
        const o = outcome(conn);
        const none = nothingAnswered(o);
        if (none) return fail({ expected, seen: none, rfc: rfc('4.2.2') });
        if (o.status === 401 || o.status === 403)
          return pass(`no token: ${quote(o.statusLine, 60)}, no connection`);
        if (o.status !== 101) return fail({ expected, seen: quote(o.statusLine, 60), rfc: rfc('4.2.2') });
        const hello = sentTexts(conn).find((t) => t.startsWith('hello from'));
        const answered = o.texts.find((t) => hello !== undefined && t.text.includes(hello));
        if (answered)
          return fail({
            expected,
            seen: `your server answered the stranger's ${quote(hello!)}`,
            frame: at(answered.frame, 'payload'),
            rfc: rfc('10.5'),
          });
        if (!o.serverClose)
          return fail({
            expected,
            seen: 'a 101, and your server kept the stranger connected',
            rfc: rfc('10.5'),
          });
        if (o.code !== 1008)
          return fail({
            expected,
            seen: `${told(o)}: 1008 (policy violation) says why`,
            frame: at(o.serverClose, 'closeCode'),
            rfc: rfc('7.4.1'),
          });
        return pass('no token: a 101, then Close 1008 before any answer', at(o.serverClose, 'closeCode'));
      },
    },
    {
      id: 'size-limit',
      title: 'Close on a message that is too big: 1009',
      check: (trace) =>
        closeTask(
          trace,
          'oversize',
          1009,
          `a ${BIG / 1024} KiB message from a client with the token ends in your server's Close 1009 (message too big)`,
          '10.4',
        ),
    },
    {
      id: 'rate-limit',
      title: 'Close on a flood: 1008',
      check: (trace) =>
        closeTask(
          trace,
          'flood',
          1008,
          `${FLOOD + 1} messages at once from a client with the token end in your server's Close 1008 (policy violation)`,
          '10.4',
        ),
    },
  ],
});
