/**
 * The byte tap: a page subscribes at `/__tap?token=T` (a WebSocket) and receives, as JSON
 * text messages, the wire events of every playground connection opened with `?tap=T`.
 * Format: app/server/README.md and app/services/wire-json.ts.
 *
 * Tokens are chosen by the page (random, unguessable); a subscriber only ever sees the
 * connections carrying its own token. Events for a token nobody subscribes to yet are kept
 * briefly (bounded), so a page that opens its socket before the tap's handshake finishes
 * still sees the handshake.
 */
import type { WireEvent } from '../protocol/types.ts';
import type { Service, ServiceSocket } from '../services/service.ts';
import { encodeTapMessage } from '../services/wire-json.ts';

/** 16 to 128 URL-safe characters: enough to be unguessable, short enough to log. */
export const TAP_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export const BACKLOG_EVENTS = 512;
export const BACKLOG_BYTES = 1024 * 1024;
export const BACKLOG_TOKENS = 64;
export const BACKLOG_MS = 10_000;

interface Backlog {
  messages: string[];
  bytes: number;
  since: number;
}

const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export class TapHub {
  readonly #subscribers = new Map<string, Set<ServiceSocket>>();
  readonly #backlog = new Map<string, Backlog>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  static isToken(token: string | null): token is string {
    return token !== null && TAP_TOKEN.test(token);
  }

  /** How many subscribers are connected (all tokens). */
  get subscribers(): number {
    let n = 0;
    for (const set of this.#subscribers.values()) n += set.size;
    return n;
  }

  /** The sink for one tapped connection: every event goes to the token's subscribers. */
  sink(token: string, conn: string): (event: WireEvent) => void {
    return (event) => this.publish(token, encodeTapMessage(conn, event, base64));
  }

  publish(token: string, message: string): void {
    const subs = this.#subscribers.get(token);
    if (subs && subs.size > 0) {
      for (const s of subs) s.sendText(message);
      return;
    }
    this.#keep(token, message);
  }

  /** The service behind the tap path (the tap connection itself is never tapped). */
  service(path: string): Service {
    return {
      path,
      description: 'byte tap: wire events of the connections opened with ?tap=<token>',
      open: (socket) => {
        const token = socket.query.get('token');
        if (!TapHub.isToken(token)) {
          socket.close(1008, 'tap token: 16-128 characters of A-Z a-z 0-9 _ -');
          return;
        }
        let set = this.#subscribers.get(token);
        if (!set) this.#subscribers.set(token, (set = new Set()));
        set.add(socket);
        const kept = this.#backlog.get(token);
        this.#backlog.delete(token);
        if (kept && this.#now() - kept.since <= BACKLOG_MS) for (const m of kept.messages) socket.sendText(m);
        socket.on('close', () => {
          const current = this.#subscribers.get(token);
          current?.delete(socket);
          if (current?.size === 0) this.#subscribers.delete(token);
        });
      },
    };
  }

  #keep(token: string, message: string): void {
    const now = this.#now();
    for (const [t, b] of this.#backlog) if (now - b.since > BACKLOG_MS) this.#backlog.delete(t);
    let b = this.#backlog.get(token);
    if (!b) {
      if (this.#backlog.size >= BACKLOG_TOKENS) {
        const oldest = this.#backlog.keys().next().value;
        if (oldest !== undefined) this.#backlog.delete(oldest);
      }
      b = { messages: [], bytes: 0, since: now };
      this.#backlog.set(token, b);
    }
    if (b.messages.length >= BACKLOG_EVENTS || b.bytes + message.length > BACKLOG_BYTES) return;
    b.messages.push(message);
    b.bytes += message.length;
  }
}
