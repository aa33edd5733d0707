/**
 * The watchdog: the worker posts a beat every `beatMs`; if none has come for `timeoutMs` while
 * the page was watching, the code is stuck (a `while (true) {}`, a huge synchronous loop) and
 * the sandbox is torn down. Pure logic over an injected clock; the host calls `check()`.
 *
 * Time the page spent hidden does not count: a background tab's timers are throttled, and its
 * verdict would be unfair. `resume()` restarts the count when the page is shown again.
 */
export interface WatchdogOptions {
  timeoutMs: number;
  /** Longer grace for the worker's start (creating it, evaluating the runtime). */
  startupMs: number;
  now: () => number;
}

export type WatchdogVerdict = { ok: true } | { ok: false; silentMs: number; starting: boolean };

export class Watchdog {
  readonly #o: WatchdogOptions;
  #last: number;
  #started = false;

  constructor(options: WatchdogOptions) {
    this.#o = options;
    this.#last = options.now();
  }

  /** The worker is up (its first message). */
  started(): void {
    this.#started = true;
    this.#last = this.#o.now();
  }

  beat(): void {
    this.#started = true;
    this.#last = this.#o.now();
  }

  /** The page was hidden and is visible again: silence while hidden is forgiven. */
  resume(): void {
    this.#last = this.#o.now();
  }

  check(): WatchdogVerdict {
    const silentMs = this.#o.now() - this.#last;
    const limit = this.#started ? this.#o.timeoutMs : this.#o.startupMs;
    return silentMs > limit ? { ok: false, silentMs, starting: !this.#started } : { ok: true };
  }
}
