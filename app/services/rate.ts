/**
 * A token bucket: `perSecond` messages a second on average, bursts up to `perSecond`.
 * Used by Session for the opt-in message rate limit (`?rate=10`, or a host option).
 */
export class RateLimiter {
  readonly perSecond: number;
  #tokens: number;
  #last: number;
  readonly #now: () => number;

  constructor(perSecond: number, now: () => number) {
    this.perSecond = perSecond;
    this.#tokens = perSecond;
    this.#now = now;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty (the message is over the rate). */
  take(): boolean {
    const t = this.#now();
    this.#tokens = Math.min(this.perSecond, this.#tokens + ((t - this.#last) / 1000) * this.perSecond);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Largest rate a query may ask for (messages per second). */
export const MAX_QUERY_RATE = 100_000;

/**
 * The limit in force: the strictest of the host option, the service's own and the query's
 * `rate` (a query may tighten the limit, never lift it). `undefined`: no limit.
 */
export function effectiveRate(
  hostRate: number | undefined,
  serviceRate: number | undefined,
  queryRate: string | null,
): number | undefined {
  const candidates: number[] = [];
  if (hostRate !== undefined && hostRate > 0) candidates.push(hostRate);
  if (serviceRate !== undefined && serviceRate > 0) candidates.push(serviceRate);
  if (queryRate !== null && queryRate !== '') {
    const q = Number(queryRate);
    if (Number.isFinite(q) && q > 0) candidates.push(Math.min(q, MAX_QUERY_RATE));
  }
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}
