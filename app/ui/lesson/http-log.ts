/**
 * The lab's plain HTTP exchanges (the polling lesson's /poll and /long-poll), for the trace: its
 * widget's requests and its walkthroughs' `lab.fetch`, each kept as an `HttpRecord` when its
 * answer has arrived (an aborted request has none and is not kept). The transport decides how a
 * request is made: server mode, the page's real fetch to our server; loopback, the in-page
 * network. The code that makes requests loads with the first one (it is not part of the first page).
 */
import type { HttpRecord } from '../../lessons/types.ts';
import type { Transport } from '../transport/transport.ts';

/** Exchanges kept at most (a long session's oldest go first). */
export const HTTP_LOG_LIMIT = 2_000;

export class HttpLog {
  #records: HttpRecord[] = [];
  readonly #listeners = new Set<(record: HttpRecord) => void>();

  /** GETs a bundled path on `transport`'s host and keeps the exchange. Rejects as fetch does. */
  async get(transport: Transport, path: string, signal?: AbortSignal): Promise<HttpRecord> {
    const { requestOn } = await import('./http-request.ts');
    const record = await requestOn(transport, path, signal);
    this.add(record);
    return record;
  }

  add(record: HttpRecord): void {
    this.#records = [...this.#records.slice(-(HTTP_LOG_LIMIT - 1)), record];
    for (const fn of this.#listeners) fn(record);
  }

  /** Exchanges sent at or after `since` (the lesson's start), oldest first. */
  since(since: number): HttpRecord[] {
    return this.#records.filter((r) => r.sent >= since);
  }

  /** Calls `fn` with each new exchange; returns unsubscribe. */
  subscribe(fn: (record: HttpRecord) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}
