/**
 * A session's events as JSON (bytes in standard base64), read with precise errors: saved session
 * files and lesson traces go through here. Wire events are read by the byte tap's reader
 * (app/services/wire-json.ts, one format for both); the page's API events are read here. A
 * malformed file gets a FormatError that names the event and the field, never a crash.
 */
import {
  bytesField,
  field,
  FormatError,
  isBool,
  isCode,
  isNum,
  isObject,
  isState,
  isStr,
  type Json,
  readWireEvent,
} from '../../services/wire-json.ts';
import { encodeBase64 } from '../lib/engine-basics.ts';
import type { ApiData, ApiEvent, SessionEvent } from './events.ts';

export { FormatError };

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
