/**
 * The chat-room lesson: a chat room read from the wire. Every client connection of the room (the lesson's
 * probe clients, or the lab's tabs) carries both directions, so the fan-out can be read without
 * the server's help: each message a client sent is a message the server received, and every
 * client connected at that moment must then receive it (the sender included). A presence
 * notice is a server message that carries no chat message, arriving when someone joins or leaves.
 *
 * Times: all of a room's connections here are on one clock (the probe's sockets are on the
 * page's virtual network in both modes), so "connected when the message arrived" is a
 * comparison of times.
 */
import { framesOf, handshakeOf, type TraceConnection, type TraceFrame } from '../../app/lessons/kit.ts';
import { decodeUtf8 } from '../../app/ui/lib/engine.ts';

/** One client of the room as its wire shows it. */
export interface Member {
  conn: TraceConnection;
  /** When the server's 101 came: from then on the client is in the room. */
  joined: number;
  /** When the client or the server began to close (or TCP ended): Infinity if never. */
  left: number;
  /** Whole data messages the client sent (each one a message the server received). */
  sent: Said[];
  /** Whole data messages the server sent to this client. */
  got: Said[];
}

export interface Said {
  text: string;
  binary: boolean;
  t: number;
  frame: TraceFrame;
}

function said(f: TraceFrame): Said | undefined {
  if ((f.kind !== 'text' && f.kind !== 'binary') || !f.fin || !f.frame) return undefined;
  return { text: decodeUtf8(f.frame.payload), binary: f.kind === 'binary', t: f.t, frame: f };
}

/** The members of a room: connections that got a 101, in the order they joined. */
export function membersOf(conns: readonly TraceConnection[]): Member[] {
  const out: Member[] = [];
  for (const conn of conns) {
    const response = handshakeOf(conn).response;
    if (!response || response.status !== 101) continue;
    const frames = framesOf(conn);
    const closing = frames.find((f) => f.kind === 'close')?.t;
    const eof = conn.events.find((e) => e.kind === 'eof')?.t;
    const left = Math.min(closing ?? Infinity, eof ?? Infinity);
    out.push({
      conn,
      joined: response.t,
      left,
      sent: frames.filter((f) => f.from === 'client').flatMap((f) => said(f) ?? []),
      got: frames.filter((f) => f.from === 'server').flatMap((f) => said(f) ?? []),
    });
  }
  return out.sort((a, b) => a.joined - b.joined);
}

/** Was `m` in the room when the server received a message at `t`? */
export function inRoomAt(m: Member, t: number): boolean {
  return m.joined <= t && t < m.left;
}

/** A message as the server received it, and one client that should have got it. */
export interface Delivery {
  from: Member;
  message: Said;
  to: Member;
  /** What `to` got: the message (text or binary), or nothing. */
  copy?: Said;
}

/** Every (message, client in the room at the time) pair, with what that client got. */
export function deliveries(members: readonly Member[]): Delivery[] {
  const out: Delivery[] = [];
  for (const from of members)
    for (const message of from.sent)
      for (const to of members) {
        if (!inRoomAt(to, message.t)) continue;
        // A server may add a name or wrap the text: any message that carries it counts.
        const copy = to.got.find((g) => g.t >= message.t && g.text.includes(message.text));
        out.push({ from, message, to, ...(copy ? { copy } : {}) });
      }
  return out;
}

/** Server messages that carry no client's message: notices (presence), not chat. */
export function noticesOf(m: Member, members: readonly Member[]): Said[] {
  const chat = members.flatMap((x) => x.sent.map((s) => s.text)).filter((t) => t.length > 0);
  return m.got.filter((g) => !chat.some((c) => g.text.includes(c)));
}

/** Someone joined or left while `witness` was in the room: did a notice reach the witness? */
export interface PresenceEvent {
  kind: 'join' | 'leave';
  who: Member;
  at: number;
  witness: Member;
  notice?: Said;
}

/** How long a room must stay unchanged after a join or leave for a notice to be expected (ms). */
export const NOTICE_GRACE_MS = 100;

/**
 * Every join and leave seen by every other member in the room at the time. A notice counts for
 * an event when it arrives after it and before the room's next join or leave. A change followed
 * within NOTICE_GRACE_MS by another (clients that all leave at once), or a witness that leaves
 * as soon, is not judged: the server had no time to tell.
 */
export function presenceEvents(members: readonly Member[]): PresenceEvent[] {
  const changes = members
    .flatMap((m) => [
      { kind: 'join' as const, who: m, at: m.joined },
      ...(Number.isFinite(m.left) ? [{ kind: 'leave' as const, who: m, at: m.left }] : []),
    ])
    .sort((a, b) => a.at - b.at);
  const out: PresenceEvent[] = [];
  changes.forEach((change, i) => {
    const next = changes[i + 1]?.at ?? Infinity;
    if (next - change.at < NOTICE_GRACE_MS) return;
    for (const witness of members) {
      if (witness === change.who || !inRoomAt(witness, change.at)) continue;
      if (witness.left - change.at < NOTICE_GRACE_MS) continue;
      const notice = noticesOf(witness, members).find((n) => n.t >= change.at && n.t < next);
      out.push({ ...change, witness, ...(notice ? { notice } : {}) });
    }
  });
  return out;
}
