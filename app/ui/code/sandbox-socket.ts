/**
 * The lab's view of a socket opened by sandboxed code: the page's mirror of it (app/sandbox
 * MirrorSocket), with two corrections so that what the lab shows is what the wire shows.
 *
 * - Calls the code made (`send`, `close`) arrive as 'api' events on the mirror; they are
 *   handed to the LabConnection as SocketCalls, so the events column has them.
 * - When the sandbox is stopped, its sockets die with it and the mirror reports a drop at once
 *   (1006). That is not always what happened: removing the sandbox makes the browser close its
 *   own sockets with 1001 Going Away (a clean closing handshake, which the tap shows), while
 *   the in-page network drops them. So the close given to the lab waits for the wire's end of
 *   the story (its 'close' or 'eof', at most `settleMs`) and reports that.
 */
import type { WireEvent } from '../lib/engine.ts';
import type { ApiData } from '../connection/events.ts';
import type { SocketCall, WebSocketLike, WireStream } from '../transport/transport.ts';

type SocketEvent = 'open' | 'message' | 'error' | 'close';

/** The sandbox's mirror, as far as this module needs it. */
export interface MirrorLike extends WebSocketLike {
  /** Set when the sandbox ended with the socket still open (the close that follows is ours). */
  readonly abandoned?: boolean;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

export interface CloseFacts {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** How long to wait for the wire after a stop before saying what the page saw. */
export const SETTLE_MS = 2_000;

/** A close event as the LabConnection reads it (code, reason, wasClean on an Event). */
function closeEvent(facts: CloseFacts): Event {
  return Object.assign(new Event('close'), facts);
}

/** Data as a mirror's report carries it (string, ArrayBuffer, Blob), as the lab records it. */
export function callData(data: unknown): ApiData {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return { type: 'ArrayBuffer', bytes: new Uint8Array(data.slice(0)) };
  if (typeof Blob !== 'undefined' && data instanceof Blob)
    return { type: 'Blob', bytes: new Uint8Array(0), size: data.size };
  return String(data);
}

/** What identifies a call well enough to recognise the sandbox's report of one the lab made. */
function callKey(call: SocketCall): string {
  if (call.kind === 'close-call') return 'close';
  const d = call.data;
  return typeof d === 'string' ? `s:${d}` : `b:${d.size ?? d.bytes.length}`;
}

/** One sentence for the learner: what stopping the code did to this socket. */
export function stopNote(facts: CloseFacts): string {
  return facts.code === 1006
    ? 'Stopped: the sandbox that owned this socket was removed and the connection dropped without a Close frame (1006). Its code never saw this close.'
    : `Stopped: the sandbox that owned this socket was removed, so the browser closed the socket itself with ${facts.code}${facts.code === 1001 ? ' Going Away (as when a page is closed)' : ''}; the wire shows the closing handshake. Its code never saw this close.`;
}

export class SandboxSocketView extends EventTarget implements WebSocketLike {
  readonly #mirror: MirrorLike;
  readonly #settleMs: number;
  /** The wire's last word on how the connection ended, once it has said it. */
  #wireEnd: CloseFacts | undefined;
  #waiting: ((facts: CloseFacts | undefined) => void) | undefined;
  readonly #unsubscribe: (() => void) | undefined;
  readonly #detach: () => void;
  /** Told what a stop did (a note for the learner). */
  onStopped: ((note: string) => void) | undefined;
  /**
   * Calls the lab made through this view (the composer): the LabConnection records them itself, so
   * the sandbox's report of the same call is not recorded twice.
   */
  readonly #own: string[] = [];

  constructor(mirror: MirrorLike, wire: WireStream | undefined, settleMs = SETTLE_MS) {
    super();
    this.#mirror = mirror;
    this.#settleMs = settleMs;
    this.#unsubscribe = wire?.subscribe((e) => this.#onWire(e));
    const forward = (e: Event): void => {
      if (e.type === 'close') return this.#onClose(e as Event & CloseFacts);
      this.dispatchEvent(
        e.type === 'message'
          ? Object.assign(new Event('message'), { data: (e as MessageEvent).data as unknown })
          : new Event(e.type),
      );
    };
    const types: SocketEvent[] = ['open', 'message', 'error', 'close'];
    for (const type of types) mirror.addEventListener(type, forward);
    this.#detach = () => {
      for (const type of types) mirror.removeEventListener(type, forward);
    };
  }

  get url(): string {
    return this.#mirror.url;
  }
  get readyState(): number {
    return this.#mirror.readyState;
  }
  get protocol(): string {
    return this.#mirror.protocol;
  }
  get extensions(): string {
    return this.#mirror.extensions;
  }
  get bufferedAmount(): number {
    return this.#mirror.bufferedAmount;
  }
  get binaryType(): BinaryType {
    return this.#mirror.binaryType;
  }
  set binaryType(type: BinaryType) {
    this.#mirror.binaryType = type;
  }
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    this.#mirror.send(data);
    this.#own.push(callKey({ kind: 'send', data: callData(ArrayBuffer.isView(data) ? data.buffer : data) }));
  }
  close(code?: number, reason?: string): void {
    if (code === undefined) this.#mirror.close();
    else this.#mirror.close(code, reason);
    this.#own.push('close');
  }

  /** The calls the sandboxed code makes on its socket, as the mirror reports them. */
  calls(fn: (call: SocketCall) => void): () => void {
    const record = (call: SocketCall): void => {
      if (this.#own[0] === callKey(call)) this.#own.shift();
      else fn(call);
    };
    const listener = (e: Event): void => {
      const r = (e as CustomEvent<unknown>).detail as {
        kind?: unknown;
        data?: unknown;
        code?: unknown;
        reason?: unknown;
      };
      if (r?.kind === 'send') record({ kind: 'send', data: callData(r.data) });
      else if (r?.kind === 'close-call')
        record({
          kind: 'close-call',
          ...(typeof r.code === 'number' ? { code: r.code } : {}),
          ...(typeof r.reason === 'string' && r.reason ? { reason: r.reason } : {}),
        });
    };
    this.#mirror.addEventListener('api', listener);
    return () => this.#mirror.removeEventListener('api', listener);
  }

  dispose(): void {
    this.#detach();
    this.#unsubscribe?.();
    this.#waiting?.(undefined);
  }

  #onWire(e: WireEvent): void {
    if (e.kind === 'close') this.#wireEnd = { code: e.code, reason: e.reason, wasClean: e.wasClean };
    else if (e.kind === 'eof') this.#wireEnd ??= { code: 1006, reason: '', wasClean: false };
    else return;
    this.#waiting?.(this.#wireEnd);
  }

  #onClose(e: Event & CloseFacts): void {
    const seen: CloseFacts = { code: e.code, reason: e.reason, wasClean: e.wasClean };
    if (!this.#mirror.abandoned) {
      this.dispatchEvent(closeEvent(seen));
      return;
    }
    const report = (facts: CloseFacts): void => {
      this.onStopped?.(stopNote(facts));
      this.dispatchEvent(closeEvent(facts));
    };
    if (this.#wireEnd) return report(this.#wireEnd);
    const timer = setTimeout(() => settle(undefined), this.#settleMs);
    const settle = (wire: CloseFacts | undefined): void => {
      this.#waiting = undefined;
      clearTimeout(timer);
      report(wire ?? seen);
    };
    this.#waiting = settle;
  }
}
