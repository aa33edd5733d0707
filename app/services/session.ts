/**
 * Session: binds one engine connection (already past its handshake) to one service, for any
 * transport. The transport only moves bytes: it calls `receive(bytes)` / `receiveEof()` /
 * `transportClosed()` and gives a `Wire` to write to; the session drives the engine (push in,
 * drain out), turns its events into the `ServiceSocket` API, and applies the policies every
 * host shares:
 *
 * - message rate (opt-in): over it, close 1008 (7.4.1 policy violation);
 * - slow reader: when the bytes the transport has not yet written pass `maxBufferedBytes`, the
 *   server stops sending data and closes with 1008, and the close deadline then drops TCP if
 *   the peer still does not read. Memory per connection stays bounded by that limit plus one
 *   message. (Reading from a peer whose writes back up is paused by the transport: see
 *   app/server/README.md.)
 * - close deadline: once closing starts (either side) or the engine asks the transport to end,
 *   the transport is destroyed if it is not closed within `closeTimeout`;
 * - a throwing service handler closes its connection with 1011 (no internals on the wire);
 * - a message that arrives in the same chunk as the Close after it is handed to the service
 *   before the engine answers the Close, so its reply still goes out (the engine holds such a
 *   Close until its events are drained: #drainEvents takes them until none are left).
 *
 * With a `tap`, it also yields the connection's wire events (types.ts WireEvent); frames read
 * are the exact bytes received, and bytes the engine could not frame are reported raw.
 */
import { Opcode } from '../protocol/opcodes.ts';
import type { ConnectionEvent, Frame, ReadyState, Side, WireEvent } from '../protocol/types.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';
import { FragmentedMessage } from './fragments.ts';
import { RateLimiter, effectiveRate } from './rate.ts';
import type {
  CloseInfo,
  MessageData,
  RuleBreaker,
  Service,
  ServiceContext,
  WsSendOptions,
  ServiceSocket,
  SocketEvents,
  TimerId,
  Timers,
} from './service.ts';

/** What the session uses of the engine's `Connection` (app/protocol/connection.ts). */
export interface EngineConnection {
  receiveData(bytes: Uint8Array): void;
  receiveEof(): void;
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
  ping(data?: Uint8Array): void;
  pong(data?: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Exactly this frame: a piece of a fragmented message (5.4), or for `RuleBreaker` (/misbehave) one that breaks the rules. */
  sendFrame(frame: Frame): boolean;
  /** 7.1.7: fail the connection with a typed error's close code. */
  fail(error: 'POLICY_VIOLATION' | 'INTERNAL', detail?: string): void;
  events(): ConnectionEvent[];
  dataToSend(): Uint8Array[];
  readonly readyState: ReadyState;
  readonly shouldCloseTransport: boolean;
  /** Memory given to receiveData may still be referenced (Connection.holdsInput). */
  readonly holdsInput: boolean;
}

/** The transport, as the session sees it. */
export interface Wire {
  /** Writes bytes to the peer, in order. */
  write(chunks: readonly Uint8Array[]): void;
  /** Bytes accepted by `write` and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Ends the transport after the pending bytes (TCP FIN). The server closes TCP first (7.1.1). */
  end(): void;
  /** Drops the transport now, pending bytes and all. */
  destroy(): void;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface SessionOptions {
  connection: EngineConnection;
  service: Service;
  wire: Wire;
  id: string;
  path: string;
  protocol: string;
  /** The query the service sees (the host has removed its own keys). */
  query: URLSearchParams;
  remote: string;
  /** The handshake request's headers (names lower-cased), when the host passes them. */
  headers?: Readonly<Record<string, string>>;
  timers: Timers;
  now: () => number;
  log?: (line: string) => void;
  /** Host-wide message rate (messages/s); tightened by `service.rate` and `?rate=`. */
  rate?: number;
  closeTimeout?: number;
  maxBufferedBytes?: number;
  /** Receives this connection's wire events (the byte tap). */
  tap?: (event: WireEvent) => void;
  /** Called once when the session is over (transport closed, service told). */
  onEnd?: (session: Session) => void;
}

type Listeners = { [K in keyof SocketEvents]: SocketEvents[K][] };

const NOTHING = (): void => {};

export class Session {
  readonly id: string;
  readonly path: string;
  readonly socket: ServiceSocket;
  readonly #o: SessionOptions;
  readonly #conn: EngineConnection;
  readonly #listeners: Listeners = { message: [], ping: [], pong: [], close: [] };
  readonly #timers = new Set<TimerId>();
  readonly #intervals = new Set<TimerId>();
  readonly #rate: RateLimiter | undefined;
  readonly #maxBuffered: number;
  #pumping = false;
  #failed = false;
  #state: ReadyState;
  #closeInfo: CloseInfo | undefined;
  #ended = false;
  #transportEnding = false;
  #deadline: TimerId | undefined;
  /** Received bytes not yet matched to a frame (only kept when tapped). */
  #raw: Uint8Array[] = [];
  #rawLength = 0;

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#conn = options.connection;
    this.id = options.id;
    this.path = options.path;
    this.#state = this.#conn.readyState;
    const rate = effectiveRate(options.rate, options.service.rate, options.query.get('rate'));
    this.#rate = rate === undefined ? undefined : new RateLimiter(rate, options.now);
    this.#maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.socket = this.#makeSocket();
  }

  get readyState(): ReadyState {
    return this.#conn.readyState;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Hands the socket to the service. Call once, after the handshake response is written. */
  start(): void {
    this.#emit({ kind: 'state', t: this.#o.now(), state: this.#conn.readyState });
    const ctx: ServiceContext = {
      timers: this.#makeTimers(),
      now: this.#o.now,
      log: (line) => this.#o.log?.(line),
    };
    const service = this.#o.service;
    const rules = service.breaksRules === true ? this.#makeRuleBreaker() : undefined;
    this.#pump(() => this.#guard(() => service.open(this.socket, ctx, rules)));
  }

  /** The /misbehave escape hatch (service.ts RuleBreaker): frames through the engine's sendFrame. */
  #makeRuleBreaker(): RuleBreaker {
    return {
      sendFrame: (frame) => {
        if (this.#ended) return;
        this.#pump(() => this.#conn.sendFrame(frame));
      },
    };
  }

  /**
   * Whether bytes may be lent to `receive` (memory the transport reuses once the call returns,
   * HostConnection.receiveBorrowed): not when tapped, as the tap keeps the bytes read.
   */
  get readsBorrowed(): boolean {
    return this.#o.tap === undefined;
  }

  /** Whether memory given to `receive` may still be referenced (Connection.holdsInput). */
  get holdsInput(): boolean {
    return this.#conn.holdsInput;
  }

  /** Bytes read from the transport. */
  receive(bytes: Uint8Array): void {
    if (this.#ended) return;
    if (this.#o.tap) {
      // 5.5.1: nothing read after the close is processed; show it as ignored bytes.
      if (this.#conn.readyState === 'CLOSED') {
        this.#emit({
          kind: 'bytes',
          t: this.#o.now(),
          from: 'client',
          bytes: bytes.slice(),
          note: 'read after the connection closed: ignored',
        });
        return;
      }
      this.#raw.push(bytes);
      this.#rawLength += bytes.length;
    }
    try {
      this.#feed(bytes);
    } catch (error) {
      this.#internalError(error);
    }
  }

  /**
   * A bug below the services (the engine, this file) must not take the process down with it,
   * nor leave the connection half alive: fail it with 1011 if the engine still can, and drop it.
   */
  #internalError(error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#o.log?.(`${this.id} ${this.path}: internal error: ${detail}`);
    if (this.#ended) return;
    try {
      this.#pumping = false;
      this.#conn.fail('INTERNAL');
      const chunks = this.#conn.dataToSend();
      if (chunks.length > 0) this.#o.wire.write(chunks);
      this.#transportEnding = true;
      this.#o.wire.end();
      this.#armDeadline();
    } catch {
      this.#o.wire.destroy();
      this.transportClosed();
    }
  }

  /** `#pump` for the hot path (no closure per chunk). */
  #feed(bytes: Uint8Array): void {
    if (this.#pumping) {
      this.#conn.receiveData(bytes);
      return;
    }
    this.#pumping = true;
    try {
      this.#conn.receiveData(bytes);
      this.#drainEvents();
    } finally {
      this.#pumping = false;
    }
    this.#flush();
  }

  /** The peer ended its side of the transport (TCP FIN). */
  receiveEof(): void {
    if (this.#ended) return;
    this.#emit({ kind: 'eof', t: this.#o.now(), from: 'client' });
    try {
      this.#pump(() => this.#conn.receiveEof());
    } catch (error) {
      this.#internalError(error);
    }
    if (!this.#ended && !this.#transportEnding) {
      // The peer will send nothing more: finish writing, then end our side too.
      this.#transportEnding = true;
      this.#o.wire.end();
      this.#armDeadline();
    }
  }

  /** The transport is fully closed (by either side, or an error). Idempotent. */
  transportClosed(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#conn.readyState !== 'CLOSED') {
      try {
        this.#conn.receiveEof();
      } catch {
        // the engine's own state is moot now: the close below is reported either way
      }
      this.#drainEvents();
    }
    this.#dropRaw('connection ended before these bytes formed a frame');
    this.#finish({ code: 1006, reason: '', wasClean: false });
    this.#emit({ kind: 'eof', t: this.#o.now(), from: 'server' });
    this.#clearTimers();
    if (this.#deadline !== undefined) this.#o.timers.clearTimeout(this.#deadline);
    this.#o.onEnd?.(this);
  }

  /** Sends a close from the host (e.g. 1001 on shutdown). */
  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  /** Drops the transport at once. */
  terminate(): void {
    this.socket.terminate();
  }

  #makeSocket(): ServiceSocket {
    const o = this.#o;
    const conn = this.#conn;
    const open = (): boolean => !this.#ended && conn.readyState === 'OPEN';
    // Inside a pump the bytes and frame events go out once, at its end; from a timer or
    // another socket (a chat broadcast), now: drain the engine's events too, or the frames this
    // send wrote would never reach the tap.
    const sent = (): void => {
      if (!this.#pumping) this.#pump(NOTHING);
    };
    // 5.4: a message the service sends in pieces (send(data, { fin: false })).
    const pieces = new FragmentedMessage();
    const sendData = (
      opcode: typeof Opcode.Text | typeof Opcode.Binary,
      data: string | Uint8Array,
      options: WsSendOptions | undefined,
    ): void => {
      if (!open()) return;
      const fin = options?.fin !== false;
      if (!fin || pieces.open) {
        const payload = typeof data === 'string' ? encodeUtf8(data) : data;
        conn.sendFrame(pieces.next(opcode, payload, fin));
      } else if (typeof data === 'string') conn.sendText(data);
      else conn.sendBinary(data);
      sent();
    };
    const state = (): ReadyState => (this.#ended ? 'CLOSED' : conn.readyState);
    const buffered = (): number => (this.#ended ? 0 : o.wire.bufferedAmount);
    return {
      id: o.id,
      path: o.path,
      protocol: o.protocol,
      query: o.query,
      remote: o.remote,
      ...(o.headers ? { headers: o.headers } : {}),
      get readyState() {
        return state();
      },
      get bufferedAmount() {
        return buffered();
      },
      send: (data: MessageData, options?: WsSendOptions) => {
        if (typeof data === 'string') sendData(Opcode.Text, data, options);
        else sendData(Opcode.Binary, data, options);
      },
      sendText: (text, options) => sendData(Opcode.Text, text, options),
      sendBinary: (data, options) => sendData(Opcode.Binary, data, options),
      ping: (data) => {
        if (!open()) return;
        conn.ping(data);
        sent();
      },
      pong: (data) => {
        if (!open()) return;
        conn.pong(data);
        sent();
      },
      close: (code, reason) => {
        if (this.#ended) return;
        this.#pump(() => conn.close(code, reason));
      },
      terminate: () => {
        if (this.#ended) return;
        o.wire.destroy();
        this.transportClosed();
      },
      on: (event, listener) => {
        (this.#listeners[event] as unknown[]).push(listener);
      },
    };
  }

  #makeTimers(): Timers {
    const host = this.#o.timers;
    return {
      setTimeout: (fn, ms) => {
        if (this.#ended) return undefined;
        const id = host.setTimeout(() => {
          this.#timers.delete(id);
          this.#pump(() => this.#guard(fn));
        }, ms);
        this.#timers.add(id);
        return id;
      },
      clearTimeout: (id) => {
        this.#timers.delete(id);
        host.clearTimeout(id);
      },
      setInterval: (fn, ms) => {
        if (this.#ended) return undefined;
        const id = host.setInterval(() => this.#pump(() => this.#guard(fn)), ms);
        this.#intervals.add(id);
        return id;
      },
      clearInterval: (id) => {
        this.#intervals.delete(id);
        host.clearInterval(id);
      },
    };
  }

  #clearTimers(): void {
    for (const id of this.#timers) this.#o.timers.clearTimeout(id);
    for (const id of this.#intervals) this.#o.timers.clearInterval(id);
    this.#timers.clear();
    this.#intervals.clear();
  }

  /** Calls each listener with `arg`; a throw closes the connection with 1011 (7.4.1). */
  #call<A>(listeners: ReadonlyArray<(arg: A) => void>, arg: A): void {
    for (const l of listeners) {
      try {
        l(arg);
      } catch (error) {
        this.#serviceFailed(error);
      }
    }
  }

  /** Runs a service callback; a throw closes the connection with 1011 (7.4.1). */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#serviceFailed(error);
    }
  }

  #serviceFailed(error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#o.log?.(`${this.id} ${this.path}: service error: ${detail}`);
    if (!this.#ended && this.#conn.readyState === 'OPEN') this.#conn.close(1011, 'internal error');
  }

  /** Runs an engine call, then handles every event it produced and writes what it queued. */
  #pump(fn: () => void): void {
    if (this.#pumping) {
      fn();
      return;
    }
    this.#pumping = true;
    try {
      fn();
      this.#drainEvents();
    } finally {
      this.#pumping = false;
    }
    this.#flush();
  }

  #drainEvents(): void {
    for (let events = this.#conn.events(); events.length > 0; events = this.#conn.events()) {
      for (const ev of events) this.#handle(ev);
    }
    this.#trackState();
  }

  #handle(ev: ConnectionEvent): void {
    switch (ev.kind) {
      case 'message':
        // Messages read before a close frame in the same chunk are still delivered; those
        // after a failure this session caused (rate limit) are not.
        if (this.#failed) return;
        if (this.#rate && !this.#rate.take()) {
          this.#failed = true;
          if (this.#conn.readyState === 'OPEN') {
            // 7.4.1 policy violation: fail the connection (close 1008, then TCP ends at once).
            this.#o.log?.(
              `${this.id} ${this.path}: over ${this.#rate.perSecond} messages/s: failing with 1008`,
            );
            this.#conn.fail('POLICY_VIOLATION', `rate limit: more than ${this.#rate.perSecond} messages/s`);
          }
          return;
        }
        this.#call(this.#listeners.message, ev.data);
        return;
      case 'ping':
        this.#call(this.#listeners.ping, ev.data);
        return;
      case 'pong':
        this.#call(this.#listeners.pong, ev.data);
        return;
      case 'frame':
        if (this.#o.tap)
          this.#emit({
            kind: 'frame',
            t: this.#o.now(),
            from: ev.from,
            bytes: ev.from === 'client' ? this.#takeRaw(ev.bytes) : ev.bytes,
          });
        return;
      case 'error':
        this.#emit({ kind: 'error', t: this.#o.now(), code: ev.error.code, message: ev.error.message });
        this.#dropRaw(`${ev.error.code}: ${ev.error.message}`);
        return;
      case 'close':
        this.#finish({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean });
        return;
      default:
        return;
    }
  }

  #trackState(): void {
    const state = this.#conn.readyState;
    if (state === this.#state) return;
    this.#state = state;
    this.#emit({ kind: 'state', t: this.#o.now(), state });
    if (state === 'CLOSING' || state === 'CLOSED') this.#armDeadline();
    if (state === 'CLOSED') this.#dropRaw('read after the connection closed: ignored');
  }

  /** Writes what the engine queued; ends the transport when the engine says so. */
  #flush(): void {
    if (this.#ended) return;
    this.#trackState();
    const chunks = this.#conn.dataToSend();
    if (chunks.length > 0) this.#o.wire.write(chunks);
    if (this.#ended) return;
    if (this.#conn.shouldCloseTransport && !this.#transportEnding) {
      this.#transportEnding = true;
      this.#o.wire.end();
      this.#armDeadline();
    }
    if (
      !this.#transportEnding &&
      this.#o.wire.bufferedAmount > this.#maxBuffered &&
      this.#conn.readyState === 'OPEN'
    ) {
      // Slow reader: stop queueing data for it (see the header comment).
      this.#o.log?.(
        `${this.id} ${this.path}: ${this.#o.wire.bufferedAmount} bytes unread: failing with 1008`,
      );
      this.#pump(() =>
        this.#conn.fail('POLICY_VIOLATION', `slow reader: over ${this.#maxBuffered} bytes unread`),
      );
    }
  }

  #armDeadline(): void {
    if (this.#deadline !== undefined || this.#ended) return;
    this.#deadline = this.#o.timers.setTimeout(() => {
      this.#deadline = undefined;
      if (this.#ended) return;
      this.#o.log?.(`${this.id} ${this.path}: close not completed in time: dropping TCP`);
      this.#o.wire.destroy();
      this.transportClosed();
    }, this.#o.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS);
  }

  #finish(info: CloseInfo): void {
    if (this.#closeInfo) return;
    this.#closeInfo = info;
    this.#emit({ kind: 'close', t: this.#o.now(), ...info });
    this.#call(this.#listeners.close, info);
    this.#clearTimers();
  }

  #emit(event: WireEvent): void {
    const tap = this.#o.tap;
    if (!tap) return;
    try {
      tap(event);
    } catch {
      // a broken subscriber never disturbs the connection it watches
    }
  }

  /** The next `n` bytes exactly as received (the engine's copy may be normalised). */
  #takeRaw(engineBytes: Uint8Array): Uint8Array {
    const n = engineBytes.length;
    if (this.#rawLength < n) return engineBytes; // should not happen: fall back to the engine's copy
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#raw[0] as Uint8Array;
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.#raw.shift();
      else this.#raw[0] = head.subarray(take);
    }
    this.#rawLength -= n;
    return out;
  }

  /** Reports received bytes that no frame accounts for (a violation, garbage, data after close). */
  #dropRaw(note: string): void {
    if (this.#rawLength === 0) return;
    const bytes = new Uint8Array(this.#rawLength);
    let at = 0;
    for (const c of this.#raw) {
      bytes.set(c, at);
      at += c.length;
    }
    this.#raw = [];
    this.#rawLength = 0;
    this.#emit({ kind: 'bytes', t: this.#o.now(), from: 'client' satisfies Side, bytes, note });
  }
}
