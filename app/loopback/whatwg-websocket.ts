/**
 * The WHATWG WebSockets standard's API rules, written once. Every WebSocket we ship that is not
 * the browser's own extends WhatwgWebSocket: LoopbackWebSocket (websocket.ts, the page's virtual
 * network) and the sandbox's bridged socket (app/sandbox/runtime/bridged-websocket.ts, whose
 * connection runs on the page, across a MessagePort). A subclass only moves data: it supplies
 * the transmit, transmitClose, failConnection and queueTask hooks and calls the connection* methods as the
 * connection reports; every check, state change and event is decided here.
 *
 * What the standard asks, and where it is done:
 * - constructor (parseWebSocketUrl, parseProtocols): URL parsing against a base URL, http(s)
 *   -> ws(s); other schemes, fragments (even an empty one) and unparsable URLs throw
 *   SyntaxError; protocols must be tokens, without duplicates compared case-insensitively.
 * - readyState changes only inside the tasks that fire events, except close(), which sets
 *   CLOSING at once. Every event is dispatched from its own task, never inside a call.
 * - bufferedAmount rises synchronously by the bytes send() queued (UTF-8 length for text) and
 *   falls as the transport reports them transmitted; once the closing handshake has started,
 *   send() only counts the bytes.
 * - send() keeps call order, a Blob being read holding back what was sent after it.
 * - close(code, reason) (checkCloseArguments): 1000 or 3000-4999 after [Clamp], a reason of at
 *   most 123 UTF-8 bytes; the checks run even once closed.
 * - events: open; message (string, Blob or ArrayBuffer per binaryType, with the URL's origin);
 *   error only when the connection was *failed*; close exactly once. A message arriving when
 *   readyState is no longer OPEN is dropped.
 */
import { encodeUtf8, utf8ByteLength } from '../protocol/utf8.ts';
import { clampUnsignedShort, CloseEventClass, domException, MessageEventClass, toUSVString } from './dom.ts';

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** RFC 6455 §4.1 / RFC 9110 token: the characters a subprotocol name may use. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const CONSTRUCT = "Failed to construct 'WebSocket':";

/**
 * The standard's constructor steps 1-7 for the URL: parse against `base`, map http(s) to ws(s),
 * refuse other schemes and any fragment. A host the URL standard forbids (a space, as in
 * `ws://foo bar.com/`) is a parse failure: Chromium's parser percent-encodes it instead, so a
 * '%' or white space left in a domain is refused here.
 */
export function parseWebSocketUrl(input: unknown, base: string | undefined): URL {
  const text = toUSVString(input);
  let parsed: URL;
  try {
    parsed = new URL(text, base);
  } catch {
    throw domException('SyntaxError', `${CONSTRUCT} The URL '${text}' is invalid.`);
  }
  if (!parsed.hostname.startsWith('[') && /[%\s]/.test(parsed.hostname)) {
    throw domException(
      'SyntaxError',
      `${CONSTRUCT} The URL '${text}' is invalid: its host is not a valid host.`,
    );
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw domException(
      'SyntaxError',
      `${CONSTRUCT} The URL's scheme must be either 'http', 'https', 'ws', or 'wss'. '${parsed.protocol.slice(0, -1)}' is not allowed.`,
    );
  }
  // An empty fragment ('#') counts too: the URL record's fragment is '' (non-null), and the
  // serialisation keeps the '#', where `hash` reads ''.
  if (parsed.href.includes('#')) {
    throw domException(
      'SyntaxError',
      `${CONSTRUCT} The URL contains a fragment identifier ('${parsed.hash || '#'}'). Fragment identifiers are not allowed in WebSocket URLs.`,
    );
  }
  return parsed;
}

/**
 * The standard's constructor steps 8-9: one protocol or a sequence of them (WebIDL
 * `(DOMString or sequence<DOMString>)`, default []), each a token, no two equal ignoring ASCII
 * case: SyntaxError otherwise.
 */
export function parseProtocols(protocols: unknown = []): string[] {
  const list =
    typeof protocols === 'object' && protocols !== null && Symbol.iterator in protocols
      ? Array.from(protocols as Iterable<unknown>, (p) => String(p))
      : [String(protocols)];
  const seen = new Set<string>();
  for (const p of list) {
    if (!TOKEN.test(p)) throw domException('SyntaxError', `${CONSTRUCT} The subprotocol '${p}' is invalid.`);
    const key = p.toLowerCase();
    if (seen.has(key))
      throw domException('SyntaxError', `${CONSTRUCT} The subprotocol '${p}' is duplicated.`);
    seen.add(key);
  }
  return list;
}

/**
 * close(code?, reason?) arguments. As in Chromium, an explicit `undefined` is "not passed" only
 * at the end of the arguments: close(undefined, 'why') converts the code ([Clamp] unsigned
 * short) to 0 and throws InvalidAccessError. So a reason is always sent with a code.
 */
export function checkCloseArguments(args: readonly unknown[]): { code: number | undefined; reason: string } {
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
  return { code, reason };
}

/** What send() hands the transport, in call order. `fragments`: §5.4, split into N frames. */
export type OutgoingData =
  | { kind: 'text'; text: string; app: number; fragments?: number }
  | { kind: 'bytes'; bytes: Uint8Array; fragments?: number };

type Queued =
  | OutgoingData
  | { kind: 'blob'; bytes: Uint8Array | undefined; ready: boolean }
  | { kind: 'close'; code: number | undefined; reason: string };

/** How the connection ended, as the transport saw it. `failed`: the error event fires first. */
export interface ConnectionEnd {
  code: number;
  reason: string;
  wasClean: boolean;
  failed: boolean;
}

/** What the socket did through its API, for a subclass that reports it (the sandbox's mirror). */
export type ApiActivity =
  | { kind: 'open'; protocol: string; extensions: string }
  | { kind: 'message'; data: string | Blob | ArrayBuffer }
  | { kind: 'error' }
  | { kind: 'close'; code: number; reason: string; wasClean: boolean }
  | { kind: 'send'; data: string | Blob | ArrayBuffer }
  | { kind: 'close-call'; code?: number; reason?: string };

type HandlerType = 'open' | 'message' | 'error' | 'close';
type Handler = ((this: WhatwgWebSocket, ev: Event) => unknown) | null;

interface HandlerEntry {
  value: object;
  listener: (e: Event) => void;
}

const objectTag = (v: unknown): string => Object.prototype.toString.call(v);

export abstract class WhatwgWebSocket extends EventTarget {
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
  readonly #outgoing: Queued[] = [];
  #closeDispatched = false;
  readonly #handlers = new Map<HandlerType, HandlerEntry>();

  /** `url`: already checked by parseWebSocketUrl. */
  protected constructor(url: URL) {
    super();
    this.#url = url.href;
    this.#origin = url.origin;
  }

  // ---- what a transport supplies -----------------------------------------------------------

  /** Sends one message (or its §5.4 fragments). Called only while OPEN, in call order. */
  protected abstract transmit(data: OutgoingData): void;
  /** Starts the closing handshake (§7.1.2) with this code (none: an empty close frame). */
  protected abstract transmitClose(code: number | undefined, reason: string): void;
  /** Fails the connection (close() while CONNECTING, an unreadable Blob): error, then close 1006. */
  protected abstract failConnection(why?: string): void;
  /** Runs `fn` in a later task (the event loop's "queue a task"). */
  protected abstract queueTask(fn: () => void): void;
  /** Each API-visible step, after the state changed and before the event fires. */
  protected observe(activity: ApiActivity): void {
    void activity;
  }

  // ---- what a transport reports ------------------------------------------------------------

  /** The handshake succeeded (§4.1): open, in its own task. */
  protected connectionOpened(protocol: string, extensions: string): void {
    this.queueTask(() => {
      if (this.#readyState !== CONNECTING) return; // close() came first
      this.#readyState = OPEN;
      this.#protocol = protocol;
      this.#extensions = extensions;
      this.observe({ kind: 'open', protocol, extensions });
      this.dispatchEvent(new Event('open'));
    });
  }

  /** A whole message arrived (§6.2). */
  protected messageReceived(data: string | Uint8Array): void {
    this.queueTask(() => {
      if (this.#readyState !== OPEN) return;
      let payload: string | Blob | ArrayBuffer;
      if (typeof data === 'string') payload = data;
      else if (this.#binaryType === 'arraybuffer') payload = data.slice().buffer;
      else payload = new Blob([data.slice()]);
      this.observe({ kind: 'message', data: payload });
      this.dispatchEvent(new MessageEventClass('message', { data: payload, origin: this.#origin }));
    });
  }

  /** The closing handshake has started (§7.1.3): CLOSING, with no event. */
  protected closingStarted(): void {
    this.queueTask(() => {
      if (this.#readyState === OPEN) this.#readyState = CLOSING;
    });
  }

  /** `n` bytes of what send() queued have left. */
  protected bytesTransmitted(n: number): void {
    this.#bufferedAmount = Math.max(0, this.#bufferedAmount - n);
  }

  /** The connection is closed (§7.1.4): error when failed, then close, exactly once. */
  protected connectionClosed(end: ConnectionEnd): void {
    this.queueTask(() => {
      if (this.#closeDispatched) return;
      this.#closeDispatched = true;
      this.#readyState = CLOSED;
      this.#outgoing.length = 0;
      if (end.failed) {
        this.observe({ kind: 'error' });
        this.dispatchEvent(new Event('error'));
      }
      this.observe({ kind: 'close', code: end.code, reason: end.reason, wasClean: end.wasClean });
      this.dispatchEvent(
        new CloseEventClass('close', { wasClean: end.wasClean, code: end.code, reason: end.reason }),
      );
    });
  }

  // ---- the interface -----------------------------------------------------------------------

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
  get onmessage(): ((this: WhatwgWebSocket, ev: MessageEvent) => unknown) | null {
    return this.#getHandler('message');
  }
  set onmessage(v: ((this: WhatwgWebSocket, ev: MessageEvent) => unknown) | null) {
    this.#setHandler('message', v as Handler);
  }
  get onerror(): Handler {
    return this.#getHandler('error');
  }
  set onerror(v: Handler) {
    this.#setHandler('error', v);
  }
  get onclose(): ((this: WhatwgWebSocket, ev: CloseEvent) => unknown) | null {
    return this.#getHandler('close');
  }
  set onclose(v: ((this: WhatwgWebSocket, ev: CloseEvent) => unknown) | null) {
    this.#setHandler('close', v as Handler);
  }

  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (arguments.length < 1)
      throw new TypeError(
        "Failed to execute 'send' on 'WebSocket': 1 argument required, but only 0 present.",
      );
    this.assertNotConnecting();
    const tag = objectTag(data);
    if (tag === '[object ArrayBuffer]') {
      const bytes = new Uint8Array((data as ArrayBuffer).slice(0));
      this.queueOutgoing({ kind: 'bytes', bytes }, bytes.length);
    } else if (ArrayBuffer.isView(data)) {
      if (objectTag(data.buffer) === '[object SharedArrayBuffer]')
        throw new TypeError(
          "Failed to execute 'send' on 'WebSocket': The provided ArrayBufferView value must not be shared.",
        );
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      this.queueOutgoing({ kind: 'bytes', bytes }, bytes.length);
    } else if (tag === '[object SharedArrayBuffer]') {
      throw new TypeError(
        "Failed to execute 'send' on 'WebSocket': The provided ArrayBuffer value must not be shared.",
      );
    } else if (tag === '[object Blob]' || tag === '[object File]') {
      this.#queueBlob(data as Blob);
    } else {
      const text = toUSVString(data);
      const size = utf8ByteLength(text);
      this.queueOutgoing({ kind: 'text', text, app: size }, size);
    }
  }

  close(...args: [code?: number, reason?: string]): void {
    const { code, reason } = checkCloseArguments(args);
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
    const wasConnecting = this.#readyState === CONNECTING;
    this.#readyState = CLOSING;
    this.observe({
      kind: 'close-call',
      ...(code !== undefined ? { code } : {}),
      ...(reason ? { reason } : {}),
    });
    if (wasConnecting) {
      // Not yet established: fail the connection.
      this.#outgoing.length = 0;
      this.failConnection();
      return;
    }
    this.#outgoing.push({ kind: 'close', code, reason });
    this.#flushOutgoing();
  }

  get [Symbol.toStringTag](): string {
    return 'WebSocket';
  }

  // ---- for subclasses ----------------------------------------------------------------------

  /** send() while CONNECTING: InvalidStateError. */
  protected assertNotConnecting(): void {
    if (this.#readyState === CONNECTING)
      throw domException(
        'InvalidStateError',
        "Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.",
      );
  }

  /** Counts `size` bytes in bufferedAmount and sends `item` in order, while OPEN. */
  protected queueOutgoing(item: OutgoingData, size: number): void {
    this.#bufferedAmount += size;
    // In CLOSING or CLOSED the bytes are only counted (they will never drain).
    if (this.#readyState !== OPEN) return;
    this.observe({
      kind: 'send',
      data: item.kind === 'text' ? item.text : (item.bytes.slice().buffer as ArrayBuffer),
    });
    this.#outgoing.push(item);
    this.#flushOutgoing();
  }

  #queueBlob(blob: Blob): void {
    this.#bufferedAmount += blob.size;
    if (this.#readyState !== OPEN) return;
    this.observe({ kind: 'send', data: blob });
    const entry: Queued & { kind: 'blob' } = { kind: 'blob', bytes: undefined, ready: false };
    this.#outgoing.push(entry);
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
        this.failConnection('Failed to read the Blob to send');
      },
    );
  }

  /** Hands queued sends to the transport in order; a Blob still being read holds the rest back. */
  #flushOutgoing(): void {
    while (this.#outgoing.length > 0) {
      const head = this.#outgoing[0] as Queued;
      if (head.kind === 'blob' && !head.ready) return;
      this.#outgoing.shift();
      if (head.kind === 'blob') {
        if (head.bytes) this.transmit({ kind: 'bytes', bytes: head.bytes });
      } else if (head.kind === 'close') {
        this.transmitClose(head.code, head.reason);
      } else {
        this.transmit(head);
      }
    }
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
        const result: unknown = (h as (this: WhatwgWebSocket, ev: Event) => unknown).call(this, e);
        // HTML: a handler returning false cancels the event (for cancelable events).
        if (result === false) e.preventDefault();
      },
    };
    this.#handlers.set(type, entry);
    this.addEventListener(type, entry.listener);
  }
}

/**
 * Makes `cls` the WebSocket interface as code inspects it: the WebIDL constants on the class and
 * its prototype (read-only), and the attributes and operations as the prototype's own
 * properties, as on the browser's `WebSocket.prototype` (WhatwgWebSocket's, copied down).
 */
const INTERFACE_MEMBERS: readonly (string | symbol)[] = [
  'url',
  'readyState',
  'bufferedAmount',
  'protocol',
  'extensions',
  'binaryType',
  'onopen',
  'onmessage',
  'onerror',
  'onclose',
  'send',
  'close',
  Symbol.toStringTag,
];

export function defineWebSocketInterface(cls: { prototype: object }): void {
  for (const [name, value] of [
    ['CONNECTING', CONNECTING],
    ['OPEN', OPEN],
    ['CLOSING', CLOSING],
    ['CLOSED', CLOSED],
  ] as const) {
    for (const target of [cls, cls.prototype]) {
      Object.defineProperty(target, name, { value, enumerable: true, writable: false, configurable: false });
    }
  }
  for (const key of INTERFACE_MEMBERS) {
    if (Object.hasOwn(cls.prototype, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(WhatwgWebSocket.prototype, key);
    if (descriptor) Object.defineProperty(cls.prototype, key, descriptor);
  }
}
