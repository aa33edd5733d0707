/**
 * How much one run may ask of the page per second. A forged or runaway stream of messages
 * must not freeze the page (issue 17: 3,000 forged socket creations froze it for 67 s), so
 * each kind of creation has a budget per one-second window, generous for honest code (the
 * worker's console already batches a flood into at most ~34,000 lines/s) and far below what
 * hurts the page. Over a budget the run is stopped, with the reason.
 */
import type { WorkerMessage } from './protocol.ts';

export interface PortLimits {
  /** Sockets (browser API and ws clients) created per second. */
  socketsPerSecond: number;
  /** Console entries per second. */
  consolePerSecond: number;
  /** Servers started per second. */
  serversPerSecond: number;
  /** Messages of any kind per second. */
  messagesPerSecond: number;
}

export const DEFAULT_PORT_LIMITS: PortLimits = {
  socketsPerSecond: 500,
  consolePerSecond: 100_000,
  serversPerSecond: 100,
  messagesPerSecond: 200_000,
};

export type Admission = { ok: true } | { ok: false; reason: string };

const OK: Admission = { ok: true };

export class PortGuard {
  readonly #limits: PortLimits;
  readonly #now: () => number;
  #windowStart = -Infinity;
  #messages = 0;
  #sockets = 0;
  #console = 0;
  #servers = 0;

  constructor(now: () => number, limits: Partial<PortLimits> = {}) {
    this.#now = now;
    this.#limits = { ...DEFAULT_PORT_LIMITS, ...limits };
  }

  /** Counts `m` against this second's budgets. */
  admit(m: WorkerMessage): Admission {
    const t = this.#now();
    if (t - this.#windowStart >= 1000) {
      this.#windowStart = t;
      this.#messages = this.#sockets = this.#console = this.#servers = 0;
    }
    const l = this.#limits;
    if (++this.#messages > l.messagesPerSecond)
      return {
        ok: false,
        reason: `your code sent the page more than ${l.messagesPerSecond} messages in 1 s`,
      };
    switch (m.kind) {
      case 'sock:create':
        if (++this.#sockets > l.socketsPerSecond)
          return { ok: false, reason: `your code opened more than ${l.socketsPerSecond} sockets in 1 s` };
        return OK;
      case 'console':
        // Lines the worker dropped cost the page nothing: only those it must show count.
        this.#console += m.entries.length;
        if (this.#console > l.consolePerSecond)
          return {
            ok: false,
            reason: `your code printed more than ${l.consolePerSecond} console lines in 1 s`,
          };
        return OK;
      case 'srv:listen':
        if (++this.#servers > l.serversPerSecond)
          return { ok: false, reason: `your code started more than ${l.serversPerSecond} servers in 1 s` };
        return OK;
      default:
        return OK;
    }
  }
}
