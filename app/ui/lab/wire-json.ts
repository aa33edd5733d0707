/**
 * WireEvents and ApiEvents as JSON (bytes in standard base64), read with precise errors: the
 * byte tap's messages (app/server/README.md: `{conn, kind, t, ...}` one per text message) and
 * exported session files both go through here, so a malformed file gets a message that names
 * the event and the field, never a crash.
 */
import { decodeBase64, encodeBase64 } from '../lib/engine-basics.ts';
import type { WireEvent } from '../lib/engine.ts';
import type { ApiData, ApiEvent, SessionEvent } from './events.ts';
import { READY_STATES } from './events.ts';

export class FormatError extends Error {
  override name = 'FormatError';
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field<T>(o: Json, key: string, where: string, check: (v: unknown) => v is T, want: string): T {
  const v = o[key];
  if (!check(v)) {
    const got = v === undefined ? 'it is missing' : `got ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}`;
    throw new FormatError(`${where}: "${key}" must be ${want}; ${got}`);
  }
  return v;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isSide = (v: unknown): v is 'client' | 'server' => v === 'client' || v === 'server';
const isState = (v: unknown): v is (typeof READY_STATES)[number] => READY_STATES.includes(v as never);
const isCode = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

function bytesField(o: Json, key: string, where: string): Uint8Array {
  const text = field(o, key, where, isStr, 'base64 text');
  const padded = text.replace(/\s+/g, '');
  const bytes = decodeBase64(padded);
  if (!bytes)
    throw new FormatError(`${where}: "${key}" is not valid base64 (standard alphabet, with padding)`);
  return bytes;
}

/** Reads one WireEvent from parsed JSON; `where` names it in messages (e.g. "event 12"). */
export function readWireEvent(raw: unknown, where: string): WireEvent {
  if (!isObject(raw)) throw new FormatError(`${where}: must be an object`);
  const kind = field(raw, 'kind', where, isStr, 'a string');
  const t = field(raw, 't', where, isNum, 'a time in milliseconds');
  switch (kind) {
    case 'handshake':
      return {
        kind,
        t,
        from: field(raw, 'from', where, isSide, '"client" or "server"'),
        text: field(raw, 'text', where, isStr, 'a string'),
      };
    case 'frame':
      return {
        kind,
        t,
        from: field(raw, 'from', where, isSide, '"client" or "server"'),
        bytes: bytesField(raw, 'bytes', where),
      };
    case 'bytes':
      return {
        kind,
        t,
        from: field(raw, 'from', where, isSide, '"client" or "server"'),
        bytes: bytesField(raw, 'bytes', where),
        note: isStr(raw.note) ? raw.note : '',
      };
    case 'state':
      return { kind, t, state: field(raw, 'state', where, isState, 'CONNECTING, OPEN, CLOSING or CLOSED') };
    case 'error':
      return {
        kind,
        t,
        code: field(raw, 'code', where, isStr, 'a string'),
        message: isStr(raw.message) ? raw.message : '',
      };
    case 'close':
      return {
        kind,
        t,
        code: field(raw, 'code', where, isCode, 'an integer 0-65535'),
        reason: isStr(raw.reason) ? raw.reason : '',
        wasClean: field(raw, 'wasClean', where, isBool, 'true or false'),
      };
    case 'eof':
      return { kind, t, from: field(raw, 'from', where, isSide, '"client" or "server"') };
    default:
      throw new FormatError(
        `${where}: unknown kind "${kind.slice(0, 30)}" (handshake, frame, bytes, state, error, close, eof, api)`,
      );
  }
}

function readApiData(o: Json, where: string): ApiData {
  const data = o.data;
  if (typeof data === 'string') return data;
  if (!isObject(data)) throw new FormatError(`${where}: "data" must be a string or {type, bytes}`);
  const type = data.type === 'Blob' ? 'Blob' : data.type === 'ArrayBuffer' ? 'ArrayBuffer' : undefined;
  if (!type) throw new FormatError(`${where}: "data.type" must be "Blob" or "ArrayBuffer"`);
  return { type, bytes: bytesField(data, 'bytes', `${where} data`) };
}

export function readApiEvent(raw: Json, where: string): ApiEvent {
  const t = field(raw, 't', where, isNum, 'a time in milliseconds');
  const type = field(raw, 'type', where, isStr, 'a string');
  switch (type) {
    case 'create': {
      const protocols = Array.isArray(raw.protocols) ? raw.protocols.filter(isStr) : [];
      return { kind: 'api', t, type, url: field(raw, 'url', where, isStr, 'a string'), protocols };
    }
    case 'state':
      return {
        kind: 'api',
        t,
        type,
        state: field(raw, 'state', where, isState, 'CONNECTING, OPEN, CLOSING or CLOSED'),
      };
    case 'open':
      return {
        kind: 'api',
        t,
        type,
        protocol: isStr(raw.protocol) ? raw.protocol : '',
        extensions: isStr(raw.extensions) ? raw.extensions : '',
      };
    case 'message':
      return { kind: 'api', t, type, data: readApiData(raw, where) };
    case 'send':
      return {
        kind: 'api',
        t,
        type,
        data: readApiData(raw, where),
        ...(Number.isInteger(raw.fragments) ? { fragments: raw.fragments as number } : {}),
        ...(Number.isSafeInteger(raw.buffered) && (raw.buffered as number) >= 0
          ? { buffered: raw.buffered as number }
          : {}),
      };
    case 'close-call':
      return {
        kind: 'api',
        t,
        type,
        ...(isCode(raw.code) ? { code: raw.code } : {}),
        ...(isStr(raw.reason) ? { reason: raw.reason } : {}),
      };
    case 'error':
      return { kind: 'api', t, type, ...(isStr(raw.message) ? { message: raw.message } : {}) };
    case 'close':
      return {
        kind: 'api',
        t,
        type,
        code: field(raw, 'code', where, isCode, 'an integer 0-65535'),
        reason: isStr(raw.reason) ? raw.reason : '',
        wasClean: field(raw, 'wasClean', where, isBool, 'true or false'),
      };
    default:
      throw new FormatError(`${where}: unknown API event type "${type.slice(0, 30)}"`);
  }
}

export function readSessionEvent(raw: unknown, where: string): SessionEvent {
  if (isObject(raw) && raw.kind === 'api') return readApiEvent(raw, where);
  return readWireEvent(raw, where);
}

/** JSON-ready form: bytes become base64. */
export function writeSessionEvent(e: SessionEvent): Json {
  if (e.kind === 'frame' || e.kind === 'bytes') return { ...e, bytes: encodeBase64(e.bytes) };
  if (e.kind === 'api' && (e.type === 'message' || e.type === 'send') && typeof e.data !== 'string') {
    return { ...e, data: { type: e.data.type, bytes: encodeBase64(e.data.bytes) } };
  }
  return { ...e };
}

/** One byte-tap message (app/server/README.md): a WireEvent plus the id of its connection. */
export function readTapMessage(text: string): { conn: string; event: WireEvent } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FormatError(`tap message is not JSON: ${text.slice(0, 40)}`);
  }
  if (!isObject(raw)) throw new FormatError('tap message: must be an object');
  const conn = field(raw, 'conn', 'tap message', isStr, 'the connection id');
  return { conn, event: readWireEvent(raw, `tap message (${conn})`) };
}
