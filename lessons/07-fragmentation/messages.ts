/**
 * Lesson 7's reader: the frames of one direction grouped into messages, as the receiving end
 * reassembles them (RFC 6455 §5.4), with the control frames that arrived in the middle.
 */
import { framesOf, type TraceConnection, type TraceFrame } from '../../app/lessons/kit.ts';
import type { ApiData } from '../../app/ui/connection/events.ts';

export interface WireMessage {
  from: 'client' | 'server';
  /** 0x1 text or 0x2 binary: the opcode of the first frame (§5.4: the others are 0x0). */
  opcode: number;
  /** The data frames of the message, first to last. */
  frames: TraceFrame[];
  /** Control frames (ping, pong, close) seen between the first and the last fragment (§5.4, §5.5). */
  between: TraceFrame[];
  /** The last frame had FIN=1. */
  complete: boolean;
  /** The payloads joined. */
  payload: Uint8Array;
}

const CONTINUATION = 0x0;
const TEXT = 0x1;
const BINARY = 0x2;

/** Every data message of one direction, in wire order, fragments joined. */
export function messagesOf(conn: TraceConnection, from: 'client' | 'server'): WireMessage[] {
  const out: WireMessage[] = [];
  let open: WireMessage | undefined;
  for (const f of framesOf(conn, from)) {
    if (f.opcode >= 0x8) {
      // 5.4: control frames may be injected in the middle of a fragmented message.
      open?.between.push(f);
      continue;
    }
    if (f.opcode === TEXT || f.opcode === BINARY) {
      open = {
        from,
        opcode: f.opcode,
        frames: [f],
        between: [],
        complete: f.fin,
        payload: new Uint8Array(0),
      };
      out.push(open);
    } else if (f.opcode === CONTINUATION && open && !open.complete) {
      open.frames.push(f);
      open.complete = f.fin;
    } else {
      continue; // a stray continuation or a reserved opcode: not part of any message
    }
    if (open.complete) open = undefined;
  }
  for (const m of out) m.payload = join(m.frames.map((f) => f.frame?.payload ?? new Uint8Array(0)));
  return out;
}

/** 'TEXT (FIN=0) + CONT (FIN=0) + CONT (FIN=1), 25 bytes in all' */
export function describeMessage(m: WireMessage): string {
  const frames = m.frames.map(
    (f) =>
      `${f.opcode === CONTINUATION ? 'CONT' : f.opcode === TEXT ? 'TEXT' : 'BINARY'} (FIN=${f.fin ? 1 : 0})`,
  );
  const shown =
    frames.length > 4 ? [...frames.slice(0, 2), `${frames.length - 3} more CONT`, frames.at(-1)] : frames;
  return `${shown.join(' + ')}, ${m.payload.length} bytes in all`;
}

/** Does an API message carry exactly these bytes (text compared as UTF-8)? */
export function sameData(data: ApiData, m: WireMessage): boolean {
  if (typeof data === 'string') return m.opcode === TEXT && data === new TextDecoder().decode(m.payload);
  return m.opcode === BINARY && sameBytes(data.bytes, m.payload);
}

/** Byte-for-byte equality (a missing payload equals nothing). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
