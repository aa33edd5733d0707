/**
 * The reconnect attempts of a trace: when the learner's code made each socket (the page's
 * `create` event) and when the page saw it close (its `close` event). The wait before an attempt
 * is the time from the close before it to the next `new WebSocket`: what the backoff chose.
 *
 * Why the page's events and not the handshake times on the wire: in server mode Chromium itself
 * may hold a new connection back before its GET leaves (one CONNECTING socket per host, RFC 6455
 * §4.1, and its own throttle after many connections: seconds, in e2e), and the tap of a
 * connection that lived 300 ms can come too late to be kept. The page's events are there for
 * every attempt, in both modes, on one clock. The wire still gives each attempt's GET and end
 * when the page's events are missing (a hand-built trace, an older recording).
 */
import { closeOf, type Trace, type TraceConnection } from '../../app/lessons/kit.ts';

/** Opens, then drops the connection without a Close frame (1006). */
export const FLAKY = '/close?drop=1&delay=300';
/** Opens, then closes it cleanly with 1000. */
export const CLEAN = '/close?code=1000&reason=done&delay=300';

export interface Attempt {
  conn: TraceConnection;
  /** When the code made the socket (its `create` event; else its GET on the wire). */
  start: number;
  /** When the page saw it close (its `close` event; else the end on the wire; undefined: open). */
  end?: number;
}

/** The connection's URL matches `endpoint` (path and query, whatever the host and base). */
export function isTo(conn: TraceConnection, endpoint: string): boolean {
  try {
    const u = new URL(conn.url);
    const want = new URL(endpoint, 'ws://x');
    if (!u.pathname.endsWith(want.pathname)) return false;
    for (const [k, v] of want.searchParams) if (u.searchParams.get(k) !== v) return false;
    return true;
  } catch {
    return false;
  }
}

/** When the connection ended: the page's close event, else its first close or EOF on the wire. */
export function endOf(conn: TraceConnection): number | undefined {
  const wire = conn.events.find((e) => e.kind === 'close' || e.kind === 'eof');
  return closeOf(conn)?.t ?? wire?.t;
}

/** When the connection was made: the page's create event, else its GET on the wire. */
function startOf(conn: TraceConnection): number | undefined {
  const create = conn.events.find((e) => e.kind === 'api' && e.type === 'create');
  const get = conn.events.find((e) => e.kind === 'handshake' && e.from === 'client');
  return create?.t ?? get?.t;
}

/** The learner's code's connections to `endpoint`, in the order they were made. */
export function attemptsTo(trace: Trace, endpoint: string): Attempt[] {
  const out: Attempt[] = [];
  for (const conn of trace.connections) {
    if (conn.origin !== 'code' || !isTo(conn, endpoint)) continue;
    const start = startOf(conn);
    if (start === undefined) continue;
    const end = endOf(conn);
    out.push({ conn, start, ...(end !== undefined ? { end } : {}) });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The waits between attempts: from the close of each connection to the next one's making (ms). */
export function waitsOf(attempts: Attempt[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < attempts.length; i++) {
    const before = attempts[i - 1]!;
    out.push(Math.max(0, attempts[i]!.start - (before.end ?? before.start)));
  }
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Do the waits grow? The mean of the last two is at least twice the mean of the first two. */
export function grows(waits: number[]): boolean {
  if (waits.length < 4) return false;
  return mean(waits.slice(-2)) >= 2 * mean(waits.slice(0, 2));
}

/**
 * Is there jitter? A schedule without it is a formula: each wait is r times the one before
 * (r fixed: 2 for doubling; taken as the median of the growing steps) or, once capped, the same
 * again. The waits are jittered when they do not fit it: more than one step off by over 2% plus
 * 10 ms of timer slack on each wait (the one step allowed is where the cap cuts in). A schedule
 * with half of each wait random fails this in under 1% of runs of 6 waits, and about 1 in 10,000
 * of 8 waits; checks.test.ts measures both ways.
 */
export function jittered(waits: number[]): boolean {
  if (waits.length < 3) return false;
  const ratios = waits.slice(1).map((w, i) => (waits[i]! > 0 ? w / waits[i]! : 1));
  const growing = ratios.filter((x) => x > 1.1).sort((a, b) => a - b);
  const r = growing.length > 0 ? growing[Math.floor(growing.length / 2)]! : 1;
  let misfits = 0;
  for (let i = 1; i < waits.length; i++) {
    const prev = waits[i - 1]!;
    const w = waits[i]!;
    const fits = [r, 1].some((c) => Math.abs(w - c * prev) <= 0.02 * w + 10 * (1 + c));
    if (!fits) misfits++;
  }
  return misfits > 1;
}

/** '240, 510, 980 ms' */
export function listMs(waits: number[]): string {
  return `${waits.map((w) => Math.round(w)).join(', ')} ms`;
}
