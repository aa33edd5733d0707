/**
 * Lesson 8's reader: the CLOSE frames of a connection (RFC 6455 §5.5.1) with their status code
 * and reason read from the bytes, and how a connection ended in one line.
 */
import { closeOf, framesOf, type TraceConnection, type TraceFrame } from '../../app/lessons/kit.ts';

export interface CloseFrame {
  frame: TraceFrame;
  from: 'client' | 'server';
  /** The status code in the first two payload bytes; undefined for an empty payload (§5.5.1). */
  code?: number;
  reason: string;
  /** The reason's length in bytes of UTF-8, as it crossed the wire. */
  reasonBytes: number;
}

/** Every CLOSE frame of a connection, in wire order. The payload is read from the bytes (unmasked
 *  here), so a CLOSE the engine would refuse (a bad code, invalid UTF-8) is still reported. */
export function closeFramesOf(conn: TraceConnection): CloseFrame[] {
  return framesOf(conn)
    .filter((f) => f.kind === 'close')
    .map((f) => {
      const payload = f.bytes.slice(f.headerLength);
      if (f.maskKey) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ f.maskKey[i % 4]!;
      // 5.5.1: if there is a body, its first two bytes are the code, in network byte order.
      const code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : undefined;
      const reasonBytes = Math.max(0, payload.length - 2);
      const reason = reasonBytes > 0 ? new TextDecoder().decode(payload.subarray(2)) : '';
      return { frame: f, from: f.from, ...(code !== undefined ? { code } : {}), reason, reasonBytes };
    });
}

/** A reason for a message: quoted, shortened past 40 characters. */
function quoted(reason: string): string {
  return `'${reason.length > 40 ? reason.slice(0, 39) + '…' : reason}'`;
}

/** "CLOSE 4000 'bye' from the server", "an empty CLOSE (no code) from the server". */
export function describeClose(c: CloseFrame): string {
  if (c.code === undefined) return `an empty CLOSE (no code) from the ${c.from}`;
  return `CLOSE ${c.code}${c.reason === '' ? '' : ` ${quoted(c.reason)}`} from the ${c.from}`;
}

/** The page's close event in words: "the page reported 1000 'done', wasClean true". */
export function reported(conn: TraceConnection): string {
  const c = closeOf(conn);
  if (!c) return 'the page has not reported a close yet';
  return `the page reported ${c.code}${c.reason ? ` ${quoted(c.reason)}` : ''}, wasClean ${c.wasClean}`;
}

/** How a connection ended, as the wire and the page saw it, in one line. */
export function ending(conn: TraceConnection): string {
  const closes = closeFramesOf(conn);
  const wire = closes.length === 0 ? 'no CLOSE frame either way' : closes.map(describeClose).join(', then ');
  return `${wire}; ${reported(conn)}`;
}
