/**
 * The heartbeats lesson: ping, pong and heartbeats. Every task reads the wire of the learner's connections:
 * the PINGs and PONGs the page's API never shows (5.5.2, 5.5.3), the `__ping__`/`__pong__` text
 * messages it does show, and how a connection ended (a server's CLOSE frame, or none: 1006).
 */
import {
  apiEvents,
  at,
  closeOf,
  connectionsTo,
  defineChecks,
  fail,
  framesOf,
  pass,
  pathOf,
  plural,
  rfc,
  type Trace,
  type TraceConnection,
  type TraceFrame,
} from '../../app/lessons/kit.ts';

/** The application's heartbeat messages (a convention of this lesson, not of RFC 6455). */
export const APP_PING = '__ping__';
export const APP_PONG = '__pong__';

/** Two application pings closer than this were not sent by a timer but in a burst. */
export const MIN_GAP_MS = 300;

/** The bundled endpoints: a connection of the learner's code to anything else is to their own server. */
const BUNDLED = ['/echo', '/chat', '/ticker', '/close', '/heartbeat', '/misbehave'];

function ownServer(trace: Trace): TraceConnection[] {
  return trace.connections.filter((c) => c.origin === 'code' && !BUNDLED.includes(pathOf(c.url)));
}

const bytesEqual = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  (a?.length ?? 0) === (b?.length ?? 0) && (a ?? []).every((x, i) => x === b?.[i]);

const payloadOf = (f: TraceFrame): Uint8Array => f.frame?.payload ?? new Uint8Array(0);
const textOf = (f: TraceFrame): string => new TextDecoder().decode(payloadOf(f));

/** Each server PING with the client's PONG that answers it (5.5.3: same payload, after it), if any. */
function pingsAndPongs(conn: TraceConnection): { ping: TraceFrame; pong?: TraceFrame }[] {
  const frames = framesOf(conn);
  const used = new Set<TraceFrame>();
  return frames
    .filter((f) => f.from === 'server' && f.kind === 'ping')
    .map((ping) => {
      const pong = frames.find(
        (f) =>
          f.from === 'client' &&
          f.kind === 'pong' &&
          !used.has(f) &&
          f.ref.event > ping.ref.event &&
          bytesEqual(payloadOf(f), payloadOf(ping)),
      );
      if (pong) used.add(pong);
      return pong ? { ping, pong } : { ping };
    });
}

/**
 * How a connection ended, from the wire: the server started the closing handshake (its CLOSE
 * came first), the connection was dropped (no CLOSE either way), or neither yet.
 */
function ending(conn: TraceConnection): { serverClose?: TraceFrame; dropped: boolean; ended: boolean } {
  const closes = framesOf(conn).filter((f) => f.kind === 'close');
  const serverClose = closes[0]?.from === 'server' ? closes[0] : undefined;
  const clientClose = closes.find((f) => f.from === 'client');
  const wireClose = conn.events.find((e) => e.kind === 'close');
  const eof = conn.events.some((e) => e.kind === 'eof');
  const apiClose = closeOf(conn);
  const ended = eof || wireClose !== undefined || apiClose !== undefined;
  // 7.1.5: no Close frame received and the TCP connection gone: the close code is 1006.
  const dropped = ended && !serverClose && !clientClose;
  return { ...(serverClose ? { serverClose } : {}), dropped, ended };
}

/** The code the client reported (its close event), else the wire's. */
function reportedCode(conn: TraceConnection): number | undefined {
  const api = closeOf(conn);
  if (api) return api.code;
  const wire = conn.events.find((e) => e.kind === 'close');
  return wire?.kind === 'close' ? wire.code : undefined;
}

function heartbeatConns(trace: Trace): TraceConnection[] {
  return connectionsTo(trace, '/heartbeat');
}

/** The latest /heartbeat connection with 2+ pings; else the latest one. */
function latestHeartbeat(trace: Trace): TraceConnection | undefined {
  const conns = heartbeatConns(trace);
  return [...conns].reverse().find((c) => pingsAndPongs(c).length >= 2) ?? conns.at(-1);
}

const WAIT_FOR_PINGS =
  'two or more PINGs from /heartbeat, each answered by a PONG from the client with the same bytes';

export default defineChecks({
  tasks: [
    {
      id: 'browser-pongs',
      title: 'Open /heartbeat?interval=1000 and watch the browser answer its pings',
      check(trace) {
        const expected = `${WAIT_FOR_PINGS} (§5.5.3); keep the connection open for 2 seconds or more`;
        const conn = latestHeartbeat(trace);
        if (!conn) return fail({ expected, seen: 'no connection to /heartbeat yet', rfc: rfc('5.5.2') });
        const pairs = pingsAndPongs(conn);
        if (pairs.length < 2)
          return fail({
            expected,
            seen: `${plural(pairs.length, 'PING')} from the server on the latest /heartbeat connection${pairs.length === 0 ? '' : ' so far'}`,
            rfc: rfc('5.5.2'),
          });
        const missed = pairs.find((p) => !p.pong);
        if (missed) {
          const later = pairs.slice(pairs.indexOf(missed) + 1).length;
          if (later > 0 || ending(conn).ended)
            return fail({
              expected,
              seen: `PING '${textOf(missed.ping)}' got no PONG with the same bytes`,
              frame: at(missed.ping, 'payload'),
              rfc: rfc('5.5.3'),
            });
        }
        const answered = pairs.filter((p) => p.pong);
        return pass(
          `${plural(pairs.length, 'PING')} (${pairs.map((p) => `'${textOf(p.ping)}'`).join(', ')}), ${plural(answered.length, 'PONG')} from the client with the same bytes`,
          at(answered[0]!.pong!, 'payload'),
        );
      },
    },
    {
      id: 'api-silent',
      title: "Find the pings in the page's events",
      check(trace) {
        const conn = latestHeartbeat(trace);
        const pairs = conn ? pingsAndPongs(conn) : [];
        if (!conn || pairs.length < 2)
          return fail({
            expected: `${WAIT_FOR_PINGS} (the task above), then the page's events on that connection`,
            seen: conn ? `${plural(pairs.length, 'PING')} so far` : 'no connection to /heartbeat yet',
            rfc: rfc('5.5.2'),
          });
        const expected = `no message event and no send() for the ${pairs.length} PINGs and their PONGs: the browser answers pings itself and the API never shows them`;
        const messages = apiEvents(conn, 'message');
        if (messages.length > 0)
          return fail({
            expected,
            seen: `${plural(messages.length, 'message event')} on that connection`,
            rfc: rfc('5.5.2'),
          });
        const sends = apiEvents(conn, 'send');
        if (sends.length > 0)
          return fail({
            expected,
            seen: `${plural(sends.length, 'send() call')} on that connection: the PONGs are the browser's, your code need not send anything`,
            rfc: rfc('5.5.3'),
          });
        const pongs = pairs.filter((p) => p.pong).length;
        return pass(
          `${plural(pairs.length, 'PING')} and ${plural(pongs, 'PONG')} on the wire; the page's API showed no event for any of them`,
          at(pairs[0]!.ping, 'opcode'),
        );
      },
    },
    {
      id: 'app-heartbeat',
      title: `Make your client send '${APP_PING}' every second and read each '${APP_PONG}'`,
      check(trace) {
        const expected = `from your client.js to your server: a TEXT '${APP_PING}' every second or so (2 or more, at least ${MIN_GAP_MS} ms apart), each answered by a TEXT '${APP_PONG}' that your script receives as a message event`;
        const conns = ownServer(trace);
        if (conns.length === 0)
          return fail({
            expected,
            seen: 'no connection from your code to your own server yet (run server.js, then client.js)',
            rfc: rfc('5.6'),
          });
        let best: { conn: TraceConnection; pings: TraceFrame[] } | undefined;
        for (const conn of [...conns].reverse()) {
          const pings = framesOf(conn, 'client').filter((f) => f.kind === 'text' && textOf(f) === APP_PING);
          if (pings.length > (best?.pings.length ?? 0)) best = { conn, pings };
          if (pings.length >= 2) break;
        }
        if (!best || best.pings.length < 2)
          return fail({
            expected,
            seen: best
              ? `1 TEXT '${APP_PING}' from your client so far`
              : `no TEXT '${APP_PING}' from your client on ${plural(conns.length, 'connection')} to your server`,
            ...(best ? { frame: at(best.pings[0]!, 'payload') } : {}),
            rfc: rfc('5.6'),
          });
        const { conn, pings } = best;
        const gaps = pings.slice(1).map((p, i) => p.t - pings[i]!.t);
        const short = gaps.findIndex((g) => g < MIN_GAP_MS);
        if (short !== -1)
          return fail({
            expected,
            seen: `two '${APP_PING}' only ${gaps[short]} ms apart: a heartbeat goes out on a timer (setInterval), not in a burst`,
            frame: at(pings[short + 1]!, 'payload'),
            rfc: rfc('5.6'),
          });
        const answers = framesOf(conn, 'server').filter((f) => f.kind === 'text' && textOf(f) === APP_PONG);
        if (answers.length === 0)
          return fail({
            expected,
            seen: `${plural(pings.length, `'${APP_PING}'`)} from your client, no '${APP_PONG}' from your server`,
            frame: at(pings[0]!, 'payload'),
            rfc: rfc('5.6'),
          });
        const seen = apiEvents(conn, 'message').filter((e) => e.data === APP_PONG).length;
        if (seen === 0)
          return fail({
            expected,
            seen: `${plural(answers.length, `'${APP_PONG}'`)} on the wire, but no message event with it in your client`,
            frame: at(answers[0]!, 'payload'),
            rfc: rfc('5.6'),
          });
        const every = Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length);
        return pass(
          `${plural(pings.length, `'${APP_PING}'`)} about every ${every} ms, ${plural(answers.length, `'${APP_PONG}'`)} back, ${plural(seen, 'message event')} in your script`,
          at(pings[0]!, 'payload'),
        );
      },
    },
    {
      id: 'server-pings',
      title: 'Make your server ping every client',
      check(trace) {
        const expected =
          'PING frames (opcode 0x9) from your server, 2 or more on one connection: ws.ping() on a timer';
        const conns = ownServer(trace);
        if (conns.length === 0)
          return fail({
            expected,
            seen: 'no connection from your code to your own server yet (run server.js, then a client)',
            rfc: rfc('5.5.2'),
          });
        const counts = conns.map((c) => framesOf(c, 'server').filter((f) => f.kind === 'ping'));
        const most = counts.reduce((a, b) => (b.length > a.length ? b : a));
        if (most.length < 2)
          return fail({
            expected,
            seen: `${plural(most.length, 'PING')} from your server on ${most.length === 0 ? 'any of' : 'the busiest of'} ${plural(conns.length, 'connection')}`,
            ...(most[0] ? { frame: at(most[0], 'opcode') } : {}),
            rfc: rfc('5.5.2'),
          });
        return pass(
          `${plural(most.length, 'PING')} from your server on one connection`,
          at(most[0]!, 'opcode'),
        );
      },
    },
    {
      id: 'dead-terminated',
      title: 'Make your server drop a client that misses a pong',
      check(trace) {
        const expected =
          'a client that answers no PING (dead-client.js) dropped by your server after a PING went unanswered: no CLOSE frame, the client sees 1006 (ws.terminate())';
        const conns = ownServer(trace);
        // The dead client: pings came, none was answered.
        const dead = conns.filter((c) => {
          const pairs = pingsAndPongs(c);
          return pairs.length > 0 && pairs.every((p) => !p.pong);
        });
        if (dead.length === 0) {
          const silent = conns.filter((c) => framesOf(c, 'client').every((f) => f.kind !== 'pong'));
          return fail({
            expected,
            seen:
              conns.length === 0
                ? 'no connection from your code to your own server yet (run server.js, then dead-client.js)'
                : silent.length > 0
                  ? `your server sent no PING to a client that never answers them (${plural(silent.length, 'such connection')})`
                  : 'no client that leaves PINGs unanswered: run dead-client.js too',
            rfc: rfc('5.5.2'),
          });
        }
        const dropped = dead.find((c) => ending(c).dropped);
        if (dropped) {
          const pings = pingsAndPongs(dropped).map((p) => p.ping);
          const code = reportedCode(dropped);
          return pass(
            `${plural(pings.length, 'PING')} unanswered, then your server dropped the connection with no CLOSE frame; the client reported ${code ?? 'no close yet'}`,
            at(pings.at(-1)!, 'opcode'),
          );
        }
        const conn = dead.at(-1)!;
        const end = ending(conn);
        const pings = pingsAndPongs(conn).map((p) => p.ping);
        if (end.serverClose)
          return fail({
            expected,
            seen: `your server sent ${end.serverClose.summary}: a dead peer never answers a CLOSE, so close() would wait for it; terminate() drops the connection at once`,
            frame: at(end.serverClose, 'closeCode'),
            rfc: rfc('7.1.1'),
          });
        if (end.ended)
          return fail({
            expected,
            seen: `the connection ended with a CLOSE from the client (code ${reportedCode(conn) ?? '?'}), not dropped by your server`,
            rfc: rfc('7.1.1'),
          });
        return fail({
          expected,
          seen: `${plural(pings.length, 'PING')} unanswered and the connection is still open: ${pings.length >= 2 ? 'your server never dropped it' : 'wait for the next tick, or check that your server terminates'}`,
          frame: at(pings.at(-1)!, 'opcode'),
          rfc: rfc('5.5.2'),
        });
      },
    },
    {
      id: 'live-kept',
      title: 'Keep the clients that answer',
      check(trace) {
        const expected =
          'a client that answers every PING (client.js: the browser pongs by itself) still connected to your server after 2 or more PINGs';
        const byServer = (c: TraceConnection): boolean => ending(c).dropped || !!ending(c).serverClose;
        // PINGs answered before the first one left unanswered (a drop after a miss is right).
        const streak = (c: TraceConnection): number => {
          const pairs = pingsAndPongs(c);
          const miss = pairs.findIndex((p) => !p.pong);
          return miss === -1 ? pairs.length : miss;
        };
        const missed = (c: TraceConnection): boolean => pingsAndPongs(c).some((p) => !p.pong);
        const kept = ownServer(trace).filter((c) => streak(c) >= 2 && (!byServer(c) || missed(c)));
        if (kept.length > 0) {
          const conn = kept.find((c) => !byServer(c)) ?? kept.at(-1)!;
          const pairs = pingsAndPongs(conn).slice(0, streak(conn));
          return pass(
            byServer(conn)
              ? `${plural(pairs.length, 'PING')} answered and the connection kept; your server dropped it only after a PING went unanswered`
              : `${plural(pairs.length, 'PING')} and ${plural(pairs.length, 'PONG')}, and the connection stays up`,
            at(pairs.at(-1)!.pong!, 'opcode'),
          );
        }
        // Clients that answered every PING (at least one), yet ended by the server.
        const answering = ownServer(trace).filter((c) => pingsAndPongs(c).length >= 1 && !missed(c));
        const cut = answering.filter(byServer).at(-1);
        if (cut) {
          const end = ending(cut);
          const pairs = pingsAndPongs(cut);
          return fail({
            expected,
            seen: `your server ${end.serverClose ? `sent ${end.serverClose.summary} to` : 'dropped'} a client that left no PING unanswered (${plural(pairs.length, 'PING')}, ${plural(pairs.length, 'PONG')}): does on('pong') mark it alive again?`,
            frame: end.serverClose ? at(end.serverClose, 'closeCode') : at(pairs.at(-1)!.pong!, 'opcode'),
            rfc: rfc('5.5.3'),
          });
        }
        return fail({
          expected,
          seen: 'no connection to your server whose client answered 2 or more PINGs yet (run server.js, then client.js, and give it 3 seconds)',
          rfc: rfc('5.5.2'),
        });
      },
    },
  ],
});
