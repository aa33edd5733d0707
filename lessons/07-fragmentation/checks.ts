import {
  apiEvents,
  at,
  connectionsTo,
  defineChecks,
  describe,
  framesOf,
  fail,
  pass,
  pathOf,
  plural,
  quote,
  rfc,
  type TaskResult,
  type Trace,
  type TraceConnection,
} from '../../app/lessons/kit.ts';
import { apiDataSize } from '../../app/ui/connection/events.ts';
import { describeMessage, messagesOf, sameBytes, sameData, type WireMessage } from './messages.ts';

/*
 * Message events are matched by their data, never by their place in the log: in server mode the
 * tap's frames and the page's API events reach the page by different paths, so the log's order
 * between the two is not the order things happened.
 */

/** The bundled endpoints: a connection of the learner's code to anything else is to their own server. */
const BUNDLED = ['/echo', '/chat', '/ticker', '/close', '/heartbeat', '/misbehave'];

const FRAGMENTED =
  'a TEXT or BINARY frame with FIN=0, then CONTINUATION frames (opcode 0x0), the last one with FIN=1';

/** The latest connection (of `conns`) holding a complete message in 2+ frames from `from`. */
function latestFragmented(
  conns: TraceConnection[],
  from: 'client' | 'server',
  also: (m: WireMessage) => boolean = () => true,
): { conn: TraceConnection; message: WireMessage } | undefined {
  for (const conn of [...conns].reverse()) {
    const message = messagesOf(conn, from)
      .filter((m) => m.complete && m.frames.length > 1 && also(m))
      .at(-1);
    if (message) return { conn, message };
  }
  return undefined;
}

/** Why no fragmented message: what the side's messages on `conn` looked like instead. */
function notFragmented(
  conn: TraceConnection,
  from: 'client' | 'server',
  expected: string,
  where: string,
): TaskResult {
  const messages = messagesOf(conn, from);
  if (messages.length === 0)
    return fail({ expected, seen: `no message from the ${from} on ${where}`, rfc: rfc('5.4') });
  const cut = messages.find((m) => !m.complete);
  if (cut)
    return fail({
      expected,
      seen: `a message whose last fragment never came: ${describeMessage(cut)}`,
      frame: at(cut.frames.at(-1)!, 'fin'),
      rfc: rfc('5.4'),
    });
  const largest = messages.reduce((a, b) => (b.payload.length > a.payload.length ? b : a));
  return fail({
    expected,
    seen: `${plural(messages.length, 'message')}, each a single frame with FIN=1; the largest: ${describe(largest.frames[0]!)}`,
    frame: at(largest.frames[0]!, 'fin'),
    rfc: rfc('5.4'),
  });
}

function sizes(events: ReturnType<typeof apiEvents<'message'>>): string {
  return events.map((e) => `${apiDataSize(e.data)}`).join(', ');
}

/** Connections to /misbehave?do=fragments. */
function fragmentsEndpoint(trace: Trace): TraceConnection[] {
  return connectionsTo(trace, '/misbehave').filter((c) => {
    try {
      return new URL(c.url).searchParams.get('do') === 'fragments';
    } catch {
      return false;
    }
  });
}

/** Connections of the learner's code to their own server (not a bundled endpoint). */
function ownServer(trace: Trace): TraceConnection[] {
  return trace.connections.filter((c) => c.origin === 'code' && !BUNDLED.includes(pathOf(c.url)));
}

export default defineChecks({
  tasks: [
    {
      id: 'client-fragments',
      title: 'Send one message to /echo as several frames',
      check(trace) {
        const how =
          trace.mode === 'server'
            ? 'your browser splits only messages over about 128 KiB: run big-message.js, which sends 300 KiB'
            : 'in the composer, set Fragments to 3 and send';
        const expected = `one message from the client in 2 or more frames: ${FRAGMENTED} (${how})`;
        const conns = connectionsTo(trace, '/echo');
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /echo yet', rfc: rfc('5.4') });
        const found = latestFragmented(conns, 'client');
        if (found)
          return pass(
            `the client sent ${describeMessage(found.message)}`,
            at(found.message.frames[0]!, 'fin'),
          );
        return notFragmented(conns.at(-1)!, 'client', expected, 'the latest /echo connection');
      },
    },
    {
      id: 'echo-one-message',
      title: 'See the echo of the fragmented message arrive as one message event',
      check(trace) {
        const found = latestFragmented(connectionsTo(trace, '/echo'), 'client');
        if (!found)
          return fail({
            expected: 'a message sent to /echo in 2 or more frames (the task above), then its echo',
            seen: 'no fragmented message from the client yet',
            rfc: rfc('5.4'),
          });
        const { conn, message } = found;
        const n = message.payload.length;
        const expected = `one message event carrying all ${n} bytes: /echo reassembled the ${message.frames.length} fragments and sent the message back (5.4)`;
        const after = apiEvents(conn, 'message');
        const echo = after.find((e) => sameData(e.data, message));
        if (echo) {
          const back = messagesOf(conn, 'server').find(
            (m) => m.frames[0]!.ref.event > message.frames.at(-1)!.ref.event,
          );
          const shape = back ? ` (it came back as ${describeMessage(back)})` : '';
          return pass(
            `${plural(message.frames.length, 'frame')} out, one message event of ${n} bytes back${shape}`,
            back ? at(back.frames[0]!, 'payload') : undefined,
          );
        }
        if (after.length === 0)
          return fail({ expected, seen: 'no message event on that connection yet', rfc: rfc('5.4') });
        return fail({
          expected,
          seen: `${plural(after.length, 'message event')} of ${sizes(after)} bytes, none equal to the message sent`,
          rfc: rfc('5.4'),
        });
      },
    },
    {
      id: 'ping-between',
      title: 'Open /misbehave?do=fragments&n=3 and find the ping between the fragments',
      check(trace) {
        const expected = `a message from the server in fragments with a PING between two of them (${FRAGMENTED})`;
        const conns = fragmentsEndpoint(trace);
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /misbehave?do=fragments yet', rfc: rfc('5.4') });
        const found = latestFragmented(conns, 'server', (m) => m.between.some((f) => f.kind === 'ping'));
        if (found) {
          const ping = found.message.between.find((f) => f.kind === 'ping')!;
          const order = framesInOrder(found.message);
          return pass(`the server sent ${order}: the PING came in the middle`, at(ping, 'opcode'));
        }
        const last = conns.at(-1)!;
        const fragmented = latestFragmented([last], 'server');
        if (fragmented)
          return fail({
            expected,
            seen: `${describeMessage(fragmented.message)} with nothing between the fragments`,
            frame: at(fragmented.message.frames[0]!, 'fin'),
            rfc: rfc('5.4'),
          });
        return notFragmented(last, 'server', expected, 'the latest /misbehave?do=fragments connection');
      },
    },
    {
      id: 'pong-between',
      title: 'See who answered the ping in the middle of the message',
      check(trace) {
        const found = latestFragmented(fragmentsEndpoint(trace), 'server', (m) =>
          m.between.some((f) => f.kind === 'ping'),
        );
        if (!found)
          return fail({
            expected:
              'a PING from the server between fragments (the task above), then the PONG that answers it',
            seen: 'no PING between fragments yet',
            rfc: rfc('5.5.2'),
          });
        const ping = found.message.between.find((f) => f.kind === 'ping')!;
        const payload = ping.frame?.payload ?? new Uint8Array(0);
        const expected = `a PONG from the client carrying the PING's payload (${payload.length} bytes): the answer §5.5.2 requires, with the same data (§5.5.3)`;
        const clientFrames = framesOf(found.conn, 'client');
        const pong = clientFrames.find((f) => f.kind === 'pong' && sameBytes(f.frame?.payload, payload));
        if (pong)
          return pass(
            `the client answered with ${describe(pong)}; the page's script never saw the ping`,
            at(pong, 'opcode'),
          );
        const other = clientFrames.find((f) => f.kind === 'pong');
        if (other)
          return fail({
            expected,
            seen: `${describe(other)}, whose payload differs from the PING's`,
            frame: at(other, 'payload'),
            rfc: rfc('5.5.3'),
          });
        return fail({
          expected,
          seen: 'no PONG from the client on that connection',
          frame: at(ping, 'opcode'),
          rfc: rfc('5.5.2'),
        });
      },
    },
    {
      id: 'one-event',
      title: 'Count the message events for the message with a ping inside',
      check(trace) {
        const found = latestFragmented(fragmentsEndpoint(trace), 'server', (m) =>
          m.between.some((f) => f.kind === 'ping'),
        );
        if (!found)
          return fail({
            expected: 'the message with a PING inside (the first task of this step), then its message event',
            seen: 'no PING between fragments yet',
            rfc: rfc('5.4'),
          });
        const { conn, message } = found;
        const text = new TextDecoder().decode(message.payload);
        const expected = `exactly one message event, whose data is all ${message.frames.length} fragments joined: ${quote(text)}`;
        const events = apiEvents(conn, 'message');
        if (events.length === 0)
          return fail({ expected, seen: 'no message event on that connection', rfc: rfc('5.4') });
        if (events.length > 1)
          return fail({
            expected,
            seen: `${events.length} message events, of ${sizes(events)} bytes`,
            rfc: rfc('5.4'),
          });
        if (!sameData(events[0]!.data, message))
          return fail({
            expected,
            seen: `one message event, but its data is ${typeof events[0]!.data === 'string' ? quote(events[0]!.data) : `${apiDataSize(events[0]!.data)} binary bytes`}`,
            rfc: rfc('5.4'),
          });
        return pass(
          `${plural(message.frames.length, 'fragment')} and a ping, one message event: ${quote(text)}`,
          at(message.frames[0]!, 'payload'),
        );
      },
    },
    {
      id: 'server-fragments',
      title: 'Make your own server send one message in several frames',
      check(trace) {
        const expected = `a message from your server in 2 or more frames: ${FRAGMENTED}; in ws, send(part, { fin: false }) for every part but the last`;
        const conns = ownServer(trace);
        if (conns.length === 0)
          return fail({
            expected,
            seen: 'no connection from your code to your own server yet (run server.js, then client.js)',
            rfc: rfc('5.4'),
          });
        const found = latestFragmented(conns, 'server');
        if (found)
          return pass(
            `your server sent ${describeMessage(found.message)}`,
            at(found.message.frames[0]!, 'fin'),
          );
        return notFragmented(conns.at(-1)!, 'server', expected, 'the latest connection to your server');
      },
    },
    {
      id: 'server-one-event',
      title: "See your client's one message event for your server's fragments",
      check(trace) {
        const found = latestFragmented(ownServer(trace), 'server');
        if (!found)
          return fail({
            expected:
              'a fragmented message from your server (the task above), then one message event in your client',
            seen: 'no fragmented message from your server yet',
            rfc: rfc('5.4'),
          });
        const { conn, message } = found;
        const expected = `one message event in your client with all ${message.payload.length} bytes of the ${message.frames.length} fragments joined`;
        const after = apiEvents(conn, 'message');
        if (after.some((e) => sameData(e.data, message)))
          return pass(
            `${plural(message.frames.length, 'frame')} from your server, one message event of ${message.payload.length} bytes`,
            at(message.frames.at(-1)!, 'fin'),
          );
        if (after.length === 0)
          return fail({ expected, seen: 'no message event in your client yet', rfc: rfc('5.4') });
        return fail({
          expected,
          seen: `${plural(after.length, 'message event')} of ${sizes(after)} bytes`,
          rfc: rfc('5.4'),
        });
      },
    },
  ],
});

/** 'TEXT (FIN=0), PING, CONT (FIN=0), CONT (FIN=1)': data and control frames in wire order. */
function framesInOrder(m: WireMessage): string {
  return [...m.frames, ...m.between]
    .sort((a, b) => a.ref.event - b.ref.event)
    .map((f) =>
      f.opcode >= 0x8
        ? f.kind.toUpperCase()
        : `${f.opcode === 0 ? 'CONT' : f.kind.toUpperCase()} (FIN=${f.fin ? 1 : 0})`,
    )
    .join(', ');
}
