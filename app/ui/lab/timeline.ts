/** One timeline entry as a line of text: what the learner reads, and what tests match. */
import { describeCloseCode, isolatePeerText } from '../lib/engine.ts';
import { toHex } from '../lib/bytes.ts';
import { size } from '../lib/format.ts';
import type { ApiData } from './events.ts';
import type { TimelineEntry } from './session-log.ts';

export type Tone = 'api' | 'state' | 'hidden' | 'wire' | 'error' | 'close';

export interface TimelineLine {
  /** Short tag: open, message, PING, ... */
  tag: string;
  text: string;
  tone: Tone;
  /** Arrow for wire items: client -> server or back. */
  dir?: '→' | '←';
  /** Longer explanation (tooltip / screen readers). */
  detail?: string;
}

/** Peer text in quotes, escaped as JSON and bidi-isolated (it may not reorder the rest of the line). */
function quoted(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return `"${isolatePeerText(JSON.stringify(cut).slice(1, -1))}"`;
}

export function dataText(data: ApiData): string {
  if (typeof data === 'string') return quoted(data);
  const n = data.size ?? data.bytes.length;
  const preview = data.bytes.length > 0 ? ` ${toHex(data.bytes, ' ', 8)}` : '';
  return `${data.type} (${size(n)})${preview}`;
}

export function describeEntry(entry: TimelineEntry): TimelineLine {
  if (entry.source === 'frame') {
    const f = entry.frame;
    const dir = f.from === 'client' ? '→' : '←';
    const why =
      f.kind === 'ping' || f.kind === 'pong'
        ? 'the API never shows ping and pong frames'
        : f.kind === 'close'
          ? 'the API only reports the close event, not the frames'
          : f.group
            ? `fragment ${(f.fragmentIndex ?? 0) + 1}${f.group.complete ? ` of ${f.group.frames.length}` : ''}: the API delivers the message once all fragments arrived`
            : 'a frame';
    return {
      tag: f.summary.split(' ')[0] ?? 'frame',
      text: f.summary,
      tone: f.error ? 'error' : 'hidden',
      dir,
      detail: why,
    };
  }
  if (entry.source === 'wire') {
    const e = entry.event;
    switch (e.kind) {
      case 'handshake': {
        const line = e.text.split('\r\n')[0] ?? '';
        return {
          tag: 'HTTP',
          text: line,
          tone: 'wire',
          dir: e.from === 'client' ? '→' : '←',
          detail: 'the opening handshake (RFC 6455 §4)',
        };
      }
      case 'error':
        return {
          tag: 'violation',
          text: `${e.code}: ${e.message}`,
          tone: 'error',
          detail: 'the server found a protocol violation and failed the connection',
        };
      case 'eof':
        return {
          tag: 'TCP',
          text: `${e.from} closed the TCP connection`,
          tone: 'wire',
          detail: '§7.1.1: the server closes TCP first',
        };
      case 'bytes':
        return {
          tag: 'bytes',
          text: `${size(e.bytes.length)} not framed: ${e.note}`,
          tone: 'error',
          dir: e.from === 'client' ? '→' : '←',
        };
      case 'state':
        return { tag: 'state', text: `readyState → ${e.state}`, tone: 'state' };
      case 'close': {
        const info = describeCloseCode(e.code);
        return {
          tag: 'close',
          text: `${e.code} ${info.name}${e.reason ? ` ${quoted(e.reason)}` : ''} · wasClean ${e.wasClean}`,
          tone: 'close',
          detail: info.meaning,
        };
      }
    }
  }
  const e = entry.event;
  switch (e.type) {
    case 'create':
      return {
        tag: 'new',
        text: `new WebSocket(${quoted(e.url, 80)}${e.protocols.length ? `, ${JSON.stringify(e.protocols)}` : ''})`,
        tone: 'api',
      };
    case 'state': {
      const n = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].indexOf(e.state);
      return { tag: 'readyState', text: `readyState → ${n} ${e.state}`, tone: 'state' };
    }
    case 'open':
      return {
        tag: 'open',
        text: `open · protocol ${e.protocol ? quoted(e.protocol) : '""'} · extensions ${e.extensions ? quoted(e.extensions) : '""'}`,
        tone: 'api',
      };
    case 'message':
      return { tag: 'message', text: `message · ${dataText(e.data)}`, tone: 'api' };
    case 'send':
      return {
        tag: 'send()',
        text: `send(${dataText(e.data)})${e.fragments ? ` in ${e.fragments} fragments` : ''}`,
        tone: 'api',
      };
    case 'close-call':
      return {
        tag: 'close()',
        text: `close(${e.code ?? ''}${e.reason ? `, ${quoted(e.reason)}` : ''})`,
        tone: 'api',
      };
    case 'error':
      return {
        tag: 'error',
        text: e.message ? `error · ${e.message}` : 'error (the API gives no detail, by design)',
        tone: 'error',
      };
    case 'close': {
      const info = describeCloseCode(e.code);
      return {
        tag: 'close',
        text: `close · ${e.code} ${info.name}${e.reason ? ` · reason ${quoted(e.reason)}` : ''} · wasClean ${e.wasClean}`,
        tone: 'close',
        detail: info.meaning,
      };
    }
  }
}
