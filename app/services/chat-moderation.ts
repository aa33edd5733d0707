/**
 * The classroom's /chat policy (chat.ts `ChatPolicy`): what keeps one laptop from stalling or
 * disconnecting the others, and the instructor's moderation.
 *
 * - rate and size: per connection, enforced by the host before a message reaches the room
 *   (Service.rate: close 1008; Service.maxMessageSize: close 1009, checked on the frame header
 *   so nothing is buffered first). A close, not drop-and-warn: a client over 20 messages a
 *   second is a script, not a person typing, and every message it sends costs one write per
 *   member; dropping would still read and parse all of it, while a close stops it at once and
 *   tells it why (7.4.1).
 * - each member's send queue is bounded (`queueBytes`): a broadcast to a member with more than
 *   that unwritten is skipped for that member, and the member gets one `{"type":"skipped"}`
 *   notice before the next message it does receive. Someone else's flood therefore never grows
 *   a slow reader's queue to the host's slow-reader close (8 MiB, session.ts): it loses
 *   messages, and is told so, but stays connected.
 * - mute (per student, i.e. per IP address: all of that laptop's /chat sockets) and slow mode
 *   (one message per N seconds per connection): the message is dropped and its sender gets a
 *   `{"type":"moderation"}` notice saying why.
 */
import type { ChatPolicy } from './chat.ts';
import type { MessageData, ServiceSocket } from './service.ts';

export interface ChatLimits {
  /** Messages per second per connection (burst as large); over it: close 1008. */
  rate: number;
  /** Largest message in bytes; over it: close 1009. */
  maxMessageSize: number;
  /** Unwritten bytes per member beyond which broadcasts to it are skipped. */
  queueBytes: number;
}

/** Defaults for a class of about 100 laptops on one Wi-Fi (the bench: `npm run bench -- classroom`). */
export const CLASSROOM_CHAT_LIMITS: ChatLimits = {
  rate: 20,
  maxMessageSize: 16 * 1024,
  queueBytes: 256 * 1024,
};

/** One line of the room, as the dashboard shows it. */
export interface ChatLine {
  t: number;
  /** The student's key (IP address). */
  from: string;
  /** The message, cut to 200 characters; binary as "(binary, N bytes)". */
  text: string;
}

export const CHAT_LOG_LINES = 50;

/** The student a socket belongs to: its IP address (`remote` is 'address:port'). */
export function studentKey(socket: Pick<ServiceSocket, 'remote'>): string {
  const at = socket.remote.lastIndexOf(':');
  return at > 0 ? socket.remote.slice(0, at) : socket.remote;
}

export class ChatModeration implements ChatPolicy {
  readonly limits: ChatLimits;
  /** Students (keys) whose messages are dropped. */
  readonly muted = new Set<string>();
  /** Slow mode: least seconds between two messages of one connection; 0: off. */
  slowSeconds = 0;
  /** Broadcasts held back from members with a full queue, since the start. */
  skippedTotal = 0;
  /** Messages dropped by mute or slow mode, since the start. */
  droppedTotal = 0;
  readonly #now: () => number;
  readonly #last = new WeakMap<ServiceSocket, number>();
  readonly #skipped = new WeakMap<ServiceSocket, number>();
  #log: ChatLine[] = [];
  /** Called after each change the dashboard shows (a line, a drop). */
  onChange: () => void = () => {};

  constructor(limits: ChatLimits = CLASSROOM_CHAT_LIMITS, now: () => number = Date.now) {
    this.limits = limits;
    this.#now = now;
  }

  get log(): readonly ChatLine[] {
    return this.#log;
  }

  clearLog(): void {
    this.#log = [];
    this.onChange();
  }

  admit(from: ServiceSocket, data: MessageData): boolean {
    const key = studentKey(from);
    if (this.muted.has(key)) {
      this.#drop(from, 'The instructor muted you in /chat: your messages are not sent to the room.');
      return false;
    }
    const t = this.#now();
    if (this.slowSeconds > 0) {
      const last = this.#last.get(from);
      if (last !== undefined && t - last < this.slowSeconds * 1000) {
        this.#drop(
          from,
          `Slow mode: one message every ${this.slowSeconds} s; this one was not sent.`,
          this.slowSeconds,
        );
        return false;
      }
    }
    this.#last.set(from, t);
    const text =
      typeof data === 'string'
        ? data.slice(0, 200)
        : `(binary, ${data.length} byte${data.length === 1 ? '' : 's'})`;
    this.#log.push({ t, from: key, text });
    if (this.#log.length > CHAT_LOG_LINES) this.#log.shift();
    this.onChange();
    return true;
  }

  deliver(to: ServiceSocket, data: MessageData): void {
    if (to.bufferedAmount > this.limits.queueBytes) {
      this.#skipped.set(to, (this.#skipped.get(to) ?? 0) + 1);
      this.skippedTotal += 1;
      return;
    }
    const skipped = this.#skipped.get(to);
    if (skipped !== undefined) {
      this.#skipped.delete(to);
      to.sendText(
        JSON.stringify({
          type: 'skipped',
          count: skipped,
          text: `${skipped} message(s) were not sent to you: your connection was not reading fast enough.`,
        }),
      );
    }
    to.send(data);
  }

  #drop(from: ServiceSocket, text: string, slow?: number): void {
    this.droppedTotal += 1;
    from.sendText(JSON.stringify({ type: 'moderation', text, ...(slow ? { slow } : {}) }));
    this.onChange();
  }
}
