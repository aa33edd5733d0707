/**
 * The transport adapter layer: how the lab opens a connection, whatever carries it.
 * README.md beside this file says how a transport plugs in.
 */
import type { WireEvent } from '../lib/engine.ts';
import type { ApiData } from '../connection/events.ts';

export type TransportLabel = 'server' | 'loopback';

/** What the lab needs of a socket: the WHATWG WebSocket surface (LoopbackWebSocket has it too). */
export interface WebSocketLike {
  readonly url: string;
  readonly readyState: number;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: Event) => void): void;
  removeEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: Event) => void): void;
}

/** A connection's wire events. `subscribe` replays the events so far first, then follows. */
export interface WireStream {
  subscribe(fn: (event: WireEvent) => void): () => void;
}

export interface OpenedConnection {
  socket: WebSocketLike;
  /** Undefined when the bytes cannot be seen (a server that is not ours has no tap). */
  wire: WireStream | undefined;
  /** Why `wire` is missing, in one sentence for the learner. */
  wireNote?: string;
  /**
   * Through the relay (server mode): the second leg, from our server to the learner's own
   * server, as a wire stream of its own (no page socket is on that leg).
   */
  onward?: { wire: WireStream; target: string };
  /** Ends whatever the transport opened beside the socket (the tap); called once, at the end. */
  dispose(): void;
  /**
   * Calls its owner made on the socket (`send`, `close`), for a socket the lab did not open
   * itself (one opened by the learner's code): `fn` records each. Returns unsubscribe.
   */
  calls?(fn: (call: SocketCall) => void): () => void;
}

/** A call made on the socket by the code that owns it. */
export type SocketCall =
  { kind: 'send'; data: ApiData } | { kind: 'close-call'; code?: number; reason?: string };

export interface Transport {
  readonly label: TransportLabel;
  /** One line for the learner: where the sockets go. */
  readonly description: string;
  /**
   * Can the learner choose how many frames one message goes out as (§5.4)? Not with the
   * browser's WebSocket, which decides itself (Chromium sends a message of up to about 128 KiB
   * as one frame and splits a bigger one into frames of about 128 KiB); the loopback can.
   */
  readonly canFragment: boolean;
  /** The URL for a bundled endpoint path such as '/echo' or '/close?code=4000'. */
  endpointUrl(path: string): string;
  /**
   * Opens a socket. Throws like `new WebSocket()` does (SyntaxError for a bad URL or a bad
   * subprotocol list); the lab validates first, so a throw here is shown as it is.
   */
  open(url: string, protocols: readonly string[]): OpenedConnection;
  /**
   * The relay URL that reaches `target` through our server with both legs tapped (server mode
   * only: the loopback has no server to relay through). Undefined for our own endpoints.
   */
  relayUrl?(target: string): string | undefined;
  /**
   * Sends one message as `fragments` frames (only when `canFragment`): text for a string,
   * binary for bytes.
   */
  sendFragmented?(socket: WebSocketLike, data: string | Uint8Array, fragments: number): void;
}
