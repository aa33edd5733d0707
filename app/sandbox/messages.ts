/**
 * Every message from the sandbox's worker is untrusted: learner code may forge them (issue 17
 * patched MessagePort.prototype.postMessage). `isWorkerMessage` checks a message's whole
 * shape, field by field, with bounds, before the page acts on it; anything else is dropped.
 */
import type { ConsoleEntry, SocketReport, WireData, WorkerMessage } from './protocol.ts';

/** Entries in one console message: the worker batches at most 1000 (runtime MAX_PENDING). */
export const MAX_CONSOLE_BATCH = 1000;
/** Longest URL, subprotocol list and path the page accepts from the worker. */
const MAX_URL = 8192;
const MAX_PROTOCOLS = 64;
const MAX_TOKEN = 256;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isData = (v: unknown): v is WireData =>
  typeof v === 'string' || v instanceof ArrayBuffer || v instanceof Blob;
const isShort = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);
const isCode = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
const isString = (v: unknown): v is string => typeof v === 'string';

const LEVELS = new Set(['log', 'info', 'warn', 'error', 'debug', 'system']);

export function isEntry(e: unknown): e is ConsoleEntry {
  return (
    isObject(e) &&
    typeof e.text === 'string' &&
    typeof e.at === 'number' &&
    LEVELS.has(e.level as string) &&
    optional(e.line, (l) => isId(l)) &&
    optional(e.indent, isCount)
  );
}

export function isSocketReport(r: unknown): r is SocketReport {
  if (!isObject(r)) return false;
  switch (r.kind) {
    case 'open':
      return isShort(r.protocol, MAX_TOKEN) && isShort(r.extensions, MAX_URL);
    case 'message':
    case 'send':
      return isData(r.data);
    case 'error':
      return true;
    case 'close':
      return isCode(r.code) && isString(r.reason) && typeof r.wasClean === 'boolean';
    case 'close-call':
      return optional(r.code, isCode) && optional(r.reason, isString);
    default:
      return false;
  }
}

/** The whole shape of a worker message (the worker is untrusted). */
export function isWorkerMessage(m: unknown): m is WorkerMessage {
  if (!isObject(m) || typeof m.kind !== 'string') return false;
  switch (m.kind) {
    case 'ready':
    case 'beat':
    case 'done':
      return true;
    case 'oom':
      return isCount(m.bytes) && isCount(m.limit);
    case 'console':
      return (
        Array.isArray(m.entries) &&
        m.entries.length <= MAX_CONSOLE_BATCH &&
        m.entries.every(isEntry) &&
        isCount(m.dropped)
      );
    case 'sock:create':
      return (
        isId(m.id) &&
        isShort(m.url, MAX_URL) &&
        Array.isArray(m.protocols) &&
        m.protocols.length <= MAX_PROTOCOLS &&
        m.protocols.every((p) => isShort(p, MAX_TOKEN)) &&
        (m.route === 'native' || m.route === 'loopback') &&
        optional(m.tap, (t) => isShort(t, MAX_TOKEN)) &&
        optional(m.node, (n) => isObject(n) && typeof n.autoPong === 'boolean')
      );
    case 'sock:report':
      return (
        isId(m.id) &&
        isSocketReport(m.report) &&
        typeof m.readyState === 'number' &&
        Number.isInteger(m.readyState) &&
        m.readyState >= 0 &&
        m.readyState <= 3 &&
        isCount(m.bufferedAmount)
      );
    case 'ws:send':
      return isId(m.id) && isData(m.data);
    case 'ws:close':
      return isId(m.id) && optional(m.code, isCode) && optional(m.reason, isString);
    case 'ws:abort':
      return isId(m.id);
    case 'ws:ping':
    case 'ws:pong':
      return isId(m.id) && m.data instanceof ArrayBuffer;
    case 'srv:listen':
      return (
        isId(m.sid) &&
        typeof m.port === 'number' &&
        optional(m.path, (p) => isShort(p, MAX_URL)) &&
        optional(m.acceptKey, (a) => typeof a === 'boolean') &&
        optional(m.verify, (v) => typeof v === 'boolean') &&
        optional(m.maxPayload, (n) => isCount(n) && Number.isSafeInteger(n))
      );
    case 'srv:close':
      return isId(m.sid);
    case 'srv:accept':
      return isId(m.rid) && (isShort(m.accept, MAX_URL) || isShort(m.error, MAX_URL));
    case 'srv:verified':
      return (
        isId(m.rid) &&
        (m.ok === true ||
          (m.ok === false &&
            typeof m.status === 'number' &&
            Number.isInteger(m.status) &&
            isShort(m.message, MAX_TOKEN)))
      );
    case 'conn:send':
      return (
        isId(m.cid) &&
        (typeof m.data === 'string' || m.data instanceof ArrayBuffer) &&
        typeof m.binary === 'boolean' &&
        optional(m.fin, (f) => typeof f === 'boolean')
      );
    case 'conn:ping':
    case 'conn:pong':
      return isId(m.cid) && m.data instanceof ArrayBuffer;
    case 'conn:close':
      return isId(m.cid) && optional(m.code, isCode) && optional(m.reason, isString);
    case 'conn:terminate':
      return isId(m.cid);
    default:
      return false;
  }
}
