/**
 * LabConnection: one connection as the lab shows it. Its socket (when live), its recorded events
 * (the session: SessionLog, SessionEvent, a session file), and everything derived from them
 * (frames, fragments, timeline, handshake, lifecycle). Panels render a LabConnection; one made
 * from an event list (an import, a lesson's recording) renders the same way, read-only.
 * Not to be confused with app/services' `Session`, which binds a server-side connection to a
 * service.
 *
 * Events arrive in bursts (1,000 frames a second is a test case): they are queued and appended
 * at most every 50 ms (on an animation frame), and the derived lists grow incrementally (SessionLog), so an update
 * costs what arrived, not what is stored.
 */
import type { ReadyState, WireEvent } from '../lib/engine.ts';
import { type ApiData, type ApiEvent, readyStateName, type SessionEvent } from './events.ts';
import { SessionLog } from './session-log.ts';
import { requestTarget, shortName } from './names.ts';
import type {
  OpenedConnection,
  Transport,
  TransportLabel,
  WebSocketLike,
  WireStream,
} from '../transport/transport.ts';

export type ConnectionSource = TransportLabel | 'import' | 'recording';

export interface LabConnectionOptions {
  name?: string;
  /** Epoch milliseconds, integer, like the server's clock (so ties order causes first). */
  now?: () => number;
  /** Runs `flush` soon (default: the next animation frame). */
  schedule?: (flush: () => void) => void;
}

/** How the lab sends one message: `times` copies, each as `fragments` frames (loopback only). */
export interface SendCounts {
  times?: number;
  fragments?: number;
}

let nextId = 1;

/** Least time between two updates while events stream in (20 a second is live to the eye). */
export const MIN_UPDATE_MS = 50;
let lastUpdate = 0;

/** The next animation frame, but no sooner than MIN_UPDATE_MS after the previous update. */
const defaultSchedule = (fn: () => void): void => {
  const run = (): void => {
    lastUpdate = performance.now();
    fn();
  };
  const wait = lastUpdate + MIN_UPDATE_MS - performance.now();
  const frame =
    typeof requestAnimationFrame === 'function'
      ? requestAnimationFrame
      : (f: () => void) => setTimeout(f, 16);
  if (wait > 4) setTimeout(() => frame(run), wait - 4);
  else frame(run);
};

export class LabConnection {
  readonly id = nextId++;
  name = $state('');
  readonly url: string;
  readonly protocols: readonly string[];
  readonly source: ConnectionSource;
  readonly transport: Transport | undefined;

  /** Live socket properties, polled (the API has no events for them). */
  bufferedAmount = $state(0);
  /** Highest bufferedAmount seen: the gauge's scale. */
  bufferedPeak = $state(0);
  protocol = $state('');
  extensions = $state('');
  binaryType = $state<BinaryType>('blob');
  /** Why the bytes are not shown (a server without a tap), or problems with the tap. */
  notes = $state<string[]>([]);
  /**
   * The browser's own WebSocket goes straight to a host that is neither our server nor on the
   * in-page network (a learner's own server): nothing of ours is on the path, so no bytes.
   */
  direct = $state(false);
  /**
   * Through the relay: the onward leg (our server to the learner's server) as a session of its
   * own, live but with no page socket; and the target it reaches.
   */
  onward = $state<LabConnection | undefined>(undefined);
  relayTarget = $state<string | undefined>(undefined);

  readonly #log = new SessionLog();
  #version = $state(0);
  #pending: SessionEvent[] = [];
  #scheduled = false;
  /** Highest bufferedAmount sampled right after a send, published at the next flush. */
  #peakSeen = 0;
  readonly #now: () => number;
  readonly #schedule: (fn: () => void) => void;
  #socket: WebSocketLike | undefined;
  #opened: OpenedConnection | undefined;
  #unsubscribe: (() => void) | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;
  #lastState: ReadyState | undefined;

  private constructor(
    source: ConnectionSource,
    url: string,
    protocols: readonly string[],
    transport: Transport | undefined,
    options: LabConnectionOptions,
  ) {
    this.source = source;
    this.url = url;
    this.protocols = protocols;
    this.transport = transport;
    this.name = options.name ?? shortName(url);
    this.#now = options.now ?? (() => Date.now());
    this.#schedule = options.schedule ?? defaultSchedule;
  }

  /** Opens a live connection. Throws what `new WebSocket()` throws (the lab validates first). */
  static connect(
    transport: Transport,
    url: string,
    protocols: readonly string[],
    options: LabConnectionOptions = {},
  ): LabConnection {
    const s = new LabConnection(transport.label, url, protocols, transport, options);
    s.#open();
    return s;
  }

  /** A live view of a wire stream with no page socket of its own (the relay's onward leg). */
  static follow(wire: WireStream, options: LabConnectionOptions & { url: string }): LabConnection {
    const s = new LabConnection('server', options.url, [], undefined, options);
    s.#unsubscribe = wire.subscribe((e) => s.#push(e));
    return s;
  }

  /** A read-only session from recorded events (an import, a lesson's fixture). */
  static fromEvents(
    events: readonly SessionEvent[],
    options: LabConnectionOptions & { url?: string; source?: ConnectionSource } = {},
  ): LabConnection {
    const create = events.find(
      (e): e is Extract<ApiEvent, { type: 'create' }> => e.kind === 'api' && e.type === 'create',
    );
    const url = options.url ?? create?.url ?? requestTarget(events) ?? '(recording)';
    const s = new LabConnection(
      options.source ?? 'recording',
      url,
      create?.protocols ?? [],
      undefined,
      options,
    );
    s.#log.append(events);
    const open = events.find(
      (e): e is Extract<ApiEvent, { type: 'open' }> => e.kind === 'api' && e.type === 'open',
    );
    if (open) {
      s.protocol = open.protocol;
      s.extensions = open.extensions;
    }
    return s;
  }

  // ---- reading -------------------------------------------------------------------------

  /** The record. Reading it subscribes to updates (the log itself is mutated in place). */
  get log(): SessionLog {
    void this.#version;
    return this.#log;
  }

  /** Increases with every update; for keyed effects. */
  get version(): number {
    return this.#version;
  }

  get live(): boolean {
    return this.#socket !== undefined;
  }

  get readyState(): ReadyState | undefined {
    return this.log.readyState;
  }

  /** Is the socket open enough to send (the API throws in CONNECTING)? */
  get canSend(): boolean {
    return this.live && this.readyState === 'OPEN';
  }

  get socket(): WebSocketLike | undefined {
    return this.#socket;
  }

  // ---- acting --------------------------------------------------------------------------

  /** Sends one message `times` times. Returns an error message instead of throwing. */
  send(data: string | Uint8Array | Blob, options: SendCounts = {}): string | undefined {
    const socket = this.#socket;
    if (!socket) return 'This connection is not live.';
    const times = Math.max(1, Math.floor(options.times ?? 1));
    const fragments = Math.max(1, Math.floor(options.fragments ?? 1));
    if (fragments > 1 && !this.transport?.sendFragmented) {
      return "The browser's WebSocket chooses the frames itself (Chromium splits only messages over about 128 KiB): choosing the number of frames needs the loopback transport.";
    }
    if (fragments > 1 && data instanceof Blob)
      return 'Fragmenting a file is not supported: send it whole, or as hex.';
    try {
      for (let i = 0; i < times; i++) {
        // The call's time is taken before it runs: its frame may reach the server's tap within
        // the same millisecond, and the call must not read as coming after its own frame.
        const at = this.#now();
        if (fragments > 1) this.transport!.sendFragmented!(socket, data as string | Uint8Array, fragments);
        else socket.send(data instanceof Uint8Array ? data.slice() : data);
        this.#api(
          {
            type: 'send',
            data: apiData(data),
            ...(fragments > 1 ? { fragments } : {}),
            buffered: socket.bufferedAmount,
          },
          at,
        );
      }
    } catch (error) {
      this.#pollSocket();
      return domErrorMessage(error);
    }
    // The peak is caught now (it may drain before the next update); the gauge is updated with
    // the next batch, not once per send (a burst of sends would be as many page updates).
    const buffered = socket.bufferedAmount;
    if (buffered > this.#peakSeen) this.#peakSeen = buffered;
    return undefined;
  }

  /** `close(code?, reason?)`, recorded; returns the browser's exception message if it throws. */
  close(code?: number, reason?: string): string | undefined {
    const socket = this.#socket;
    if (!socket) return 'This connection is not live.';
    const at = this.#now(); // before the call, as for send()
    try {
      if (code === undefined) socket.close();
      else if (reason === undefined || reason === '') socket.close(code);
      else socket.close(code, reason);
    } catch (error) {
      return domErrorMessage(error);
    }
    this.#api(
      { type: 'close-call', ...(code !== undefined ? { code } : {}), ...(reason ? { reason } : {}) },
      at,
    );
    // close() turns the readyState to CLOSING before it returns: at the call's time, not the poll's.
    if (socket.readyState === 2) this.#state('CLOSING', at);
    this.#pollSocket();
    return undefined;
  }

  setBinaryType(type: BinaryType): void {
    this.binaryType = type;
    if (this.#socket) this.#socket.binaryType = type;
  }

  /** Applies queued events now (tests; the UI waits for the next frame). */
  flush(): void {
    this.#scheduled = false;
    this.#pollSocket();
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#log.append(batch);
    this.#version++;
  }

  /** Closes the socket if still open and stops listening. */
  dispose(): void {
    if (this.#socket && this.#socket.readyState < 2) this.#socket.close(1000);
    this.#stop();
    this.#detach?.();
    this.#unsubscribe?.();
    this.#opened?.dispose();
    this.onward?.dispose();
  }

  // ---- internals -----------------------------------------------------------------------

  #open(): void {
    const transport = this.transport!;
    this.#api({ type: 'create', url: this.url, protocols: [...this.protocols] });
    let opened: OpenedConnection;
    try {
      opened = transport.open(this.url, this.protocols);
    } catch (error) {
      // Mirrors the API: the constructor threw, no socket exists.
      this.#api({ type: 'error', message: domErrorMessage(error) });
      this.flush();
      return;
    }
    this.#opened = opened;
    const socket = (this.#socket = opened.socket);
    socket.binaryType = this.binaryType;
    if (opened.wireNote) this.notes = [...this.notes, opened.wireNote];
    this.direct = opened.wire === undefined;
    if (opened.onward) {
      this.relayTarget = opened.onward.target;
      this.onward = LabConnection.follow(opened.onward.wire, {
        url: opened.onward.target,
        name: `relay → ${shortName(opened.onward.target)}`,
        now: this.#now,
        schedule: this.#schedule,
      });
    }
    this.#state(readyStateName(socket.readyState));

    const onOpen = (): void => {
      this.protocol = socket.protocol;
      this.extensions = socket.extensions;
      this.#state('OPEN');
      this.#api({ type: 'open', protocol: socket.protocol, extensions: socket.extensions });
    };
    const onMessage = (e: Event): void => {
      const data = (e as MessageEvent).data as unknown;
      if (typeof data === 'string') return this.#api({ type: 'message', data });
      if (data instanceof ArrayBuffer)
        return this.#api({ type: 'message', data: { type: 'ArrayBuffer', bytes: new Uint8Array(data) } });
      if (data instanceof Blob) {
        const event = {
          kind: 'api',
          t: this.#now(),
          type: 'message',
          data: { type: 'Blob', bytes: new Uint8Array(0), size: data.size },
        } as const;
        this.#push(event);
        void data.arrayBuffer().then((buf) => {
          (event.data as { bytes: Uint8Array }).bytes = new Uint8Array(buf);
          this.#version++;
        });
      }
    };
    const onError = (): void => this.#api({ type: 'error' });
    const onClose = (e: Event): void => {
      const c = e as CloseEvent;
      // WHATWG: a received Close frame starts the closing handshake (readyState CLOSING) before
      // CLOSED; it can pass in under a millisecond, between two polls. An abnormal closure
      // (no Close frame, 1006) goes straight to CLOSED.
      if (this.#lastState === 'OPEN' && c.code !== 1006) this.#state('CLOSING');
      this.#state('CLOSED');
      this.#api({ type: 'close', code: c.code, reason: c.reason, wasClean: c.wasClean });
      this.#stop();
      this.bufferedAmount = socket.bufferedAmount;
      // Let the tap deliver the last bytes (the server's EOF), then stop listening to it.
      setTimeout(() => this.#opened?.dispose(), 3000);
    };
    socket.addEventListener('open', onOpen);
    socket.addEventListener('message', onMessage);
    socket.addEventListener('error', onError);
    socket.addEventListener('close', onClose);
    this.#detach = () => {
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('message', onMessage);
      socket.removeEventListener('error', onError);
      socket.removeEventListener('close', onClose);
    };
    const unsubscribeWire = opened.wire?.subscribe((e: WireEvent) => {
      this.#push(e);
      if (opened.onward) this.#relayRefusal(e);
    });
    const unsubscribeCalls = opened.calls?.((call) => {
      // The owner's report of a send carries the bufferedAmount right after it (the mirror is
      // updated before the call is told), so the trace has the peak even between two polls.
      this.#api(
        call.kind === 'send'
          ? { type: 'send', data: call.data, buffered: socket.bufferedAmount }
          : {
              type: 'close-call',
              ...(call.code !== undefined ? { code: call.code } : {}),
              ...(call.reason !== undefined ? { reason: call.reason } : {}),
            },
      );
      if (call.kind === 'send' && socket.bufferedAmount > this.#peakSeen)
        this.#peakSeen = socket.bufferedAmount;
      this.#pollSocket();
    });
    this.#unsubscribe = () => {
      unsubscribeWire?.();
      unsubscribeCalls?.();
    };
    // Polled with the updates (a flush polls first): one page update, not two, per 50 ms.
    this.#poll = setInterval(() => this.#request(), MIN_UPDATE_MS);
  }

  #detach: (() => void) | undefined;

  /** The relay answered with an error instead of a 101: its body says why (and how to allow it). */
  #relayRefusal(e: WireEvent): void {
    if (e.kind !== 'handshake' || e.from !== 'server' || /^HTTP\/1\.1 101 /.test(e.text)) return;
    const split = e.text.indexOf('\r\n\r\n');
    const status = e.text.slice(0, e.text.indexOf('\r\n')).replace(/^HTTP\/1\.1 /, '');
    const body = split === -1 ? '' : e.text.slice(split + 4).trim();
    this.notes = [...this.notes, `The relay answered ${status}: ${body || 'no reason given.'}`];
  }

  #stop(): void {
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** readyState and bufferedAmount have no events: read them. */
  #pollSocket(): void {
    const socket = this.#socket;
    if (!socket) return;
    const state = readyStateName(socket.readyState);
    // CLOSED is recorded by the close event, with its code.
    if (state !== 'CLOSED') this.#state(state);
    const buffered = socket.bufferedAmount;
    if (buffered !== this.bufferedAmount) this.bufferedAmount = buffered;
    const peak = Math.max(buffered, this.#peakSeen);
    if (peak > this.bufferedPeak) this.bufferedPeak = peak;
  }

  #state(state: ReadyState, at?: number): void {
    if (state === this.#lastState) return;
    this.#lastState = state;
    this.#api({ type: 'state', state }, at);
  }

  #api(e: DistributiveOmit<ApiEvent, 'kind' | 't'>, at = this.#now()): void {
    this.#push({ kind: 'api', t: at, ...e } as ApiEvent);
  }

  #push(e: SessionEvent): void {
    this.#pending.push(e);
    this.#request();
  }

  /** Schedules a flush (events, and the socket's polled properties) unless one is pending. */
  #request(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(() => this.flush());
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function apiData(data: string | Uint8Array | Blob): ApiData {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return { type: 'ArrayBuffer', bytes: data.slice() };
  return { type: 'Blob', bytes: new Uint8Array(0), size: data.size };
}

function domErrorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
