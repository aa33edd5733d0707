/**
 * A trace as a file: `{format: "websocket-playground-trace", version: 1, mode, inputs, console,
 * connections: [{id, url, protocols, origin, events}], http?: [HttpRecord]}`, events as in a
 * session file (bytes in base64), HTTP exchanges as they are (text and numbers). The player's "Save my trace" writes it, so a learner can attach exactly what they did
 * to a question, and a test can load it back (testing.ts `loadTrace`).
 */
import type { SessionEvent } from '../ui/connection/events.ts';
import { FormatError, readSessionEvent, writeSessionEvent } from '../ui/connection/session-json.ts';
import type { HttpRecord, Trace, TraceConnection } from './types.ts';

export const TRACE_FORMAT = 'websocket-playground-trace';

export function traceToJson(trace: Trace): string {
  return JSON.stringify(
    {
      format: TRACE_FORMAT,
      version: 1,
      mode: trace.mode,
      inputs: trace.inputs,
      console: trace.console,
      connections: trace.connections.map((c) => ({ ...c, events: c.events.map(writeSessionEvent) })),
      ...(trace.http ? { http: trace.http } : {}),
    },
    null,
    1,
  );
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Reads a trace file; every problem is a FormatError that says where. */
export function traceFromJson(text: string): Trace {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(raw) || raw.format !== TRACE_FORMAT)
    throw new FormatError(`not a trace: "format" should be "${TRACE_FORMAT}"`);
  if (raw.mode !== 'server' && raw.mode !== 'loopback')
    throw new FormatError('trace: "mode" should be "server" or "loopback"');
  const inputs: Record<string, string> = {};
  if (isObject(raw.inputs))
    for (const [k, v] of Object.entries(raw.inputs)) if (typeof v === 'string') inputs[k] = v;
  if (!Array.isArray(raw.connections)) throw new FormatError('trace: "connections" should be an array');
  const connections = raw.connections.map((c: unknown, i): TraceConnection => {
    const where = `connection ${i}`;
    if (!isObject(c)) throw new FormatError(`${where}: should be an object`);
    if (typeof c.id !== 'string' || typeof c.url !== 'string')
      throw new FormatError(`${where}: "id" and "url" should be strings`);
    if (c.origin !== 'lab' && c.origin !== 'code' && c.origin !== 'probe')
      throw new FormatError(`${where}: "origin" should be lab, code or probe`);
    if (!Array.isArray(c.events)) throw new FormatError(`${where}: "events" should be an array`);
    const events: SessionEvent[] = c.events.map((e: unknown, j) =>
      readSessionEvent(e, `${where}, event ${j}`),
    );
    return {
      id: c.id,
      url: c.url,
      protocols: isStrings(c.protocols) ? c.protocols : [],
      origin: c.origin,
      events,
    };
  });
  const http = raw.http === undefined ? undefined : readHttp(raw.http);
  return {
    mode: raw.mode,
    inputs,
    console: isStrings(raw.console) ? raw.console : [],
    connections,
    ...(http ? { http } : {}),
  };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function readHttp(raw: unknown): HttpRecord[] {
  if (!Array.isArray(raw)) throw new FormatError('trace: "http" should be an array');
  return raw.map((r: unknown, i): HttpRecord => {
    const where = `http ${i}`;
    if (!isObject(r)) throw new FormatError(`${where}: should be an object`);
    for (const key of ['url', 'method', 'responseHead', 'body'] as const)
      if (typeof r[key] !== 'string') throw new FormatError(`${where}: "${key}" should be a string`);
    for (const key of ['sent', 'received', 'status', 'requestHeadBytes', 'responseHeadBytes'] as const)
      if (!isCount(r[key])) throw new FormatError(`${where}: "${key}" should be a number ≥ 0`);
    if (r.requestHead !== undefined && typeof r.requestHead !== 'string')
      throw new FormatError(`${where}: "requestHead" should be a string`);
    return {
      url: r.url as string,
      method: r.method as string,
      sent: r.sent as number,
      received: r.received as number,
      status: r.status as number,
      requestHeadBytes: r.requestHeadBytes as number,
      ...(typeof r.requestHead === 'string' ? { requestHead: r.requestHead } : {}),
      responseHead: r.responseHead as string,
      responseHeadBytes: r.responseHeadBytes as number,
      body: r.body as string,
    };
  });
}
