/**
 * The byte tap's client side. The Node server mirrors the exact bytes of every connection
 * opened with `?tap=T` to the subscribers of `/__tap?token=T` as JSON WireEvents (one per text
 * message; format in app/server/README.md). The page picks a fresh random token per connection,
 * subscribes, then opens its socket with the token in the query; the server keeps a short
 * backlog, so nothing is lost if the socket's handshake beats the tap's.
 */
import type { WireEvent } from '../lib/engine.ts';
import type { WireStream } from './transport.ts';
import { FormatError, readTapMessage } from '../../services/wire-json.ts';

export const TAP_PATH = '__tap';

/** 24 URL-safe random characters (the server accepts 16-128 of A-Z a-z 0-9 _ -). */
export function tapToken(
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return Array.from(random(24), (b) => alphabet[b & 63]).join('');
}

/** Adds `tap=T` to a URL's query, keeping everything else. */
export function withTap(url: string, token: string): string {
  const u = new URL(url);
  u.searchParams.set('tap', token);
  return u.toString();
}

/** Removes `tap=...` (what the learner typed is what we show). */
/**
 * A request target ('/echo?tap=T') as the learner reads it: without the tap token the
 * playground added (shown on request), and the token apart. Display only: the wire keeps it.
 */
export function splitTap(target: string): { shown: string; token: string | undefined } {
  const m = /([?&])tap=([^&#\s]*)(&?)/.exec(target);
  if (!m) return { shown: target, token: undefined };
  const [whole, lead, token, trail] = m;
  const keep = lead === '?' ? (trail ? '?' : '') : trail ? '&' : '';
  const shown = target.slice(0, m.index) + keep + target.slice(m.index + whole!.length);
  return { shown, token: token! };
}

export function withoutTap(url: string): string {
  try {
    const u = new URL(url);
    if (!u.searchParams.has('tap')) return url;
    u.searchParams.delete('tap');
    return u.toString();
  } catch {
    return url;
  }
}

type SocketFactory = (url: string) => WebSocket;

/**
 * One tap subscription: a WireStream that buffers every event (late subscribers get a replay)
 * and reports malformed messages instead of throwing.
 */
export class TapClient implements WireStream {
  readonly #events: WireEvent[] = [];
  readonly #listeners = new Set<(e: WireEvent) => void>();
  readonly #socket: WebSocket;
  /** Problems with the tap itself (not the learner's connection), for a note in the UI. */
  problems: string[] = [];
  onproblem: ((message: string) => void) | undefined;

  constructor(tapUrl: string, factory: SocketFactory = (u) => new WebSocket(u)) {
    this.#socket = factory(tapUrl);
    this.#socket.addEventListener('message', (m: MessageEvent) => {
      if (typeof m.data !== 'string')
        return this.#problem('the tap sent a binary message; expected JSON text');
      this.receive(m.data);
    });
    this.#socket.addEventListener('error', () =>
      this.#problem('the byte tap could not connect: frames will not be shown'),
    );
  }

  /** Feeds one tap message (exposed for tests). */
  receive(text: string): void {
    let event: WireEvent;
    try {
      event = readTapMessage(text).event;
    } catch (error) {
      return this.#problem(error instanceof FormatError ? error.message : String(error));
    }
    this.#events.push(event);
    for (const fn of this.#listeners) fn(event);
  }

  subscribe(fn: (e: WireEvent) => void): () => void {
    for (const e of this.#events) fn(e);
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  close(): void {
    this.#listeners.clear();
    if (this.#socket.readyState <= 1) this.#socket.close(1000);
  }

  #problem(message: string): void {
    this.problems.push(message);
    this.onproblem?.(message);
  }
}
