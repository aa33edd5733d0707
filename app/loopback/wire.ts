/**
 * The wire-event stream of one loopback connection, as `socket[WIRE]`.
 *
 * The events are the ones the Node server's byte tap yields for a native socket (the server's
 * side of the connection, app/services/session.ts): the handshake request and response as
 * text, every frame in each direction as the exact bytes that crossed the virtual wire (client
 * frames masked), the server connection's state changes, protocol errors, the close it saw
 * and the end of the (virtual) TCP connection. So the UI and the lessons' checks read the same
 * stream whichever transport carried the socket.
 */
import type { WireEvent } from '../protocol/types.ts';

export type { WireEvent };

/** `Symbol.for`, so every copy of this module (an iframe, a second bundle) agrees on it. */
export const WIRE: unique symbol = Symbol.for('wsp.wire') as never;

export interface WireSource {
  /** Calls `fn` with every event so far (in order), then with each new one. Returns unsubscribe. */
  subscribe(fn: (e: WireEvent) => void): () => void;
}

/** Keeps at most this many events per connection; older ones are dropped (and counted). */
export const WIRE_LOG_LIMIT = 20_000;

export class WireLog implements WireSource {
  readonly #events: WireEvent[] = [];
  readonly #subscribers = new Set<(e: WireEvent) => void>();
  readonly #limit: number;
  #dropped = 0;

  constructor(limit = WIRE_LOG_LIMIT) {
    this.#limit = limit;
  }

  /** Events kept so far (a copy). */
  get events(): readonly WireEvent[] {
    return [...this.#events];
  }

  /** Events dropped from the front because the log was full. */
  get dropped(): number {
    return this.#dropped;
  }

  push(event: WireEvent): void {
    this.#events.push(event);
    if (this.#events.length > this.#limit) {
      this.#events.shift();
      this.#dropped++;
    }
    for (const fn of [...this.#subscribers]) {
      try {
        fn(event);
      } catch (error) {
        // A broken subscriber never disturbs the connection or the other subscribers.
        reportLater(error);
      }
    }
  }

  subscribe(fn: (e: WireEvent) => void): () => void {
    for (const e of [...this.#events]) {
      try {
        fn(e);
      } catch (error) {
        reportLater(error);
      }
    }
    this.#subscribers.add(fn);
    return () => void this.#subscribers.delete(fn);
  }
}

/** Reports a subscriber's error (window.onerror sees it) without unwinding the connection. */
function reportLater(error: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === 'function') g.reportError(error);
  else console.error(error);
}
