/**
 * The few DOM pieces LoopbackWebSocket needs, with stand-ins where the platform lacks them
 * (Node 20 has EventTarget, Event, MessageEvent, Blob and DOMException, not CloseEvent).
 * The browser's own classes are always preferred, so `event instanceof CloseEvent` holds in
 * a page.
 */

export function domException(
  name: 'SyntaxError' | 'InvalidStateError' | 'InvalidAccessError',
  message: string,
): DOMException {
  return new DOMException(message, name);
}

export interface CloseEventInitLike extends EventInit {
  wasClean?: boolean;
  code?: number;
  reason?: string;
}

/** The WHATWG CloseEvent's shape, for platforms without one. */
class CloseEventShim extends Event {
  readonly wasClean: boolean;
  readonly code: number;
  readonly reason: string;
  constructor(type: string, init: CloseEventInitLike = {}) {
    super(type, init);
    this.wasClean = init.wasClean ?? false;
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
  }
}

export interface MessageEventInitLike extends EventInit {
  data?: unknown;
  origin?: string;
}

/** The WHATWG MessageEvent's WebSocket-relevant shape, for platforms without one. */
class MessageEventShim extends Event {
  readonly data: unknown;
  readonly origin: string;
  readonly lastEventId = '';
  readonly source = null;
  readonly ports: readonly MessagePort[] = [];
  constructor(type: string, init: MessageEventInitLike = {}) {
    super(type, init);
    this.data = init.data ?? null;
    this.origin = init.origin ?? '';
  }
}

const g = globalThis as { CloseEvent?: typeof CloseEvent; MessageEvent?: typeof MessageEvent };

export const CloseEventClass: new (type: string, init?: CloseEventInitLike) => CloseEvent =
  g.CloseEvent ?? (CloseEventShim as unknown as typeof CloseEvent);

export const MessageEventClass: new (type: string, init?: MessageEventInitLike) => MessageEvent =
  g.MessageEvent ?? (MessageEventShim as unknown as typeof MessageEvent);

/**
 * WebIDL `[Clamp] unsigned short`: NaN -> 0, then clamp to 0..65535, then round to the nearest
 * integer with ties to even. (`close(1000.5)` is a close with 1000.)
 */
export function clampUnsignedShort(value: unknown): number {
  let x = Number(value);
  if (Number.isNaN(x)) return 0;
  x = Math.min(Math.max(x, 0), 65535);
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** WebIDL `USVString`: String(value) with every lone surrogate replaced by U+FFFD. */
export function toUSVString(value: unknown): string {
  const s = String(value);
  const w = s as string & { toWellFormed?: () => string };
  if (typeof w.toWellFormed === 'function') return w.toWellFormed();
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
