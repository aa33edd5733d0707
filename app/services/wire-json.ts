/**
 * The byte tap's JSON (format in app/server/README.md): one WireEvent per WebSocket text message,
 * with the id of the connection it belongs to, and bytes as standard base64 (with padding). The
 * Node server writes it (app/server/tap.ts); the page reads it (app/ui/transport/tap-client.ts),
 * and saved session files read their wire events with the same reader
 * (app/ui/connection/session-json.ts). Reading is strict: anything malformed is a FormatError whose
 * message names the event and the field, never another exception.
 */
import { decodeBase64, encodeBase64 } from '../protocol/base64.ts';
import type { ReadyState, Side, WireEvent } from '../protocol/types.ts';

export class FormatError extends Error {
  override name = 'FormatError';
}

export interface TapMessage {
  conn: string;
  event: WireEvent;
}

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isStr = (v: unknown): v is string => typeof v === 'string';
export const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isSide = (v: unknown): v is Side => v === 'client' || v === 'server';
const STATES: readonly ReadyState[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
export const isState = (v: unknown): v is ReadyState => STATES.includes(v as never);
export const isCode = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

/** `o[key]` if `check` accepts it; else a FormatError: "where: "key" must be want; got ...". */
export function field<T>(
  o: Json,
  key: string,
  where: string,
  check: (v: unknown) => v is T,
  want: string,
): T {
  const v = o[key];
  if (!check(v)) {
    const got = v === undefined ? 'it is missing' : `got ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}`;
    throw new FormatError(`${where}: "${key}" must be ${want}; ${got}`);
  }
  return v;
}

/** Standard base64 (whitespace ignored) as bytes. */
export function bytesField(o: Json, key: string, where: string): Uint8Array {
  const text = field(o, key, where, isStr, 'base64 text');
  const bytes = decodeBase64(text.replace(/\s+/g, ''));
  if (!bytes)
    throw new FormatError(`${where}: "${key}" is not valid base64 (standard alphabet, with padding)`);
  return bytes;
}

/** Reads one WireEvent from parsed JSON; `where` names it in messages (e.g. "event 12"). */
export function readWireEvent(raw: unknown, where: string): WireEvent {
  if (!isObject(raw)) throw new FormatError(`${where}: must be an object`);
  const kind = field(raw, 'kind', where, isStr, 'a string');
  const t = field(raw, 't', where, isNum, 'a time in milliseconds');
  const from = (): Side => field(raw, 'from', where, isSide, '"client" or "server"');
  switch (kind) {
    case 'handshake':
      return { kind, t, from: from(), text: field(raw, 'text', where, isStr, 'a string') };
    case 'frame':
      return { kind, t, from: from(), bytes: bytesField(raw, 'bytes', where) };
    case 'bytes':
      return {
        kind,
        t,
        from: from(),
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
      return { kind, t, from: from() };
    default:
      throw new FormatError(
        `${where}: unknown kind "${kind.slice(0, 30)}" (handshake, frame, bytes, state, error, close, eof, api)`,
      );
  }
}

/** One tap message as JSON text. `base64` lets a host plug in a faster encoder (Node's Buffer). */
export function encodeTapMessage(
  conn: string,
  event: WireEvent,
  base64: (b: Uint8Array) => string = encodeBase64,
): string {
  if (event.kind === 'frame' || event.kind === 'bytes') {
    return JSON.stringify({ conn, ...event, bytes: base64(event.bytes) });
  }
  return JSON.stringify({ conn, ...event });
}

/** One tap message read back: a WireEvent plus the id of its connection; FormatError if it is not one. */
export function readTapMessage(text: string): TapMessage {
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
