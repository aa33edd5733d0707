/**
 * Reading at a set pace: the `?read=` option of /echo (a server that reads slowly, so the
 * client's send buffer fills: the backpressure lesson) and the pacing both hosts apply.
 */

/** The slowest and fastest pace accepted, in bytes per second. */
export const MIN_READ_RATE = 1024;
export const MAX_READ_RATE = 64 * 1024 * 1024;

/** `?read=65536` -> 65536 bytes/s, clamped; absent, empty or not a positive number: no limit. */
export function parseReadRate(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return Math.min(MAX_READ_RATE, Math.max(MIN_READ_RATE, Math.round(n)));
}

/**
 * Paces reads at `rate` bytes per second on average: after each chunk read, `took(n)` says how
 * many ms to stop reading. Bytes read after a pause are not counted twice; a quiet spell earns
 * no credit (the pace never bursts above the rate after an idle moment).
 */
export class ReadPace {
  readonly rate: number;
  readonly #now: () => number;
  /** When the bytes read so far have been "paid for" at the rate. */
  #paidUntil = -Infinity;

  constructor(rate: number, now: () => number) {
    this.rate = rate;
    this.#now = now;
  }

  /** `n` bytes were just read: how long to wait (ms) before reading more. */
  took(n: number): number {
    const t = this.#now();
    this.#paidUntil = Math.max(this.#paidUntil, t) + (n / this.rate) * 1000;
    return Math.max(0, this.#paidUntil - t);
  }
}
