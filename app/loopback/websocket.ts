/**
 * LoopbackWebSocket: the browser's WebSocket interface, as the WHATWG WebSockets standard
 * defines it, over the virtual network (network.ts) instead of the browser's network stack.
 * Code written for `WebSocket` runs unchanged against it; where the two behave differently,
 * this file is wrong (the e2e behaviour suite runs the same scenarios on both).
 *
 * What the standard asks of the API layer, and where it is done here:
 * - constructor: URL parsing against the page's base URL, http(s) -> ws(s), other schemes,
 *   fragments and unparsable URLs throw SyntaxError; protocols must be tokens, no duplicates
 *   (compared case-insensitively): SyntaxError.
 * - readyState changes only inside the tasks that fire events, except close(), which sets
 *   CLOSING at once. Every event is dispatched from its own task, never inside a call.
 * - bufferedAmount rises synchronously by the bytes send() queued (UTF-8 length for text) and
 *   falls as the virtual link transmits them; after the closing handshake has started, send()
 *   only counts the bytes.
 * - events: open; message (MessageEvent: string, Blob or ArrayBuffer per binaryType, origin);
 *   error (Event) only when the connection was *failed*; close (CloseEvent) exactly once.
 *   A message arriving when readyState is no longer OPEN is dropped.
 */
import { encodeUtf8, utf8ByteLength } from '../protocol/utf8.ts';
import type { ClientChannel, CloseReport } from './client.ts';
import { clampUnsignedShort, CloseEventClass, domException, MessageEventClass, toUSVString } from './dom.ts';
import { getDefaultNetwork, type VirtualNetwork } from './network.ts';
import { WIRE, type WireSource } from './wire.ts';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Symbol for the loopback's own controls on a socket (not part of the WebSocket API). */
export const LOOPBACK: unique symbol = Symbol.for('wsp.loopback') as never;

export interface LoopbackControls {
  /** The connection's id on its network, as in `network.connections()` ('c3'). */
  readonly id: string;
  readonly network: VirtualNetwork;
  /** Breaks the connection without a close frame: the socket will see close 1006. */
  drop(): void;
  /**
   * send(), but the message goes out as `fragments` frames (§5.4), which the browser's API
   * cannot do. Same rules as send(): InvalidStateError while CONNECTING; counted in
   * bufferedAmount; only counted once closing.
   */
  sendFragmented(data: string | Uint8Array, fragments: number): void;
}

/** RFC 6455 §4.1 / RFC 9110 token: the characters a subprotocol name may use. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

type Outgoing =
  | { kind: 'text'; text: string; app: number; fragments?: number }
  | { kind: 'bytes'; bytes: Uint8Array; fragments?: number }
  | { kind: 'blob'; bytes: Uint8Array | undefined; ready: boolean }
  | { kind: 'close'; code: number | undefined; reason: string };

type HandlerType = 'open' | 'message' | 'error' | 'close';
type Handler = ((this: LoopbackWebSocket, ev: Event) => unknown) | null;

interface HandlerEntry {
  value: object;
  listener: (e: Event) => void;
}

const objectTag = (v: unknown): string => Object.prototype.toString.call(v);

/** The network the socket being constructed belongs to (set by a `bindNetwork` class). */
let constructingFor: { network: VirtualNetwork; origin?: string } | undefined;

function baseUrl(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

export class LoopbackWebSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  readonly #url: string;
  readonly #origin: string;
  #readyState: number = CONNECTING;
  #protocol = '';
  #extensions = '';
  #binaryType: BinaryType = 'blob';
  #bufferedAmount = 0;
  readonly #channel: ClientChannel;
  readonly #queueTask: (fn: () => void) => void;
  readonly #outgoing: Outgoing[] = [];
  #closeDispatched = false;
  readonly #handlers = new Map<HandlerType, HandlerEntry>();

  /** The connection's wire events (see wire.ts). */
  readonly [WIRE]: WireSource;
  readonly [LOOPBACK]: LoopbackControls;

  constructor(url: string | URL, protocols: string | Iterable<string> = []) {
    super();
    // Taken first: argument conversions below may run page code that makes other sockets.
    const bound = constructingFor;
    constructingFor = undefined;
    if (arguments.length < 1)
      throw new TypeError("Failed to construct 'WebSocket': 1 argument required, but only 0 present.");
    // Get a URL record: parse against the page's base URL.
    let parsed: URL;
    const text = toUSVString(url);
    try {
      parsed = new URL(text, baseUrl());
    } catch {
      throw domException('SyntaxError', `Failed to construct 'WebSocket': The URL '${text}' is invalid.`);
    }
    if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
    else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw domException(
        'SyntaxError',
        `Failed to construct 'WebSocket': The URL's scheme must be either 'http', 'https', 'ws', or 'wss'. '${parsed.protocol.slice(0, -1)}' is not allowed.`,
      );
    }
    // An empty fragment ('#') counts too: it serialises with the '#'.
    if (parsed.href.includes('#')) {
      throw domException(
        'SyntaxError',
        `Failed to construct 'WebSocket': The URL contains a fragment identifier ('${parsed.hash}'). Fragment identifiers are not allowed in WebSocket URLs.`,
      );
    }
    const list =
      typeof protocols === 'object' && protocols !== null && Symbol.iterator in protocols
        ? Array.from(protocols, (p) => String(p))
        : [String(protocols)];
    const seen = new Set<string>();
    for (const p of list) {
      if (!TOKEN.test(p))
        throw domException(
          'SyntaxError',
          `Failed to construct 'WebSocket': The subprotocol '${p}' is invalid.`,
        );
      const key = p.toLowerCase();
      if (seen.has(key))
        throw domException(
          'SyntaxError',
          `Failed to construct 'WebSocket': The subprotocol '${p}' is duplicated.`,
        );
      seen.add(key);
    }
    this.#url = parsed.href;
    this.#origin = parsed.origin;

    const network = bound?.network ?? getDefaultNetwork();
    this.#queueTask = (fn) => network.scheduler.queueTask(fn);
    const { channel, wire, id } = network.connect(
      parsed,
      list,
      {
        open: (protocol, extensions) => this.#onOpen(protocol, extensions),
        message: (data) => this.#onMessage(data),
        closing: () => this.#onClosing(),
        transmitted: (n) => {
          this.#bufferedAmount = Math.max(0, this.#bufferedAmount - n);
        },
        closed: (report) => this.#onClosed(report),
      },
      bound?.origin !== undefined ? { origin: bound.origin } : {},
    );
    this.#channel = channel;
    this[WIRE] = wire;
    this[LOOPBACK] = {
      id,
      network,
      drop: () => channel.drop(),
      sendFragmented: (data, fragments) => {
        if (this.#readyState === CONNECTING)
          throw domException(
            'InvalidStateError',
            "Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.",
          );
        const n = Math.max(1, Math.floor(fragments));
        if (typeof data === 'string') {
          const app = utf8ByteLength(data);
          this.#queueSend({ kind: 'text', text: data, app, fragments: n }, app);
        } else {
          this.#queueSend({ kind: 'bytes', bytes: data.slice(), fragments: n }, data.length);
        }
      },
    };
  }

  get url(): string {
    return this.#url;
  }

  get readyState(): number {
    return this.#readyState;
  }

  get bufferedAmount(): number {
    return this.#bufferedAmount;
  }

  get protocol(): string {
    return this.#protocol;
  }

  get extensions(): string {
    return this.#extensions;
  }

  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  /** An enumerated attribute: values other than 'blob' and 'arraybuffer' are ignored. */
  set binaryType(value: BinaryType) {
    const v = String(value);
    if (v === 'blob' || v === 'arraybuffer') this.#binaryType = v;
  }

  get onopen(): Handler {
    return this.#getHandler('open');
  }
  set onopen(v: Handler) {
    this.#setHandler('open', v);
  }
  get onmessage(): ((this: LoopbackWebSocket, ev: MessageEvent) => unknown) | null {
    return this.#getHandler('message');
  }
  set onmessage(v: ((this: LoopbackWebSocket, ev: MessageEvent) => unknown) | null) {
    this.#setHandler('message', v as Handler);
  }
  get onerror(): Handler {
    return this.#getHandler('error');
  }
  set onerror(v: Handler) {
    this.#setHandler('error', v);
  }
  get onclose(): ((this: LoopbackWebSocket, ev: CloseEvent) => unknown) | null {
    return this.#getHandler('close');
  }
  set onclose(v: ((this: LoopbackWebSocket, ev: CloseEvent) => unknown) | null) {
    this.#setHandler('close', v as Handler);
  }

  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (arguments.length < 1)
      throw new TypeError(
        "Failed to execute 'send' on 'WebSocket': 1 argument required, but only 0 present.",
      );
    if (this.#readyState === CONNECTING)
      throw domException(
        'InvalidStateError',
        "Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.",
      );
    let item: Outgoing;
    let size: number;
    const tag = objectTag(data);
    if (tag === '[object ArrayBuffer]') {
      const bytes = new Uint8Array((data as ArrayBuffer).slice(0));
      item = { kind: 'bytes', bytes };
      size = bytes.length;
    } else if (ArrayBuffer.isView(data)) {
      if (objectTag(data.buffer) === '[object SharedArrayBuffer]')
        throw new TypeError(
          "Failed to execute 'send' on 'WebSocket': The provided ArrayBufferView value must not be shared.",
        );
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      item = { kind: 'bytes', bytes };
      size = bytes.length;
    } else if (tag === '[object SharedArrayBuffer]') {
      throw new TypeError(
        "Failed to execute 'send' on 'WebSocket': The provided ArrayBuffer value must not be shared.",
      );
    } else if (tag === '[object Blob]' || tag === '[object File]') {
      const blob = data as Blob;
      const entry: Outgoing & { kind: 'blob' } = { kind: 'blob', bytes: undefined, ready: false };
      item = entry;
      size = blob.size;
      if (this.#readyState === OPEN) {
        blob.arrayBuffer().then(
          (buffer) => {
            entry.bytes = new Uint8Array(buffer);
            entry.ready = true;
            this.#flushOutgoing();
          },
          () => {
            // A Blob that cannot be read fails the connection, as in browsers.
            entry.ready = true;
            this.#outgoing.length = 0;
            this.#channel.abort('Failed to read the Blob to send');
          },
        );
      }
    } else {
      const text = toUSVString(data);
      size = utf8ByteLength(text);
      item = { kind: 'text', text, app: size };
    }
    this.#queueSend(item, size);
  }

  #queueSend(item: Outgoing, size: number): void {
    this.#bufferedAmount += size;
    // In CLOSING or CLOSED the bytes are only counted (they will never drain).
    if (this.#readyState !== OPEN) return;
    this.#outgoing.push(item);
    this.#flushOutgoing();
  }

  /**
   * close(code?, reason?). As in Chromium, an explicit `undefined` is "not passed" only at the
   * end of the arguments: close(undefined, 'why') converts the code ([Clamp] unsigned short) to
   * 0 and throws InvalidAccessError. So a reason is always sent with a code.
   */
  close(...args: [code?: number, reason?: string]): void {
    let argc = args.length;
    while (argc > 0 && args[argc - 1] === undefined) argc--;
    let code: number | undefined;
    if (argc >= 1) {
      code = clampUnsignedShort(args[0]);
      if (code !== 1000 && !(code >= 3000 && code <= 4999)) {
        throw domException(
          'InvalidAccessError',
          `Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
        );
      }
    }
    let reason = '';
    if (argc >= 2) {
      reason = toUSVString(args[1]);
      if (encodeUtf8(reason).length > 123)
        throw domException(
          'SyntaxError',
          `Failed to execute 'close' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes.`,
        );
    }
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      // Not yet established: fail the connection.
      this.#readyState = CLOSING;
      this.#outgoing.length = 0;
      this.#channel.abort();
      return;
    }
    this.#readyState = CLOSING;
    this.#outgoing.push({ kind: 'close', code, reason });
    this.#flushOutgoing();
  }

  get [Symbol.toStringTag](): string {
    return 'WebSocket';
  }

  /** Hands queued sends to the connection in order; a Blob still being read holds the rest back. */
  #flushOutgoing(): void {
    while (this.#outgoing.length > 0) {
      const head = this.#outgoing[0] as Outgoing;
      if (head.kind === 'blob' && !head.ready) return;
      this.#outgoing.shift();
      switch (head.kind) {
        case 'text':
          this.#channel.sendText(head.text, head.app, head.fragments);
          break;
        case 'bytes':
          this.#channel.sendBinary(head.bytes, head.fragments);
          break;
        case 'blob':
          if (head.bytes) this.#channel.sendBinary(head.bytes);
          break;
        case 'close':
          this.#channel.close(head.code, head.reason);
          break;
      }
    }
  }

  #task(fn: () => void): void {
    this.#queueTask(fn);
  }

  #onOpen(protocol: string, extensions: string): void {
    this.#task(() => {
      if (this.#readyState !== CONNECTING) return; // close() came first
      this.#readyState = OPEN;
      this.#protocol = protocol;
      this.#extensions = extensions;
      this.dispatchEvent(new Event('open'));
    });
  }

  #onMessage(data: string | Uint8Array): void {
    this.#task(() => {
      if (this.#readyState !== OPEN) return;
      let payload: string | Blob | ArrayBuffer;
      if (typeof data === 'string') payload = data;
      else if (this.#binaryType === 'arraybuffer') payload = data.slice().buffer;
      else payload = new Blob([data.slice()]);
      this.dispatchEvent(new MessageEventClass('message', { data: payload, origin: this.#origin }));
    });
  }

  #onClosing(): void {
    this.#task(() => {
      if (this.#readyState === OPEN) this.#readyState = CLOSING;
    });
  }

  #onClosed(report: CloseReport): void {
    this.#task(() => {
      if (this.#closeDispatched) return;
      this.#closeDispatched = true;
      this.#readyState = CLOSED;
      this.#outgoing.length = 0;
      if (report.failed) this.dispatchEvent(new Event('error'));
      this.dispatchEvent(
        new CloseEventClass('close', { wasClean: report.wasClean, code: report.code, reason: report.reason }),
      );
    });
  }

  #getHandler<T>(type: HandlerType): T | null {
    return (this.#handlers.get(type)?.value as T | undefined) ?? null;
  }

  /**
   * HTML event handler attributes: the first non-null value adds one listener, in order with
   * addEventListener calls; later values replace the callback in place; null removes it.
   */
  #setHandler(type: HandlerType, value: unknown): void {
    const v =
      typeof value === 'function' || (typeof value === 'object' && value !== null) ? (value as object) : null;
    const existing = this.#handlers.get(type);
    if (v === null) {
      if (existing) {
        this.removeEventListener(type, existing.listener);
        this.#handlers.delete(type);
      }
      return;
    }
    if (existing) {
      existing.value = v;
      return;
    }
    const entry: HandlerEntry = {
      value: v,
      listener: (e) => {
        const h = entry.value;
        if (typeof h !== 'function') throw new TypeError(`on${type} is not a function`);
        const result: unknown = (h as (this: LoopbackWebSocket, ev: Event) => unknown).call(this, e);
        // HTML: a handler returning false cancels the event (for cancelable events).
        if (result === false) e.preventDefault();
      },
    };
    this.#handlers.set(type, entry);
    this.addEventListener(type, entry.listener);
  }
}

for (const [name, value] of [
  ['CONNECTING', CONNECTING],
  ['OPEN', OPEN],
  ['CLOSING', CLOSING],
  ['CLOSED', CLOSED],
] as const) {
  // WebIDL constants: on the interface object and on the prototype, read-only.
  for (const target of [LoopbackWebSocket, LoopbackWebSocket.prototype]) {
    Object.defineProperty(target, name, { value, enumerable: true, writable: false, configurable: false });
  }
}

/**
 * LoopbackWebSocket, with its sockets connecting through `network` (the sandbox's, a test's).
 * A Proxy rather than a subclass, so it *is* the interface as far as code can tell: the same
 * prototype, the same own constants and accessors, `instanceof` both ways.
 */
export function bindNetwork(
  network: VirtualNetwork,
  options: { origin?: string } = {},
): typeof LoopbackWebSocket {
  const bound: typeof LoopbackWebSocket = new Proxy(LoopbackWebSocket, {
    construct(target, args, newTarget) {
      constructingFor = { network, ...options };
      try {
        return Reflect.construct(target, args, newTarget === bound ? target : newTarget) as object;
      } finally {
        constructingFor = undefined;
      }
    },
  });
  return bound;
}
