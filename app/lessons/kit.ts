/**
 * What a lesson's checks.ts is written with: readers over a `Trace` (frames decoded by the
 * engine, the handshake parsed, the page's API events) and the two results, `pass` and `fail`.
 * Pure: no DOM, no clock; the same in the page and in Vitest.
 */
import { type ApiEvent } from '../ui/connection/events.ts';
import { decodeFrameBytes, type DecodedFrame } from '../ui/lib/frames.ts';
import type { Side } from '../ui/lib/engine.ts';
import { parseRequest, parseResponse } from '../ui/lib/handshake.ts';
import type { FrameRef, LessonChecks, TaskResult, Trace, TraceConnection } from './types.ts';

export type {
  Trace,
  TraceConnection,
  TaskResult,
  FrameRef,
  LessonChecks,
  Task,
  ProbeKit,
  HttpRecord,
} from './types.ts';

/** Identity, for type inference in checks.ts: `export default defineChecks({ tasks: [...] })`. */
export function defineChecks(checks: LessonChecks): LessonChecks {
  return checks;
}

/** 'RFC 6455 §5.2' from '5.2'; another RFC as 'RFC 7692 §7.1'. */
export function rfc(section: string, doc = 6455): string {
  return `RFC ${doc} §${section}`;
}

export function pass(observed: string, frame?: FrameRef): TaskResult {
  return frame ? { ok: true, observed, frame } : { ok: true, observed };
}

export function fail(f: { expected: string; seen: string; rfc: string; frame?: FrameRef }): TaskResult {
  return { ok: false, ...f };
}

/** One frame of a connection, decoded as the endpoint that received it would. */
export interface TraceFrame extends DecodedFrame {
  ref: FrameRef;
  from: Side;
  t: number;
  bytes: Uint8Array;
  /** Bytes before the payload: 2, +2 (16-bit length) or +8 (64-bit), +4 with a mask key. */
  headerLength: number;
  /** Which form of the payload length the header used (5.2): the 7-bit value, 126 -> 16, 127 -> 64. */
  lengthForm: 7 | 16 | 64;
  /** The mask key, when MASK is set. */
  maskKey?: Uint8Array;
}

export function lengthFormOf(bytes: Uint8Array): 7 | 16 | 64 {
  const len7 = (bytes[1] ?? 0) & 0x7f;
  return len7 === 127 ? 64 : len7 === 126 ? 16 : 7;
}

/** Every frame of a connection, in wire order; only one direction when `from` is given. */
export function framesOf(conn: TraceConnection, from?: Side): TraceFrame[] {
  const out: TraceFrame[] = [];
  conn.events.forEach((e, event) => {
    if (e.kind !== 'frame' || (from && e.from !== from)) return;
    const decoded = decodeFrameBytes(e.bytes, e.from);
    const lengthForm = lengthFormOf(e.bytes);
    const headerLength = 2 + (lengthForm === 16 ? 2 : lengthForm === 64 ? 8 : 0) + (decoded.masked ? 4 : 0);
    const maskKey = decoded.masked ? e.bytes.slice(headerLength - 4, headerLength) : undefined;
    out.push({
      ...decoded,
      ref: { connection: conn.id, event },
      from: e.from,
      t: e.t,
      bytes: e.bytes,
      headerLength,
      lengthForm,
      ...(maskKey ? { maskKey } : {}),
    });
  });
  return out;
}

/** A frame's ref with a field to highlight. */
export function at(frame: TraceFrame, field?: string): FrameRef {
  return field ? { ...frame.ref, field } : frame.ref;
}

/** The page's API events of a connection (what `new WebSocket()` showed and what the code called). */
export function apiOf(conn: TraceConnection): ApiEvent[] {
  return conn.events.filter((e): e is ApiEvent => e.kind === 'api');
}

/** API events of one type, e.g. `apiEvents(conn, 'message')`. */
export function apiEvents<T extends ApiEvent['type']>(
  conn: TraceConnection,
  type: T,
): Extract<ApiEvent, { type: T }>[] {
  return apiOf(conn).filter((e): e is Extract<ApiEvent, { type: T }> => e.type === type);
}

export interface HttpHead {
  text: string;
  t: number;
  /** Request: 'GET /echo HTTP/1.1'; response: 'HTTP/1.1 101 Switching Protocols'. */
  startLine: string;
  /** The response's status code (0 for a request). */
  status: number;
  /** Header names lower-cased; repeated headers joined with ', '. */
  headers: Readonly<Record<string, string>>;
}

/** The request line without the playground's own `tap=` token (the server's byte mirror, not the learner's). */
export function withoutTap(line: string): string {
  return line.replace(/([?&])tap=[^&\s]*&?/, '$1').replace(/[?&] /, ' ');
}

function head(text: string, t: number, from: Side): HttpHead {
  const startLine = withoutTap(
    text.slice(0, text.indexOf('\r\n') === -1 ? text.length : text.indexOf('\r\n')),
  );
  if (from === 'client') {
    const r = parseRequest(text);
    return { text, t, startLine, status: 0, headers: r.ok ? r.request.headers : {} };
  }
  const r = parseResponse(text);
  return {
    text,
    t,
    startLine,
    status: r.ok ? r.response.status : 0,
    headers: r.ok ? r.response.headers : {},
  };
}

/** The opening handshake as it crossed the wire: the GET and the answer (either may be missing). */
export function handshakeOf(conn: TraceConnection): { request?: HttpHead; response?: HttpHead } {
  const out: { request?: HttpHead; response?: HttpHead } = {};
  for (const e of conn.events) {
    if (e.kind !== 'handshake') continue;
    if (e.from === 'client' && !out.request) out.request = head(e.text, e.t, 'client');
    if (e.from === 'server' && !out.response) out.response = head(e.text, e.t, 'server');
  }
  return out;
}

/** How the page's socket ended (its `close` event), when it has. */
export function closeOf(conn: TraceConnection): Extract<ApiEvent, { type: 'close' }> | undefined {
  return apiEvents(conn, 'close')[0];
}

/** Connections to a path ('/echo'), whatever the host, in the order they were opened. */
export function connectionsTo(
  trace: Trace,
  path: string,
  origin?: TraceConnection['origin'],
): TraceConnection[] {
  return trace.connections.filter((c) => pathOf(c.url) === path && (!origin || c.origin === origin));
}

/** '/echo' from 'ws://host/base/echo?x=1' (the site's sub-path is not known here: the last segment wins). */
export function pathOf(url: string): string {
  try {
    const u = new URL(url);
    const segments = u.pathname.split('/').filter(Boolean);
    return '/' + (segments.at(-1) ?? '');
  } catch {
    return url;
  }
}

/** "a TEXT frame 'hello' [5 bytes] from the client": one line for expected/seen messages. */
export function describe(frame: TraceFrame): string {
  return `${frame.summary} from the ${frame.from}`;
}

/** Quote text for a message: "'hello'", shortened past `max` characters. */
export function quote(text: string, max = 40): string {
  return `'${text.length > max ? text.slice(0, max - 1) + '…' : text}'`;
}

/** '1 frame', '2 frames'. */
export function plural(n: number, word: string, many = word + 's'): string {
  return `${n} ${n === 1 ? word : many}`;
}
