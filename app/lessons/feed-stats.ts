/**
 * What the lesson on why WebSockets (RFC 6455 §1.1) measures, in one place for its checks and its
 * live widget: for polling and long polling (plain HTTP exchanges with /poll and /long-poll) and
 * for a WebSocket on /ticker, how many requests (or handshakes), how many header bytes, how many
 * updates arrived, how many answers were empty, and how late each update was.
 *
 * Header bytes: HTTP counts the request head and the response head of every exchange; a
 * WebSocket counts its opening handshake (GET and 101, once per connection, §1.3/§4) and then
 * only each frame's header (2 bytes for a small unmasked server frame, +4 for a client's mask
 * key, §5.2). Neither counts TCP/IP headers (the loopback has none to count).
 *
 * An update counts once (by its `seq`; per connection for a WebSocket) and, over HTTP, only if
 * it happened since the exchange before it was sent (for a client's first request, within one
 * feed interval): the first answer's backlog of older updates only tells the client where the
 * feed is. Its delay is the moment its answer arrived minus the moment it happened (`t`): the
 * host's clock and the page's, the same machine in both modes here.
 */
import { FEED_INTERVAL_MS } from '../services/feed.ts';
import { utf8ByteLength } from '../ui/lib/engine.ts';
import { apiEvents, framesOf, pathOf, withoutTap } from './kit.ts';
import type { HttpRecord, Trace, TraceConnection } from './types.ts';

export interface FeedStats {
  /** HTTP requests, or WebSocket connections (each one handshake). */
  requests: number;
  /** Request and response heads (HTTP); handshakes and frame headers (WebSocket). */
  headerBytes: number;
  /** Fresh updates received (each `seq` once). */
  updates: number;
  /** Answers that carried no fresh update (HTTP only; a WebSocket sends only news). */
  empty: number;
  /** Mean delay per fresh update (ms), when there was one. */
  delayMs?: number;
  /** headerBytes / updates, when there was an update. */
  bytesPerUpdate?: number;
}

export interface SocketStats extends FeedStats {
  /** The opening handshakes' bytes (GET + 101), all connections. */
  handshakeBytes: number;
  /** Frame headers' bytes, both directions. */
  frameHeaderBytes: number;
}

interface Stamp {
  seq: number;
  t: number;
}

/** The updates in a feed answer or a ticker message (`{seq, t}` of each quote), [] when it is not one. */
export function stampsOf(text: string): Stamp[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const isStamp = (q: unknown): q is Stamp =>
    typeof q === 'object' &&
    q !== null &&
    Number.isFinite((q as Stamp).seq) &&
    Number.isFinite((q as Stamp).t);
  if (isStamp(value)) return [{ seq: value.seq, t: value.t }];
  const updates = (value as { updates?: unknown } | null)?.updates;
  return Array.isArray(updates) ? updates.filter(isStamp).map((q) => ({ seq: q.seq, t: q.t })) : [];
}

function summarize(base: Omit<FeedStats, 'delayMs' | 'bytesPerUpdate'>, delays: number[]): FeedStats {
  const out: FeedStats = { ...base };
  if (delays.length > 0) out.delayMs = Math.round(delays.reduce((a, b) => a + b, 0) / delays.length);
  if (base.updates > 0) out.bytesPerUpdate = Math.round(base.headerBytes / base.updates);
  return out;
}

/** Polling or long polling: the exchanges of one client with one feed path, in order. */
export function pollStats(records: readonly HttpRecord[], interval = FEED_INTERVAL_MS): FeedStats {
  const seen = new Set<number>();
  const delays: number[] = [];
  let headerBytes = 0;
  let empty = 0;
  let latest = 0;
  records.forEach((r, i) => {
    headerBytes += r.requestHeadBytes + r.responseHeadBytes;
    // A client that starts over asks for less than it already had (since=0): its first answer's
    // backlog is old news, as a first request's is.
    const restart = i === 0 || sinceOf(r.url) < latest;
    const since = restart ? r.sent - interval : (records[i - 1]?.sent ?? r.sent);
    const stamps = stampsOf(r.body);
    const fresh = stamps.filter((q) => !seen.has(q.seq) && q.t >= since);
    for (const q of stamps) {
      seen.add(q.seq);
      latest = Math.max(latest, q.seq);
    }
    if (fresh.length === 0) empty++;
    for (const q of fresh) delays.push(Math.max(0, r.received - q.t));
  });
  return summarize({ requests: records.length, headerBytes, updates: delays.length, empty }, delays);
}

/** The `since` a feed request asked for (0 when none or not a number). */
export function sinceOf(url: string): number {
  const n = Number(/[?&]since=(\d+)/.exec(url)?.[1] ?? 0);
  return Number.isSafeInteger(n) ? n : 0;
}

/** A feed answer's `seq` (the latest update's number then), undefined when it is not one. */
export function seqOf(body: string): number | undefined {
  try {
    const seq = (JSON.parse(body) as { seq?: unknown } | null)?.seq;
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
  } catch {
    return undefined;
  }
}

/** The handshake's bytes as they crossed the wire (server mode's tap token in the URL left out). */
function handshakeBytes(conn: TraceConnection): number {
  let bytes = 0;
  for (const e of conn.events) {
    if (e.kind !== 'handshake') continue;
    const end = e.text.indexOf('\r\n');
    const text =
      e.from === 'client' && end > 0 ? withoutTap(e.text.slice(0, end)) + e.text.slice(end) : e.text;
    bytes += utf8ByteLength(text);
  }
  return bytes;
}

/** A WebSocket feed: every connection given (a client that reconnects pays each handshake again). */
export function socketStats(conns: readonly TraceConnection[]): SocketStats {
  const delays: number[] = [];
  let handshake = 0;
  let frames = 0;
  for (const conn of conns) {
    handshake += handshakeBytes(conn);
    for (const f of framesOf(conn)) frames += f.headerLength;
    // /ticker numbers its quotes per connection.
    const seen = new Set<number>();
    for (const m of apiEvents(conn, 'message')) {
      if (typeof m.data !== 'string') continue;
      for (const q of stampsOf(m.data)) {
        if (seen.has(q.seq)) continue;
        seen.add(q.seq);
        delays.push(Math.max(0, m.t - q.t));
      }
    }
  }
  const base = summarize(
    { requests: conns.length, headerBytes: handshake + frames, updates: delays.length, empty: 0 },
    delays,
  );
  return { ...base, handshakeBytes: handshake, frameHeaderBytes: frames };
}

/** The trace's HTTP exchanges with a path ('/poll'), whatever the host, oldest first. */
export function httpTo(trace: Trace, path: string): HttpRecord[] {
  return (trace.http ?? []).filter((r) => pathOf(r.url) === path);
}
