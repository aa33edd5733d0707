/**
 * The reconnect attempts of a trace, read from the wire: each connection's opening GET (its
 * handshake time) and the moment it ended (the server's close or EOF on the wire; the page's
 * close event when the wire has none). The wait before an attempt is the time from the end of
 * the connection before it to its GET: what the learner's backoff chose, plus a few ms of work.
 */
import { closeOf, type Trace, type TraceConnection } from '../../app/lessons/kit.ts';

/** Opens, then drops the connection without a Close frame (1006). */
export const FLAKY = '/close?drop=1&delay=300';
/** Opens, then closes it cleanly with 1000. */
export const CLEAN = '/close?code=1000&reason=done&delay=300';

export interface Attempt {
  conn: TraceConnection;
  /** When the client's GET crossed the wire. */
  start: number;
  /** When the connection ended (undefined: still open). */
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

/** When the connection ended: its first close or EOF on the wire, else the page's close event. */
export function endOf(conn: TraceConnection): number | undefined {
  const wire = conn.events.find((e) => e.kind === 'close' || e.kind === 'eof');
  return wire?.t ?? closeOf(conn)?.t;
}

/** The learner's code's connections to `endpoint` that reached the wire, in GET order. */
export function attemptsTo(trace: Trace, endpoint: string): Attempt[] {
  const out: Attempt[] = [];
  for (const conn of trace.connections) {
    if (conn.origin !== 'code' || !isTo(conn, endpoint)) continue;
    const get = conn.events.find((e) => e.kind === 'handshake' && e.from === 'client');
    if (!get) continue;
    const end = endOf(conn);
    out.push({ conn, start: get.t, ...(end !== undefined ? { end } : {}) });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The waits between attempts: from the end of each connection to the next GET (ms). */
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
