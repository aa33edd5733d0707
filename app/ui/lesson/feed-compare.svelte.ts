/**
 * The polling lesson's widget, as state: three clients of the same feed run side by side and are
 * measured as they run (RFC 6455 §1.1: what a WebSocket replaces).
 *
 * - polling: `GET /poll?since=N` every `every` ms (start to start), whatever the answer;
 * - long polling: `GET /long-poll?since=N`, asked again as soon as each answer arrives (the
 *   server holds a request until there is news);
 * - WebSocket: one connection to /ticker, opened in the lab (so its frames are in the inspector
 *   and the trace), which pushes each update as a small text frame.
 *
 * Every HTTP exchange goes through the player's HTTP log (it joins the trace); the numbers are
 * feed-stats.ts's, the same ones the lesson's checks compute. Each column counts its own run:
 * Start begins a new run from zero.
 */
import { pollStats, seqOf, socketStats, stampsOf, type FeedStats } from '../../lessons/feed-stats.ts';
import type { FeedClient, HttpRecord } from '../../lessons/types.ts';
import type { LabConnection } from '../connection/lab-connection.svelte.ts';

/** What the widget needs of the player. */
export interface FeedHost {
  fetchHttp(path: string, signal?: AbortSignal): Promise<HttpRecord>;
  openSocket(path: string): LabConnection | undefined;
}

/** How often the numbers on screen are refreshed while something runs (ms). */
export const REFRESH_MS = 250;

export class FeedColumn {
  readonly kind: FeedClient;
  running = $state(false);
  /** Why the run stopped by itself, if it did. */
  error = $state('');
  /** The latest update: 'WSKT 101.37'. */
  latest = $state('');
  records = $state.raw<readonly HttpRecord[]>([]);
  session = $state.raw<LabConnection | undefined>(undefined);
  #tick = $state(0);
  #abort: AbortController | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(kind: FeedClient) {
    this.kind = kind;
  }

  get stats(): FeedStats {
    void this.#tick;
    if (this.kind !== 'websocket') return pollStats(this.records);
    const s = this.session;
    if (!s) return { requests: 0, headerBytes: 0, updates: 0, empty: 0 };
    return socketStats([{ id: 'c1', url: s.url, protocols: [], origin: 'lab', events: s.log.events }]);
  }

  start(host: FeedHost, every: number): void {
    if (this.running) return;
    this.stop();
    this.error = '';
    this.latest = '';
    this.records = [];
    this.session = undefined;
    this.running = true;
    this.#timer = setInterval(() => this.#refresh(), REFRESH_MS);
    if (this.kind === 'websocket') return this.#socket(host);
    const abort = (this.#abort = new AbortController());
    void this.#poll(host, every, abort.signal);
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    const ws = this.session?.socket;
    if (ws && ws.readyState < 2) ws.close(1000, 'stopped');
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.running = false;
    this.#tick++;
  }

  #refresh(): void {
    // The session applies its queued events on the next frame; now, so the counts are current.
    this.session?.flush();
    this.#tick++;
    const ws = this.session?.socket;
    if (this.kind === 'websocket' && this.session && (!ws || ws.readyState === 3)) {
      if (this.running && !this.error) this.error = 'the connection closed';
      this.stop();
    }
    if (this.kind === 'websocket' && this.session) {
      const last = this.session.log.events.findLast((e) => e.kind === 'api' && e.type === 'message');
      if (last?.kind === 'api' && last.type === 'message' && typeof last.data === 'string')
        this.latest = quoteLine(last.data);
    }
  }

  #socket(host: FeedHost): void {
    // deflate=0: the lesson counts frame headers and reads each update's text, as sent.
    const session = host.openSocket('/ticker?deflate=0');
    if (!session) {
      this.error = 'the lab is not ready yet: try again in a moment';
      this.stop();
      return;
    }
    this.session = session;
  }

  async #poll(host: FeedHost, every: number, signal: AbortSignal): Promise<void> {
    const path = this.kind === 'poll' ? '/poll' : '/long-poll';
    let since = 0;
    while (!signal.aborted) {
      const began = Date.now();
      try {
        const record = await host.fetchHttp(`${path}?since=${since}`, signal);
        this.records = [...this.records, record];
        since = seqOf(record.body) ?? since;
        const body = record.body;
        if (stampsOf(body).length > 0) this.latest = quoteLine(body);
      } catch (error) {
        if (signal.aborted) return;
        this.error = `the request failed: ${error instanceof Error ? error.message : String(error)}`;
        this.stop();
        return;
      }
      // Polling asks on a fixed beat; long polling asks again at once (the server waits for news).
      if (this.kind === 'poll') await pause(every - (Date.now() - began), signal);
    }
  }
}

export class FeedCompare {
  readonly columns: Record<FeedClient, FeedColumn> = {
    poll: new FeedColumn('poll'),
    'long-poll': new FeedColumn('long-poll'),
    websocket: new FeedColumn('websocket'),
  };

  #shown = 0;

  stopAll(): void {
    for (const c of Object.values(this.columns)) c.stop();
  }

  /** A widget on screen; its return, when it leaves. Once none is left (the learner left the
   *  lesson's polling steps), every run stops: nothing polls unseen. */
  shown(): () => void {
    this.#shown++;
    return () => {
      this.#shown--;
      // The next step's widget mounts right after this one unmounts: give it the chance.
      setTimeout(() => {
        if (this.#shown === 0) this.stopAll();
      }, 0);
    };
  }
}

/** 'WSKT 101.37' from a quote, or from the last update of a feed body. */
function quoteLine(text: string): string {
  try {
    const v = JSON.parse(text) as { symbol?: unknown; price?: unknown; updates?: unknown[] };
    const q = (Array.isArray(v.updates) ? v.updates.at(-1) : v) as { symbol?: unknown; price?: unknown };
    return typeof q.symbol === 'string' && typeof q.price === 'number'
      ? `${q.symbol} ${q.price.toFixed(2)}`
      : '';
  } catch {
    return '';
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** One FeedCompare per player: the widget keeps running (and counting) from one step to the next. */
const shared = new WeakMap<object, FeedCompare>();
export function feedCompareFor(owner: object): FeedCompare {
  let c = shared.get(owner);
  if (!c) shared.set(owner, (c = new FeedCompare()));
  return c;
}
