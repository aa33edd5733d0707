/** One timeline entry as a line of text: what the learner reads, and what tests match. */
import { describeCloseCode, isolatePeerText } from '../lib/engine.ts';
import { toHex } from '../lib/bytes.ts';
import { size } from '../lib/format.ts';
import type { ApiData } from './events.ts';
import type { TimelineEntry } from './session-log.ts';
import { splitTap } from '../transport/tap-client.ts';

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

/**
 * Text in quotes as it is (JSON reads as JSON, not escaped); only line breaks and other control
 * characters are shown as escapes, so one row stays one line.
 */
export function quoted(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // Peer text is bidi-isolated too: it may not reorder the rest of the line.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return `"${isolatePeerText(cut.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1)))}"`;
}

/** The whole of a message's data for the detail view: pretty JSON when it parses, else the text. */
export function fullData(data: ApiData): { text: string; json: boolean } | undefined {
  if (typeof data !== 'string') return undefined;
  const t = data.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return { text: JSON.stringify(JSON.parse(t), null, 2), json: true };
    } catch {
      // not JSON after all: shown as text
    }
  }
  return { text: data, json: false };
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
    if (f.unread !== undefined)
      return {
        tag: f.summary.split(' ')[0] ?? 'frame',
        text: `${f.summary} · not read: ${f.unread}`,
        tone: 'error',
        dir,
        detail: `sent, but the ${f.from === 'client' ? 'server' : 'client'} did not read it: ${f.unread}`,
      };
    const why =
      f.kind === 'ping' || f.kind === 'pong'
        ? 'the API never shows ping and pong frames'
        : f.kind === 'close'
          ? 'the API only reports the close event, not the frames'
          : f.group
            ? `fragment ${(f.fragmentIndex ?? 0) + 1}${f.group.complete ? ` of ${f.group.frames.length}` : ''}: the API delivers the message once all fragments arrived`
            : 'a whole message in one frame: the API shows it as a message event';
    // A whole text or binary frame is a message the API does show; it is on the timeline as a
    // frame only when the record has no page view (an import, a recording).
    const whole = (f.kind === 'text' || f.kind === 'binary') && f.fin && !f.group;
    return {
      tag: f.summary.split(' ')[0] ?? 'frame',
      text: f.summary,
      tone: f.error ? 'error' : whole ? 'wire' : 'hidden',
      dir,
      detail: why,
    };
  }
  if (entry.source === 'wire') {
    const e = entry.event;
    switch (e.kind) {
      case 'handshake': {
        // The playground's ?tap= token is not the learner's: the handshake view shows it on request.
        const line = splitTap(e.text.split('\r\n')[0] ?? '').shown;
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
