/**
 * The client end of one loopback connection: what the browser's network stack does for a
 * WebSocket, on a virtual TCP socket. It writes the opening handshake (RFC 6455 §4.1), checks
 * the answer, then drives an engine `Connection` (role client: every frame masked with a key
 * from the injected entropy) and reports to the API layer (LoopbackWebSocket) through a
 * `ClientSink`. It decides nothing about events or readyState: that is the API layer's job.
 */
import { Connection } from '../protocol/connection.ts';
import { buildClientRequest, generateKey, validateServerResponse } from '../protocol/handshake.ts';
import { BROWSER_DEFLATE_OFFER } from '../protocol/permessage-deflate.ts';
import { loadedDeflateCodec } from './page-deflate.ts';
import { HeadReader, parseResponse } from '../protocol/http.ts';
import type { ConnectionEvent, Entropy, ProtocolErrorLike } from '../protocol/types.ts';
import type { TimerId } from '../services/service.ts';
import type { VirtualSocket } from './link.ts';
import type { Scheduler } from './scheduler.ts';

/** Largest message the loopback client accepts (browsers have no small limit). */
export const CLIENT_MAX_MESSAGE_SIZE = 256 * 1024 * 1024;
/** How long the client waits for the closing handshake (and then for the server's FIN). */
export const CLIENT_CLOSE_TIMEOUT_MS = 5_000;

export interface CloseReport {
  code: number;
  reason: string;
  wasClean: boolean;
  /** The connection was failed (handshake refused, protocol error, aborted): 'error' comes first. */
  failed: boolean;
  /** Why it failed, when it did. */
  error?: ProtocolErrorLike | { code: string; message: string };
}

/** What the client end reports; each call happens inside a network task. */
export interface ClientSink {
  /** The handshake succeeded. */
  open(protocol: string, extensions: string): void;
  message(data: string | Uint8Array): void;
  /** The server started the closing handshake (its Close frame arrived). */
  closing(): void;
  /** `app` application bytes from send() left the send buffer. */
  transmitted(app: number): void;
  /** Once, at the end, whatever happened. */
  closed(report: CloseReport): void;
  /** A ping arrived (already answered unless autoPong is off). The browser API never sees it. */
  ping?(data: Uint8Array): void;
  /** A pong arrived. */
  pong?(data: Uint8Array): void;
}

/** What the API layer can ask of the client end. */
export interface ClientChannel {
  /**
   * False when the message was not queued (the closing handshake has started). `app` is what
   * the caller counted in bufferedAmount for it; `fragments` splits it into that many frames
   * (§5.4), which the browser's WebSocket never does.
   */
  sendText(text: string, app: number, fragments?: number): boolean;
  sendBinary(bytes: Uint8Array, fragments?: number): boolean;
  /** A ping (payload up to 125 bytes); false once closing. Throws RangeError over 125 bytes. */
  ping(data?: Uint8Array): boolean;
  /** An unsolicited pong (a one-way heartbeat). */
  pong(data?: Uint8Array): boolean;
  /** Starts the closing handshake; no code: an empty Close frame. */
  close(code?: number, reason?: string): void;
  /** Fails the connection now (close() while CONNECTING): TCP is dropped, no Close frame. */
  abort(message?: string): void;
  /** Breaks the connection with no Close frame, as a broken network would (the page sees 1006). */
  drop(): void;
}

export interface ClientEndpointOptions {
  url: URL;
  protocols: readonly string[];
  /** The Origin header (the page's origin); none when undefined. */
  origin: string | undefined;
  entropy: Entropy;
  scheduler: Scheduler;
  sink: ClientSink;
  closeTimeout?: number;
  /** Answer pings automatically (default true, as browsers always do). */
  autoPong?: boolean;
  /** Offer permessage-deflate as Chromium does (default true). */
  deflate?: boolean;
}

type Phase = 'connecting' | 'handshake' | 'open' | 'closed';

export class ClientEndpoint implements ClientChannel {
  readonly #o: ClientEndpointOptions;
  #phase: Phase = 'connecting';
  #socket: VirtualSocket | undefined;
  #key = '';
  readonly #head = new HeadReader();
  #conn: Connection | undefined;
  #closingReported = false;
  #failedWith: CloseReport['error'] | undefined;
  #closeTimer: TimerId | undefined;

  constructor(options: ClientEndpointOptions) {
    this.#o = options;
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** TCP is up: write the opening handshake. */
  connected(socket: VirtualSocket): void {
    if (this.#phase !== 'connecting') {
      socket.destroy(); // aborted meanwhile
      return;
    }
    this.#socket = socket;
    this.#phase = 'handshake';
    const { url, protocols, origin, entropy } = this.#o;
    this.#key = generateKey(entropy);
    const request = buildClientRequest({
      host: url.host,
      path: url.pathname + url.search,
      key: this.#key,
      protocols,
      // RFC 7692: Chromium's offer, so both modes show the same handshake and frames.
      extensions: this.#offers(),
      ...(origin !== undefined ? { origin } : {}),
    });
    socket.ondata = (bytes) => this.#onData(bytes);
    socket.onend = () => this.#onEnd();
    socket.onclose = () => this.#onTransportClosed();
    socket.ontransmit = (app) => this.#o.sink.transmitted(app);
    socket.write(latin1Bytes(request));
  }

  #offers(): string[] {
    // `?deflate=0` (uncompressedUrl: lessons, the lab's switch) also drops the offer here, so
    // such a connection's handshake is the plain RFC 6455 one.
    const off = this.#o.deflate === false || this.#o.url.searchParams.get('deflate') === '0';
    return off ? [] : [BROWSER_DEFLATE_OFFER];
  }

  /** No server at that address (connection refused). */
  refused(message: string): void {
    if (this.#phase !== 'connecting') return;
    this.#finish({
      code: 1006,
      reason: '',
      wasClean: false,
      failed: true,
      error: { code: 'CONNECTION_REFUSED', message },
    });
  }

  sendText(text: string, app: number, fragments = 1): boolean {
    return this.#send((conn) => conn.sendText(text, { fragments }), app);
  }

  sendBinary(bytes: Uint8Array, fragments = 1): boolean {
    return this.#send((conn) => conn.sendBinary(bytes, { fragments }), bytes.length);
  }

  ping(data: Uint8Array = new Uint8Array(0)): boolean {
    return this.#send((conn) => conn.ping(data), 0);
  }

  pong(data: Uint8Array = new Uint8Array(0)): boolean {
    return this.#send((conn) => conn.pong(data), 0);
  }

  /** Runs one engine send while open, then writes it; `app` is what bufferedAmount counts. */
  #send(send: (conn: Connection) => boolean, app: number): boolean {
    const conn = this.#conn;
    if (this.#phase !== 'open' || !conn || !send(conn)) return false;
    this.#flush(app);
    return true;
  }

  close(code?: number, reason?: string): void {
    const conn = this.#conn;
    if (this.#phase !== 'open' || !conn) return;
    this.#pump(() => conn.close(code, reason ?? ''));
  }

  abort(message = 'WebSocket is closed before the connection is established.'): void {
    if (this.#phase === 'closed') return;
    this.#failHandshake({ code: 'ABORTED', message });
  }

  drop(): void {
    if (this.#phase === 'closed') return;
    this.#socket?.cut();
    if (this.#phase === 'open') this.#pump(() => this.#conn?.receiveEof());
    else
      this.#finish({
        code: 1006,
        reason: '',
        wasClean: false,
        failed: true,
        error: { code: 'CONNECTION_LOST', message: 'The connection was dropped during the handshake' },
      });
  }

  #onData(bytes: Uint8Array): void {
    if (this.#phase === 'open') {
      const conn = this.#conn as Connection;
      this.#pump(() => conn.receiveData(bytes));
      return;
    }
    if (this.#phase !== 'handshake') return;
    const r = this.#head.push(bytes);
    if (r.kind === 'more') return;
    if (r.kind === 'error') {
      this.#failHandshake(r.error);
      return;
    }
    const parsed = parseResponse(r.text);
    if (!parsed.ok) {
      this.#failHandshake(parsed.error);
      return;
    }
    const verdict = validateServerResponse(parsed.response, {
      key: this.#key,
      protocols: this.#o.protocols,
      extensions: this.#offers(),
    });
    if (!verdict.ok) {
      this.#failHandshake(verdict.error);
      return;
    }
    // Fetch, "obtain a WebSocket connection": a client that offered subprotocols fails the
    // connection when the server picked none (RFC 6455 would allow it; browsers do not).
    if (this.#o.protocols.length > 0 && verdict.protocol === '') {
      this.#failHandshake({
        code: 'HANDSHAKE_NO_PROTOCOL',
        message: `Sent Sec-WebSocket-Protocol (${this.#o.protocols.join(', ')}) but the response chose none`,
      });
      return;
    }
    // What the page's WebSocket.extensions shows: the answer as the server wrote it.
    const extensions = parsed.response.headers['sec-websocket-extensions'] ?? '';
    const codec = loadedDeflateCodec();
    if (verdict.deflate !== undefined && codec === undefined) {
      // Cannot happen with the in-page server (it loads the codec before answering).
      this.#failHandshake({ code: 'DEFLATE_UNAVAILABLE', message: 'The page has no compressor loaded' });
      return;
    }
    const conn = new Connection({
      role: 'client',
      entropy: this.#o.entropy,
      maxMessageSize: CLIENT_MAX_MESSAGE_SIZE,
      clock: () => this.#o.scheduler.now(),
      protocol: verdict.protocol,
      extensions,
      autoPong: this.#o.autoPong ?? true,
      ...(verdict.deflate !== undefined && codec !== undefined
        ? { deflate: { params: verdict.deflate, codec } }
        : {}),
    });
    this.#conn = conn;
    this.#phase = 'open';
    // The bytes after the head are the server's first frames.
    this.#pump(() => {
      if (r.rest.length > 0) conn.receiveData(r.rest.slice());
    });
  }

  #onEnd(): void {
    if (this.#phase === 'open') {
      const conn = this.#conn as Connection;
      this.#pump(() => conn.receiveEof());
      this.#socket?.end();
      return;
    }
    if (this.#phase === 'handshake')
      this.#failHandshake({
        code: 'HANDSHAKE_EOF',
        message: 'The server closed the connection before answering the handshake',
      });
  }

  #onTransportClosed(): void {
    if (this.#phase === 'open') {
      const conn = this.#conn as Connection;
      this.#pump(() => conn.receiveEof());
      return;
    }
    if (this.#phase === 'handshake')
      this.#failHandshake({
        code: 'HANDSHAKE_EOF',
        message: 'The connection closed before the handshake completed',
      });
  }

  #failHandshake(error: { code: string; message: string }): void {
    this.#socket?.destroy();
    this.#finish({
      code: 1006,
      reason: '',
      wasClean: false,
      failed: true,
      error: { code: error.code, message: error.message },
    });
  }

  /** Runs an engine call, reports every event it produced, writes what it queued. */
  #pump(fn: () => void): void {
    const conn = this.#conn;
    if (!conn || this.#phase === 'closed') return;
    fn();
    // Until none are left: a Close read after a message waits until the message was taken.
    for (let events = conn.events(); events.length > 0; events = conn.events())
      for (const ev of events) if (this.#report(ev) === 'closed') return;
    if (conn.closeReceived && !this.#closingReported) {
      this.#closingReported = true;
      this.#o.sink.closing();
    }
    this.#flush(0);
  }

  /** Hands one engine event to the sink; 'closed' once the connection is over. */
  #report(ev: ConnectionEvent): 'closed' | undefined {
    switch (ev.kind) {
      case 'open':
        this.#o.sink.open(ev.protocol, ev.extensions);
        return undefined;
      case 'message':
        this.#o.sink.message(ev.data);
        return undefined;
      case 'error':
        this.#failedWith = ev.error;
        return undefined;
      case 'ping':
        this.#o.sink.ping?.(ev.data);
        return undefined;
      case 'pong':
        this.#o.sink.pong?.(ev.data);
        return undefined;
      case 'close':
        this.#flush(0);
        this.#finish({
          code: ev.code,
          reason: ev.reason,
          wasClean: ev.wasClean,
          failed: this.#failedWith !== undefined,
          ...(this.#failedWith ? { error: this.#failedWith } : {}),
        });
        return 'closed';
      default:
        // frames: the API hides them (the wire stream shows them)
        return undefined;
    }
  }

  /** Writes what the engine queued; `app` application bytes ride on it (for bufferedAmount). */
  #flush(app: number): void {
    const conn = this.#conn;
    const socket = this.#socket;
    if (!conn || !socket) return;
    const chunks = conn.dataToSend();
    for (let i = 0; i < chunks.length; i++)
      socket.write(chunks[i] as Uint8Array, i === chunks.length - 1 ? app : 0);
    if (conn.shouldCloseTransport) socket.end();
    if (conn.closeSent && this.#closeTimer === undefined && this.#phase === 'open') {
      // 7.1.1: the client waits for the server to end TCP, but not for ever.
      this.#closeTimer = this.#o.scheduler.setTimeout(() => {
        this.#closeTimer = undefined;
        if (this.#phase !== 'open') return;
        socket.destroy();
        this.#pump(() => conn.receiveEof());
      }, this.#o.closeTimeout ?? CLIENT_CLOSE_TIMEOUT_MS);
    }
  }

  #finish(report: CloseReport): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    if (this.#closeTimer !== undefined) this.#o.scheduler.clearTimeout(this.#closeTimer);
    this.#o.sink.closed(report);
  }
}

/** The handshake is ASCII; one byte per char (as http.ts reads it back). */
function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
