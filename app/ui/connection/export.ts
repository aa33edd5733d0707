/**
 * Saving and loading sessions.
 *
 * - Our JSON: `{format: "websocket-playground-session", version: 1, url, protocols, events}`,
 *   every event as recorded (wire events with base64 bytes, and the page's API events). Loads
 *   back exactly.
 * - Chrome's HAR: one entry per connection with `_webSocketMessages` (`type` send/receive, `time`
 *   in epoch seconds, `opcode` 1 or 2, `data` text or base64), as DevTools saves it. HAR keeps
 *   messages, not frames: importing one rebuilds one frame per message, and since HAR records no
 *   masking keys, client frames get the key 00 00 00 00 (said in the session's notes).
 *
 * Every problem in a file is a FormatError naming where it is; nothing here throws anything else.
 */
import {
  decodeBase64,
  decodeUtf8,
  encodeBase64,
  encodeFrame,
  isValidUtf8,
  encodeUtf8,
  type WireEvent,
} from '../lib/engine.ts';
import type { SessionEvent } from './events.ts';
import type { SessionLog } from './session-log.ts';
import { FormatError, readSessionEvent, writeSessionEvent } from './session-json.ts';

export const SESSION_FORMAT = 'websocket-playground-session';
export const SESSION_VERSION = 1;
/** Imports larger than this are refused before parsing (a log of 10,000 frames is ~2 MB). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export interface SessionFile {
  url: string;
  protocols: string[];
  events: SessionEvent[];
  /** Said to the learner after an import (e.g. what a HAR could not record). */
  notes: string[];
}

export function sessionToJson(
  url: string,
  protocols: readonly string[],
  events: readonly SessionEvent[],
): string {
  return JSON.stringify(
    {
      format: SESSION_FORMAT,
      version: SESSION_VERSION,
      url,
      protocols,
      exported: new Date().toISOString(),
      events: events.map(writeSessionEvent),
    },
    null,
    1,
  );
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a file of ours, a bare event array, or a HAR. */
export function parseSessionFile(text: string): SessionFile[] {
  if (text.length > MAX_IMPORT_BYTES)
    throw new FormatError(`the file is ${(text.length / 1048576).toFixed(0)} MB; the limit is 64 MB`);
  if (text.trim() === '') throw new FormatError('the file is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new FormatError(`not JSON: ${detail}`);
  }
  if (Array.isArray(raw)) return [{ url: '', protocols: [], events: readEvents(raw), notes: [] }];
  if (!isObject(raw)) throw new FormatError('expected an object (a session or a HAR), got ' + typeof raw);
  if (isObject(raw.log)) return parseHar(raw.log);
  if (raw.format !== SESSION_FORMAT) {
    throw new FormatError(
      `not a session file: "format" should be "${SESSION_FORMAT}" (or the file should be a HAR with "log")`,
    );
  }
  if (raw.version !== SESSION_VERSION)
    throw new FormatError(
      `session format version ${JSON.stringify(raw.version)} is not supported (this app reads version ${SESSION_VERSION})`,
    );
  if (!Array.isArray(raw.events)) throw new FormatError('"events" must be an array');
  const protocols = Array.isArray(raw.protocols)
    ? raw.protocols.filter((p): p is string => typeof p === 'string')
    : [];
  return [
    { url: typeof raw.url === 'string' ? raw.url : '', protocols, events: readEvents(raw.events), notes: [] },
  ];
}

function readEvents(list: unknown[]): SessionEvent[] {
  const events = list.map((e, i) => readSessionEvent(e, `event ${i + 1}`));
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.t < events[i - 1]!.t - 60_000) {
      throw new FormatError(
        `event ${i + 1}: its time goes back ${Math.round((events[i - 1]!.t - events[i]!.t) / 1000)} s: events must be in order`,
      );
    }
  }
  return events;
}

// ---- HAR -----------------------------------------------------------------------------------

export interface HarMessage {
  type: 'send' | 'receive';
  time: number;
  opcode: 1 | 2;
  data: string;
}

/** Data messages as the API delivered them (fragments joined), for HAR. */
export function harMessages(log: SessionLog): HarMessage[] {
  const out: HarMessage[] = [];
  for (const row of log.frames) {
    if (!row.frame) continue;
    const group = row.group;
    let opcode = row.opcode;
    let payload = row.frame.payload;
    if (group) {
      if (!row.fin || !group.complete) continue; // emitted once, at its last fragment
      opcode = group.opcode;
      const parts = group.frames.map((id) => log.frames[id]!.frame?.payload ?? new Uint8Array(0));
      payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        payload.set(p, at);
        at += p.length;
      }
    } else if (!row.fin || (opcode !== 1 && opcode !== 2)) continue;
    out.push({
      type: row.from === 'client' ? 'send' : 'receive',
      time: row.t / 1000,
      opcode: opcode as 1 | 2,
      data: opcode === 1 ? decodeUtf8(payload) : encodeBase64(payload),
    });
  }
  return out;
}

function headerPairs(text: string | undefined): { name: string; value: string }[] {
  if (!text) return [];
  return text
    .split('\r\n')
    .slice(1)
    .filter((l) => l.includes(':'))
    .map((l) => ({ name: l.slice(0, l.indexOf(':')), value: l.slice(l.indexOf(':') + 1).trim() }));
}

export function sessionToHar(url: string, log: SessionLog): string {
  const start = log.t0 ?? Date.now();
  const end = log.events.at(-1)?.t ?? start;
  const status = /^HTTP\/1\.1 (\d{3}) ?(.*)/.exec(log.response?.text ?? '');
  const entry = {
    startedDateTime: new Date(start).toISOString(),
    time: end - start,
    request: {
      method: 'GET',
      url,
      httpVersion: 'HTTP/1.1',
      headers: headerPairs(log.request?.text),
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: status ? Number(status[1]) : 0,
      statusText: status?.[2] ?? '',
      httpVersion: 'HTTP/1.1',
      headers: headerPairs(log.response?.text),
      cookies: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0 },
    _resourceType: 'websocket',
    _webSocketMessages: harMessages(log),
  };
  return JSON.stringify(
    {
      log: {
        version: '1.2',
        creator: { name: 'WebSocket Playground', version: '0.1.0' },
        pages: [],
        entries: [entry],
      },
    },
    null,
    1,
  );
}

function headText(first: string, headers: unknown, where: string): string | undefined {
  if (!Array.isArray(headers) || headers.length === 0) return undefined;
  const lines = headers.map((h, i) => {
    if (!isObject(h) || typeof h.name !== 'string' || typeof h.value !== 'string') {
      throw new FormatError(`${where} header ${i + 1}: must be {name, value} strings`);
    }
    return `${h.name}: ${h.value}`;
  });
  return `${first}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function parseHar(log: Json): SessionFile[] {
  if (!Array.isArray(log.entries)) throw new FormatError('HAR: "log.entries" must be an array');
  const files: SessionFile[] = [];
  log.entries.forEach((entry, n) => {
    const where = `HAR entry ${n + 1}`;
    if (!isObject(entry) || !Array.isArray(entry._webSocketMessages)) return;
    const request = isObject(entry.request) ? entry.request : {};
    const response = isObject(entry.response) ? entry.response : {};
    const url = typeof request.url === 'string' ? request.url : '';
    const started = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
    const messages = entry._webSocketMessages.map((m, i) => readHarMessage(m, `${where}, message ${i + 1}`));
    const t0 = Number.isFinite(started) ? started : Math.round((messages[0]?.time ?? 0) * 1000);
    const events: WireEvent[] = [];
    let target = '/';
    try {
      const u = new URL(url);
      target = u.pathname + u.search;
    } catch {
      // a HAR without a usable URL still has its messages
    }
    const req = headText(`GET ${target} HTTP/1.1`, request.headers, `${where} request`);
    if (req) events.push({ kind: 'handshake', t: t0, from: 'client', text: req });
    const status = typeof response.status === 'number' ? response.status : 101;
    const res = headText(
      `HTTP/1.1 ${status} ${typeof response.statusText === 'string' ? response.statusText : ''}`.trimEnd(),
      response.headers,
      `${where} response`,
    );
    if (res) events.push({ kind: 'handshake', t: t0, from: 'server', text: res });
    for (const m of messages) {
      const payload = m.opcode === 1 ? encodeUtf8(m.data) : decodeBase64(m.data.replace(/\s+/g, ''))!;
      const client = m.type === 'send';
      const frame = {
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: m.opcode,
        payload,
        ...(client ? { maskKey: new Uint8Array(4) } : {}),
      };
      events.push({
        kind: 'frame',
        t: Math.round(m.time * 1000),
        from: client ? 'client' : 'server',
        bytes: encodeFrame(frame),
      });
    }
    files.push({
      url,
      protocols: [],
      events,
      notes: [
        'Rebuilt from a HAR, which records messages, not frames: one frame per message, and client frames show the masking key 00 00 00 00 because HAR keeps no keys. Ping, pong and close frames are not in a HAR.',
      ],
    });
  });
  if (files.length === 0)
    throw new FormatError(
      'HAR: no entry has "_webSocketMessages" (save the HAR from the DevTools Network panel with a WebSocket row)',
    );
  return files;
}

function readHarMessage(m: unknown, where: string): HarMessage {
  if (!isObject(m)) throw new FormatError(`${where}: must be an object`);
  if (m.type !== 'send' && m.type !== 'receive')
    throw new FormatError(`${where}: "type" must be "send" or "receive"`);
  if (typeof m.time !== 'number' || !Number.isFinite(m.time))
    throw new FormatError(`${where}: "time" must be a number (epoch seconds)`);
  if (m.opcode !== 1 && m.opcode !== 2)
    throw new FormatError(
      `${where}: "opcode" must be 1 (text) or 2 (binary); got ${JSON.stringify(m.opcode)}`,
    );
  if (typeof m.data !== 'string') throw new FormatError(`${where}: "data" must be a string`);
  if (m.opcode === 2) {
    const bytes = decodeBase64(m.data.replace(/\s+/g, ''));
    if (!bytes) throw new FormatError(`${where}: binary "data" must be base64`);
  } else if (!isValidUtf8(encodeUtf8(m.data))) {
    throw new FormatError(`${where}: text "data" is not valid Unicode`);
  }
  return { type: m.type, time: m.time, opcode: m.opcode, data: m.data };
}
