/**
 * The service API: what the playground's server-side apps (echo, chat, ...) are written
 * against. It is transport-neutral: the Node server (app/server) and the in-page virtual
 * network (app/loopback) both host the same services through `Session` (session.ts), which
 * binds one engine `Connection` to one `ServiceSocket`. No Node, no DOM here.
 */
import type { Frame, ReadyState } from '../protocol/types.ts';

/** A timer handle from the host's timers; opaque to services. */
export type TimerId = unknown;

/** Injected timers. The host clears every timer a connection made when it closes. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
  setInterval(fn: () => void, ms: number): TimerId;
  clearInterval(id: TimerId): void;
}

/** A message as the application sees it: text is a string, binary a Uint8Array. */
export type MessageData = string | Uint8Array;

export interface CloseInfo {
  /** The code the peer sent, 1005 when its close frame had no code, 1006 when TCP dropped. */
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * Bytes handed to a listener (binary message data, ping and pong payloads) are lent for the
 * call: the Node server reads each socket into a buffer it reuses for the next read
 * (app/server/reused-reads.ts), so a service that keeps them past its listener keeps a copy
 * (`data.slice()`, as /chat does for its history). Sending them back at once is fine: the host
 * sees to it that bytes still waiting to be written are not overwritten.
 */
export interface SocketEvents {
  message: (data: MessageData) => void;
  ping: (data: Uint8Array) => void;
  pong: (data: Uint8Array) => void;
  /** Once, when the connection is CLOSED (cleanly or not). */
  close: (info: CloseInfo) => void;
}

/** A service's send options, as the `ws` package's `send(data, options)` has them (`fin`). */
export interface WsSendOptions {
  /**
   * false: this is not the message's last frame, the next send continues it (5.4): the first
   * piece goes out as TEXT/BINARY with FIN clear, the following as CONTINUATION frames, the
   * one sent with `fin: true` (the default) ends the message.
   */
  fin?: boolean;
}

/** One accepted WebSocket connection, as a service sees it. */
export interface ServiceSocket {
  /** Unique per host, e.g. 'c17'. */
  readonly id: string;
  /** The endpoint path, e.g. '/echo'. */
  readonly path: string;
  /** The negotiated subprotocol, '' when none. */
  readonly protocol: string;
  /** The request's query, without the transport's own keys (`tap`). */
  readonly query: URLSearchParams;
  /** Who is on the other end, for logs ('127.0.0.1:50312', 'loopback#3'). */
  readonly remote: string;
  /** The handshake request's headers, names lower-cased (Origin included), as the server core (app/host) gives them on both hosts. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly readyState: ReadyState;
  /** Bytes handed to the transport and not yet written out. */
  readonly bufferedAmount: number;
  /** Sends a text message (binary for a Uint8Array). Ignored unless OPEN. */
  send(data: MessageData, options?: WsSendOptions): void;
  sendText(text: string, options?: WsSendOptions): void;
  sendBinary(data: Uint8Array, options?: WsSendOptions): void;
  ping(data?: Uint8Array): void;
  pong(data?: Uint8Array): void;
  /** Starts the closing handshake (7.1.2); the host bounds it with a timeout. No code: empty close. */
  close(code?: number, reason?: string): void;
  /** Drops the transport at once, without a close frame: the peer sees 1006. */
  terminate(): void;
  on<K extends keyof SocketEvents>(event: K, listener: SocketEvents[K]): void;
}

/** Per-connection context handed to `Service.open`. */
export interface ServiceContext {
  /** Timers owned by this connection: all cleared when it closes. */
  readonly timers: Timers;
  /** Milliseconds since the epoch (injected clock). */
  now(): number;
  /** A line for the host's log (the classroom console, the page's console). */
  log(line: string): void;
}

/**
 * ESCAPE HATCH, for /misbehave only (misbehave.ts): writes frames the engine never writes
 * through its normal API. The host hands one to `open` only for a service that sets
 * `breaksRules: true`; no other service ever sees it.
 */
export interface RuleBreaker {
  /**
   * Writes exactly this frame, rule-breaking or not (MASK set by a server, a reserved opcode,
   * RSV1 with no extension, a 126-byte or fragmented ping, data after our Close, bytes that are
   * not UTF-8 in a text frame). It goes out through the engine's `sendFrame`, after every frame
   * queued before it, and is tapped as a `frame` event like any other. A Close sent this way
   * counts as ours. Ignored once the connection is CLOSED.
   */
  sendFrame(frame: Frame): void;
}

/** What the host is about to answer to an upgrade it accepted (the engine's valid 101). */
export interface HandshakeAnswer {
  /** The complete 101 response text, ending with the empty line. */
  response: string;
  /** The request's Sec-WebSocket-Key. */
  key: string;
  /** The subprotocols the client offered, in its order. */
  offeredProtocols: readonly string[];
  /** The request's query, without the host's own keys (tap). */
  query: URLSearchParams;
}

/** One endpoint. `open` is called once per accepted connection, after the handshake. */
export interface Service {
  /** e.g. '/echo' */
  readonly path: string;
  /** One line for indexes and `--help`. */
  readonly description: string;
  /** Subprotocols it speaks, in the server's order; the first of the client's list found here wins. */
  readonly protocols?: readonly string[];
  /** Largest message accepted (bytes); over it the connection fails with 1009. Host default: 1 MiB. */
  readonly maxMessageSize?: number;
  /** Messages per second per connection; over it, close 1008. Default: none (opt-in, see session.ts). */
  readonly rate?: number;
  /**
   * Accept permessage-deflate (RFC 7692) when the client offers it. Default true (both hosts;
   * a client opts out with `?deflate=0`). /misbehave says false: its RSV1 experiment needs RSV1
   * to mean "no extension agreed".
   */
  readonly deflate?: boolean;
  /**
   * ESCAPE HATCH, for /misbehave only: `open` then gets a `RuleBreaker` as its third argument.
   */
  readonly breaksRules?: boolean;
  /**
   * ESCAPE HATCH, for /misbehave only: the 101 response text to write instead of the engine's
   * (a wrong Sec-WebSocket-Accept, a subprotocol nobody offered). Both hosts call it after the
   * engine accepted the request (the server core, app/host/upgrade.ts), and tap what it returns.
   */
  breakHandshake?(answer: HandshakeAnswer): string;
  /**
   * Answers the handshake's Sec-WebSocket-Accept itself (4.2.2): called with the client's
   * Sec-WebSocket-Key, its result goes into the 101 verbatim (lessons: the learner's own
   * function, whose mistake the client then refuses, 4.1). A value that cannot be a header
   * value, or a throw, gets a 500 instead. Absent: the host computes it. Both hosts honour it
   * (the server core, app/host/hooks.ts).
   */
  acceptKey?(key: string): string | PromiseLike<string>;
  /**
   * A slow reader on purpose (the backpressure lesson): the bytes per second at which the host
   * reads this connection's incoming bytes, from the request's query; undefined: as fast as they
   * come. The Node server pauses the TCP socket between reads (its buffers fill, TCP's window
   * closes, and the sender's own buffer, the browser's `bufferedAmount`, grows); the loopback
   * caps the client's side of the virtual link at that rate.
   */
  readRate?(query: URLSearchParams): number | undefined;
  /**
   * Decides on each handshake before it is answered, as the `ws` package's `verifyClient`
   * (RFC 6455 4.2.2 item 4: a server may refuse an Origin it does not accept, with 403; 10.2):
   * `true` goes on to the 101; `{ status, message }` answers that HTTP error (400-599) instead,
   * and the service never hears of the client. A throw or anything else answers 500. Absent:
   * every valid handshake is accepted. Both hosts honour it (the server core, app/host/hooks.ts).
   */
  verifyClient?(request: ClientRequestInfo): VerifyVerdict | PromiseLike<VerifyVerdict>;
  open(socket: ServiceSocket, ctx: ServiceContext, rules?: RuleBreaker): void;
}

/** The handshake request as `verifyClient` sees it. */
export interface ClientRequestInfo {
  /** The request target: path and query ('/?token=abc'). */
  url: string;
  /** Header names lower-cased; repeated headers joined with ', '. */
  headers: Readonly<Record<string, string>>;
}

/** `verifyClient`'s answer: accept, or refuse with an HTTP status and a short text. */
export type VerifyVerdict = true | { status: number; message?: string };

/** path -> service. */
export type ServiceIndex = ReadonlyMap<string, Service>;
