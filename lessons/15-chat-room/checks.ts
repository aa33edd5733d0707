/**
 * The chat-room lesson. The room is read from its clients' wires: on the bundled /chat (two
 * lab tabs), then on the learner's own server, which the lesson's probe joins with three
 * clients of its own (each message carries a fresh random tag, so a server that prints a fixed
 * text cannot pass), and last from the learner's own client.
 */
import {
  at,
  connectionsTo,
  defineChecks,
  fail,
  handshakeOf,
  pass,
  plural,
  quote,
  rfc,
  type ProbeKit,
  type TaskResult,
  type Trace,
  type TraceConnection,
} from '../../app/lessons/kit.ts';
import type { PlaySocket } from '../../app/lessons/play.ts';
import {
  deliveries,
  membersOf,
  noticesOf,
  presenceEvents,
  type Delivery,
  type Member,
  type PresenceEvent,
} from './room.ts';

export const PORT = 8080;
export const SERVER_URL = `ws://localhost:${PORT}/`;
/** Clients the probe joins to the learner's room. */
export const PROBE_CLIENTS = 3;
/** How long the probe leaves the room alone after each join and leave (ms). */
export const SETTLE_MS = 300;

const OPEN = 1;
const CLOSED = 3;

/**
 * The probe, for any room URL (the learner's server in the page; /chat or a reference service in
 * Vitest): clients A, B and C join one by one; A and B each say something; C leaves; A and B
 * stay until the probe ends (they are closed then).
 */
export async function roomProbe(kit: ProbeKit, url: string): Promise<TraceConnection[]> {
  const tag = Math.random().toString(36).slice(2, 8);
  const clients: { ws: PlaySocket; got: string[] }[] = [];
  for (let i = 0; i < PROBE_CLIENTS; i++) {
    const ws = kit.connect(url);
    const got: string[] = [];
    ws.addEventListener('message', (e) => {
      const data = (e as MessageEvent).data as unknown;
      got.push(typeof data === 'string' ? data : '(binary)');
    });
    clients.push({ ws, got });
    await kit.until(() => ws.readyState !== 0);
    if (ws.readyState !== OPEN) return []; // nothing listens, or it refused: the tasks say so
    await kit.wait(SETTLE_MS);
  }
  for (const [i, name] of ['A', 'B'].entries()) {
    const text = `hello from probe client ${name} (${tag})`;
    if (clients[i]!.ws.readyState === OPEN) clients[i]!.ws.send(text);
    await kit.until(
      () => clients.every((c) => c.ws.readyState !== OPEN || c.got.some((g) => g.includes(text))),
      1000,
    );
  }
  await kit.wait(SETTLE_MS);
  const c = clients[2]!.ws;
  if (c.readyState === OPEN) c.close(1000, 'probe client C leaves');
  await kit.until(() => c.readyState === CLOSED, 1000);
  await kit.wait(SETTLE_MS);
  return [];
}

function onLearnerServer(conn: TraceConnection): boolean {
  try {
    const u = new URL(conn.url);
    return u.port === String(PORT) && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

/** The probe's connections: the player keeps only its latest run. */
function probeRun(trace: Trace): TraceConnection[] {
  return trace.connections.filter((c) => c.origin === 'probe');
}

/** Client names as the probe says them: A, B, C in the order they joined. */
function nameOf(m: Member, members: readonly Member[]): string {
  const i = members.indexOf(m);
  return i >= 0 && i < 26 ? `probe client ${String.fromCharCode(65 + i)}` : m.conn.id;
}

/** The probe's room, or why there is none. */
function probeRoom(trace: Trace): Member[] | TaskResult {
  const run = probeRun(trace);
  const expected = `the lesson's ${PROBE_CLIENTS} clients in your room on ${SERVER_URL} (run server.js, then press Check)`;
  if (run.length === 0)
    return fail({
      expected,
      seen: 'the lesson has not tested your server yet: press Check',
      rfc: rfc('4.1'),
    });
  const members = membersOf(run);
  if (members.length < 2) {
    const first = run[0]!;
    const response = handshakeOf(first).response;
    return fail({
      expected,
      seen: response
        ? `your server answered the lesson's client with ${quote(response.startLine, 60)}`
        : `nothing answered on ${SERVER_URL}: is server.js running?`,
      rfc: rfc('4.2.2'),
    });
  }
  return members;
}

function isResult(v: unknown): v is TaskResult {
  return typeof v === 'object' && v !== null && 'ok' in v;
}

/** The first delivery that went wrong, worst first: the sender left out, then another client, then binary. */
function worstGap(ds: readonly Delivery[]): Delivery | undefined {
  return (
    ds.find((d) => !d.copy && d.to === d.from) ??
    ds.find((d) => !d.copy) ??
    ds.find((d) => d.copy?.binary && !d.message.binary)
  );
}

function gapResult(d: Delivery, members: readonly Member[], expected: string): TaskResult {
  const from = nameOf(d.from, members);
  const to = nameOf(d.to, members);
  const what = quote(d.message.text, 50);
  if (!d.copy && d.to === d.from)
    return fail({
      expected,
      seen: `${from} sent ${what} and never got it back: the sender is a client of the room too (wss.clients holds it)`,
      frame: at(d.message.frame, 'payload'),
      rfc: rfc('6.1'),
    });
  if (!d.copy)
    return fail({
      expected,
      seen: `${from} sent ${what}, and ${to}, in the room since before it, never got it`,
      frame: at(d.message.frame, 'payload'),
      rfc: rfc('6.1'),
    });
  return fail({
    expected,
    seen: `${to} got ${what} as a BINARY frame: in ws the message arrives as a Buffer, and sending a Buffer sends binary (a browser gets a Blob); pass { binary: isBinary } or send text`,
    frame: at(d.copy.frame, 'opcode'),
    rfc: rfc('6.1'),
  });
}

function presenceTask(kind: PresenceEvent['kind'], trace: Trace): TaskResult {
  const room = probeRoom(trace);
  if (isResult(room)) return room;
  const verb = kind === 'join' ? 'joined' : 'left';
  // A join is the server's 101 (4.2.2); a leave, the connection closed (7.1.4).
  const section = rfc(kind === 'join' ? '4.2.2' : '7.1.4');
  const expected = `when a client ${verb}, a message to every other client in the room that says so (a presence notice, not a chat message)`;
  const events = presenceEvents(room).filter((e) => e.kind === kind);
  if (events.length === 0)
    return fail({
      expected,
      seen:
        kind === 'join'
          ? `only ${plural(room.length, 'client')} of the lesson's got into your room`
          : 'no client of the lesson left while others stayed: your server may have closed them',
      rfc: section,
    });
  const missing = events.find((e) => !e.notice);
  if (missing) {
    const witness = missing.witness;
    const others = noticesOf(witness, room);
    return fail({
      expected,
      seen: `${nameOf(missing.who, room)} ${verb}; ${nameOf(witness, room)}, in the room, got no message about it${
        others.length
          ? ` (its only other messages: ${others
              .slice(0, 2)
              .map((o) => quote(o.text, 40))
              .join(', ')})`
          : ''
      }`,
      rfc: section,
    });
  }
  const e = events[0]!;
  return pass(
    `${nameOf(e.who, room)} ${verb}; ${plural(events.length, 'notice')} reached the others, e.g. ${quote(e.notice!.text, 60)}`,
    at(e.notice!.frame, 'payload'),
  );
}

export default defineChecks({
  probe: (kit) => roomProbe(kit, SERVER_URL),
  tasks: [
    {
      id: 'room-fanout',
      title: 'Open /chat in two tabs and send from one',
      check(trace) {
        const expected =
          'two tabs on /chat, both open; a message sent from one comes back to it and reaches the other';
        const members = membersOf(connectionsTo(trace, '/chat'));
        if (members.length < 2)
          return fail({
            expected,
            seen: `${plural(members.length, 'open connection')} to /chat: open it a second time`,
            rfc: rfc('4.1'),
          });
        const ds = deliveries(members);
        if (ds.length === 0) return fail({ expected, seen: 'no message sent on /chat yet', rfc: rfc('5.6') });
        const good = [...new Set(ds.map((d) => d.message))].reverse().find((message) => {
          const mine = ds.filter((d) => d.message === message);
          return mine.some((d) => d.to === d.from && d.copy) && mine.some((d) => d.to !== d.from && d.copy);
        });
        if (good) {
          const reached = ds.filter((d) => d.message === good && d.copy).length;
          return pass(
            `${quote(good.text)} went out once and came back on ${plural(reached, 'connection')}, the sender's too`,
            at(good.frame, 'payload'),
          );
        }
        const lonely = ds.every((d) => d.to === d.from);
        return fail({
          expected,
          seen: lonely
            ? 'every message was sent while only one tab was open: send one while both are'
            : 'a message that did not come back to every tab (see the frames)',
          rfc: rfc('6.1'),
        });
      },
    },
    {
      id: 'room-presence',
      title: 'See the room announce the second tab',
      check(trace) {
        const expected =
          'when your second tab joined /chat, the first one got a presence notice: {"type":"presence","online":2,...}';
        const members = membersOf(connectionsTo(trace, '/chat'));
        const joins = presenceEvents(members).filter((e) => e.kind === 'join' && e.notice);
        const told = joins.find((e) => /"presence"/.test(e.notice!.text));
        if (told)
          return pass(
            `your first tab was told: ${quote(told.notice!.text, 70)}`,
            at(told.notice!.frame, 'payload'),
          );
        return fail({
          expected,
          seen:
            members.length < 2
              ? `${plural(members.length, 'open connection')} to /chat`
              : 'no presence notice on a tab that was open when another joined',
          rfc: rfc('6.1'),
        });
      },
    },
    {
      id: 'broadcast',
      title: 'Make your server send every message to every client, the sender included',
      check(trace) {
        const room = probeRoom(trace);
        if (isResult(room)) return room;
        const expected =
          'every message a client sent reaches every client in the room at that moment, the sender included, as text';
        const ds = deliveries(room);
        if (ds.length === 0)
          return fail({
            expected,
            seen: "the lesson's clients could send nothing: your server closed them first",
            rfc: rfc('6.1'),
          });
        const gap = worstGap(ds);
        if (gap) return gapResult(gap, room, expected);
        const messages = new Set(ds.map((d) => d.message)).size;
        return pass(
          `${plural(messages, 'message')}, each delivered to all ${plural(ds.length / messages, 'client')} in the room, the sender included`,
          at(ds[0]!.copy!.frame, 'payload'),
        );
      },
    },
    {
      id: 'presence-join',
      title: 'Tell the room when someone joins',
      check: (trace) => presenceTask('join', trace),
    },
    {
      id: 'presence-leave',
      title: 'Tell the room when someone leaves',
      check: (trace) => presenceTask('leave', trace),
    },
    {
      id: 'client-chat',
      title: 'Write a client that sends a message and shows what the room says',
      check(trace) {
        const expected = `your client.js connected to ${SERVER_URL}, sent a message, and got it back from the room`;
        const conns = trace.connections.filter((c) => c.origin === 'code' && onLearnerServer(c));
        if (conns.length === 0)
          return fail({
            expected,
            seen: 'no connection from your code to your server yet: run client.js',
            rfc: rfc('4.1'),
          });
        const members = membersOf(conns);
        if (members.length === 0)
          return fail({
            expected,
            seen: 'your client did not get in: is server.js running?',
            rfc: rfc('4.1'),
          });
        for (const m of [...members].reverse()) {
          const back = m.sent.find((s) => m.got.some((g) => g.t >= s.t && g.text.includes(s.text)));
          if (back)
            return pass(
              `your client sent ${quote(back.text)} and the room sent it back`,
              at(back.frame, 'payload'),
            );
        }
        const m = members.at(-1)!;
        if (m.sent.length === 0)
          return fail({
            expected,
            seen: `your client sent nothing${m.got.length ? ` (it got ${plural(m.got.length, 'message')})` : ''}: send a message once the socket is open`,
            rfc: rfc('6.1'),
          });
        return fail({
          expected,
          seen: `your client sent ${quote(m.sent[0]!.text)}, and it never came back`,
          frame: at(m.sent[0]!.frame, 'payload'),
          rfc: rfc('6.1'),
        });
      },
    },
  ],
});
