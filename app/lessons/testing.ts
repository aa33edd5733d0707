/**
 * Traces for tests of lessons' checks: build one by hand with the engine's encoder, or load a
 * saved one (the player's "Save my trace" writes trace-json.ts's format: a learner's question
 * becomes a test). Server mode (Chromium on our Node server, as the tap records it) has its
 * builders here too, and so do the assertions on a task's result that every lesson's test
 * makes. Not loaded by the page.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { buildServerResponse } from '../protocol/index.ts';
import type { SessionEvent } from '../ui/connection/events.ts';
import { encodeFrame, encodeUtf8, type Side } from '../ui/lib/engine.ts';
import { frameBytes, frameEvent, REQUEST, RESPONSE } from '../ui/connection/fixtures.ts';
import { traceFromJson } from './trace-json.ts';
import type { LessonChecks, LessonMode, TaskResult, Trace, TraceConnection } from './types.ts';

export { frameBytes, frameEvent, REQUEST, RESPONSE };

/** The time hand-built traces start at, unless a test needs another. */
export const T0 = 1_700_000_000_000;

/** The sample Sec-WebSocket-Key of 1.3 (its Accept is RESPONSE's). */
const DEFAULT_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function connection(
  id: string,
  url: string,
  events: SessionEvent[],
  options: { origin?: TraceConnection['origin']; protocols?: string[] } = {},
): TraceConnection {
  return { id, url, protocols: options.protocols ?? [], origin: options.origin ?? 'lab', events };
}

export function trace(
  connections: TraceConnection[],
  options: { mode?: LessonMode; inputs?: Record<string, string>; console?: string[] } = {},
): Trace {
  return {
    mode: options.mode ?? 'loopback',
    connections,
    inputs: options.inputs ?? {},
    console: options.console ?? [],
  };
}

/** The texts of an opening handshake, and the subprotocols the page offered (its create event). */
export interface HandshakeTexts {
  request?: string;
  response?: string;
  protocols?: string[];
}

/** The events of an opening that succeeded: create, CONNECTING, GET, 101, OPEN, open. */
export function opened(
  t0: number,
  url: string,
  options: HandshakeTexts & { protocol?: string; extensions?: string } = {},
): SessionEvent[] {
  return [
    ...handshake(t0, url, options),
    { kind: 'api', t: t0 + 3, type: 'state', state: 'OPEN' },
    {
      kind: 'api',
      t: t0 + 3,
      type: 'open',
      protocol: options.protocol ?? '',
      extensions: options.extensions ?? '',
    },
  ];
}

/**
 * The events of an opening the page refused (4.1: the client fails the connection): create,
 * CONNECTING, GET, the answer, error, CLOSED, close 1006 (never open), and its end of TCP.
 */
export function refused(t0: number, url: string, options: HandshakeTexts = {}): SessionEvent[] {
  return [
    ...handshake(t0, url, options),
    { kind: 'api', t: t0 + 3, type: 'error' },
    { kind: 'api', t: t0 + 3, type: 'state', state: 'CLOSED' },
    { kind: 'api', t: t0 + 3, type: 'close', code: 1006, reason: '', wasClean: false },
    { kind: 'eof', t: t0 + 3, from: 'client' },
  ];
}

function handshake(t0: number, url: string, options: HandshakeTexts): SessionEvent[] {
  return [
    { kind: 'api', t: t0, type: 'create', url, protocols: options.protocols ?? [] },
    { kind: 'api', t: t0, type: 'state', state: 'CONNECTING' },
    { kind: 'handshake', t: t0 + 1, from: 'client', text: options.request ?? REQUEST },
    { kind: 'handshake', t: t0 + 2, from: 'server', text: options.response ?? RESPONSE },
  ];
}

/** The dev server of server mode (Vite with our Node endpoints): the page's host and the tap's. */
export const SERVER_HOST = '127.0.0.1:5173';

/** The WebSocket URL of `path` (path and query) on the dev server. */
export const serverUrl = (path: string): string => `ws://${SERVER_HOST}${path}`;

/** How a server-mode opening went; by default Chromium offers no subprotocol and the 101 agrees. */
export interface ServerOpening {
  /** The Sec-WebSocket-Key Chromium sent (4.1); by default the sample nonce of 1.3. */
  key?: string;
  /** The subprotocols the page offered, in order (Sec-WebSocket-Protocol, 4.1). */
  protocols?: string[];
  /** The one the server chose: its 101 names it (4.2.2) and the page's open event reports it. */
  protocol?: string;
  /** The server's 101 as written, for a test of a wrong one (by default the engine's, 4.2.2). */
  response?: string;
  /** What the page's open event reports as ws.extensions (none by default). */
  extensions?: string;
  /** The page refused the answer (4.1): `refused`'s events instead of `opened`'s. */
  refused?: boolean;
  /** The byte tap's token: the page adds `tap=` to the GET's query, not to the URL it shows. */
  tap?: string;
  /** Where the GET goes when it is not the dev server (the learner's own server); the Origin stays the page's. */
  host?: string;
}

/**
 * Chromium's opening GET as our server's tap records it (4.1): its header order, its Origin (the
 * page), its permessage-deflate offer, and Sec-WebSocket-Protocol only when it offers some.
 */
export function chromiumRequest(
  path: string,
  opening: Pick<ServerOpening, 'key' | 'protocols' | 'tap' | 'host'> = {},
): string {
  const protocols = opening.protocols ?? [];
  const target = opening.tap ? `${path}${path.includes('?') ? '&' : '?'}tap=${opening.tap}` : path;
  return [
    `GET ${target} HTTP/1.1`,
    `Host: ${opening.host ?? SERVER_HOST}`,
    'Connection: Upgrade',
    'Pragma: no-cache',
    'Cache-Control: no-cache',
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
    'Upgrade: websocket',
    `Origin: http://${SERVER_HOST}`,
    'Sec-WebSocket-Version: 13',
    'Accept-Encoding: gzip, deflate, br, zstd',
    'Accept-Language: en-US,en;q=0.9',
    `Sec-WebSocket-Key: ${opening.key ?? DEFAULT_KEY}`,
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
    ...(protocols.length ? [`Sec-WebSocket-Protocol: ${protocols.join(', ')}`] : []),
    '',
    '',
  ].join('\r\n');
}

/** The events of a server-mode opening of `path` at `t0`: Chromium's GET, our 101 (or the one given). */
export function serverOpened(t0: number, path: string, opening: ServerOpening = {}): SessionEvent[] {
  const texts: HandshakeTexts = {
    request: chromiumRequest(path, opening),
    response: opening.response ?? buildServerResponse(opening.key ?? DEFAULT_KEY, opening.protocol),
    protocols: opening.protocols ?? [],
  };
  if (opening.refused) return refused(t0, serverUrl(path), texts);
  return opened(t0, serverUrl(path), {
    ...texts,
    protocol: opening.protocol,
    extensions: opening.extensions,
  });
}

/**
 * A server-mode connection: Chromium opens `path` on the dev server (at `t0`, by default T0),
 * then `events`. Its `protocols` are what the page offered.
 */
export function serverConnection(
  id: string,
  path: string,
  events: SessionEvent[],
  opening: ServerOpening & { t0?: number; origin?: TraceConnection['origin'] } = {},
): TraceConnection {
  return connection(id, serverUrl(path), [...serverOpened(opening.t0 ?? T0, path, opening), ...events], {
    ...(opening.origin ? { origin: opening.origin } : {}),
    ...(opening.protocols ? { protocols: opening.protocols } : {}),
  });
}

/** The in-page network's host for our endpoints (loopback mode). */
export const LOOPBACK_HOST = 'playground.local';

/** The WebSocket URL of `path` in `mode`: on the dev server, or on the in-page network. */
export const urlIn = (mode: LessonMode, path: string): string =>
  mode === 'server' ? serverUrl(path) : `ws://${LOOPBACK_HOST}${path}`;

/** An opening of `path` at `t0` as `mode` records it: serverOpened's, or `opened`'s on the loopback. */
export function openedIn(mode: LessonMode, t0: number, path: string): SessionEvent[] {
  return mode === 'server' ? serverOpened(t0, path) : opened(t0, urlIn(mode, path));
}

/** A connection to `path` as `mode` records it, opened at `t0` (by default T0), then `events`. */
export function connectionIn(
  mode: LessonMode,
  id: string,
  path: string,
  events: SessionEvent[],
  options: { t0?: number; origin?: TraceConnection['origin'] } = {},
): TraceConnection {
  const opening = openedIn(mode, options.t0 ?? T0, path);
  return connection(
    id,
    urlIn(mode, path),
    [...opening, ...events],
    options.origin ? { origin: options.origin } : {},
  );
}

/** A client frame's bytes masked with `key` (5.3: a browser picks a fresh key for every frame). */
export function maskedFrameBytes(
  opcode: number,
  payload: Uint8Array | string,
  key: ArrayLike<number>,
  fin = true,
): Uint8Array {
  const data = typeof payload === 'string' ? encodeUtf8(payload) : payload;
  return encodeFrame({
    fin,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    opcode,
    payload: data,
    maskKey: Uint8Array.from(key),
  });
}

/** The same frame as the client's event at `t`. */
export const maskedFrameEvent = (
  t: number,
  opcode: number,
  payload: Uint8Array | string,
  key: ArrayLike<number>,
  fin = true,
): SessionEvent => ({ kind: 'frame', t, from: 'client', bytes: maskedFrameBytes(opcode, payload, key, fin) });

/**
 * A CLOSE frame's payload (5.5.1): the code in network byte order, then the reason's UTF-8
 * (without a code, the reason alone: empty by default). Unlike the engine's buildClosePayload it
 * writes any code, so a trace can hold what a broken peer sends (a reserved code, a bare reason).
 */
export function closePayload(code?: number, reason = ''): Uint8Array {
  if (code === undefined) return new TextEncoder().encode(reason);
  return Uint8Array.of(code >> 8, code & 0xff, ...new TextEncoder().encode(reason));
}

/** A CLOSE frame event (opcode 0x8, 5.5.1) from `from`, with `code` and `reason` when given. */
export const closeFrameEvent = (t: number, from: Side, code?: number, reason?: string): SessionEvent =>
  frameEvent(t, from, 0x8, closePayload(code, reason));

/** Reads a saved trace file (e.g. `new URL('question.json', import.meta.url)`). */
export function loadTrace(path: URL | string): Trace {
  return traceFromJson(readFileSync(path, 'utf8'));
}

/** Runs one task of a lesson by id; an unknown id throws (a typo in a test, not a failing check). */
export function runTaskById(checks: LessonChecks, id: string, t: Trace): TaskResult {
  const task = checks.tasks.find((x) => x.id === id);
  if (!task) throw new Error(`no task ${id}`);
  return task.check(t);
}

/** A task's failure; throws when it passed, saying what it observed, so the test fails there. */
export function failureOf(checks: LessonChecks, id: string, t: Trace): Extract<TaskResult, { ok: false }> {
  const r = runTaskById(checks, id, t);
  if (r.ok) throw new Error(`${id} passed: ${r.observed}`);
  return r;
}

/** A failure's text and the field its frame points at (when it points at one), for `toEqual`. */
export function failureText(
  checks: LessonChecks,
  id: string,
  t: Trace,
): { expected: string; seen: string; rfc: string; field?: string } {
  const r = failureOf(checks, id, t);
  return {
    expected: r.expected,
    seen: r.seen,
    rfc: r.rfc,
    ...(r.frame?.field ? { field: r.frame.field } : {}),
  };
}

/** The result of a task that passed: what it observed; throws with the failure when it failed. */
export function observedOf(checks: LessonChecks, id: string, t: Trace): string {
  const r = runTaskById(checks, id, t);
  if (!r.ok) throw new Error(`${id} failed: expected ${r.expected}; seen ${r.seen}`);
  return r.observed;
}

/** One lesson's tasks, for its tests: the helpers above with `checks` bound. */
export interface TasksUnderTest {
  /** The lesson's task ids, in order. */
  ids: string[];
  /** Asserts that every task passes on `t` (a failure names its task and says what it saw). */
  expectAllPass(t: Trace): void;
  run(id: string, t: Trace): TaskResult;
  failure(id: string, t: Trace): Extract<TaskResult, { ok: false }>;
  failureText(id: string, t: Trace): ReturnType<typeof failureText>;
  observed(id: string, t: Trace): string;
}

export function tasksUnderTest(checks: LessonChecks): TasksUnderTest {
  const ids = checks.tasks.map((task) => task.id);
  const run = (id: string, t: Trace): TaskResult => runTaskById(checks, id, t);
  return {
    ids,
    expectAllPass: (t) => {
      for (const id of ids) expect(run(id, t), id).toMatchObject({ ok: true });
    },
    run,
    failure: (id, t) => failureOf(checks, id, t),
    failureText: (id, t) => failureText(checks, id, t),
    observed: (id, t) => observedOf(checks, id, t),
  };
}

/**
 * Asserts that `r` failed, that its expectation and what it saw contain (or match) the given
 * texts, and that it cites a section of RFC 6455 (by default any; `rfc` narrows it).
 */
export function expectFailure(
  r: TaskResult,
  expected: string | RegExp,
  seen: string | RegExp,
  rfc: RegExp = /^RFC 6455 §\d/,
): void {
  expect(r.ok, r.ok ? `passed: ${r.observed}` : '').toBe(false);
  if (r.ok) return;
  expect(r.expected).toMatch(expected);
  expect(r.seen).toMatch(seen);
  expect(r.rfc).toMatch(rfc);
}
