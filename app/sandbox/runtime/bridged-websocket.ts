/**
 * The sandbox's `WebSocket` for learner code: the WHATWG interface (WhatwgWebSocket, the same
 * rules as LoopbackWebSocket) whose connection runs on the page's virtual network, across the
 * worker's MessagePort. The worker asks the page with `ws:*` messages (send, close, abort) and
 * the page answers with one message per network event (open, message, closing, transmitted,
 * closed); each arrives in its own task, so each event is dispatched from its own task, as the
 * browser does. Every API-visible step is also reported (`sock:report`) so the page can mirror
 * the socket in the lab.
 *
 * In server mode a socket to a host the page does not serve is the browser's own
 * (`openNative`); `instanceof` holds for both kinds.
 */
import {
  defineWebSocketInterface,
  parseProtocols,
  parseWebSocketUrl,
  WhatwgWebSocket,
  type ApiActivity,
  type OutgoingData,
} from '../../loopback/whatwg-websocket.ts';
import type { HostMessage, WorkerMessage } from '../protocol.ts';

/** What the bridged sockets need from the worker around them. */
export interface BridgeRuntime {
  post(m: WorkerMessage): void;
  /** Relative URLs resolve against it (the page's base URL). */
  base(): string | undefined;
  /** A fresh socket id, shared with the worker's other kinds of socket. */
  nextId(): number;
  /** The browser's own socket for this URL when it should not be bridged (server mode). */
  openNative?(url: URL, protocols: string[]): WebSocket | undefined;
  /** The browser's WebSocket, so its sockets are `instanceof` the sandbox's class too. */
  nativeClass?: typeof WebSocket;
}

export interface BridgedSockets {
  /** The class learner code gets as `WebSocket`. */
  WebSocket: typeof WhatwgWebSocket;
  /** Delivers a `ws:*` message from the page; false when no bridged socket has that id. */
  deliver(m: HostMessage): boolean;
  /** A live bridged socket by id (the lab's commands). */
  get(id: number): WhatwgWebSocket | undefined;
}

type ToSocket = Extract<
  HostMessage,
  { kind: 'ws:open' | 'ws:message' | 'ws:closing' | 'ws:transmitted' | 'ws:closed' }
>;

export function createBridgedSockets(runtime: BridgeRuntime): BridgedSockets {
  const live = new Map<number, BridgedWebSocket>();
  let receive!: (socket: BridgedWebSocket, m: ToSocket) => void;

  class BridgedWebSocket extends WhatwgWebSocket {
    // Not set when the constructor returns a native socket instead.
    readonly #id!: number;

    constructor(url: string | URL, protocols?: string | Iterable<string>) {
      if (arguments.length < 1)
        throw new TypeError("Failed to construct 'WebSocket': 1 argument required, but only 0 present.");
      const parsed = parseWebSocketUrl(url, runtime.base());
      const list = parseProtocols(protocols);
      const native = runtime.openNative?.(parsed, list);
      if (native) return native as unknown as BridgedWebSocket;
      super(parsed);
      this.#id = runtime.nextId();
      live.set(this.#id, this);
      runtime.post({ kind: 'sock:create', id: this.#id, url: this.url, protocols: list, route: 'loopback' });
    }

    static override [Symbol.hasInstance](value: unknown): boolean {
      return (
        Function.prototype[Symbol.hasInstance].call(BridgedWebSocket, value) ||
        (typeof runtime.nativeClass === 'function' && value instanceof runtime.nativeClass)
      );
    }

    static {
      receive = (socket, m) => socket.#receive(m);
    }

    #receive(m: ToSocket): void {
      switch (m.kind) {
        case 'ws:open':
          this.connectionOpened(m.protocol, m.extensions);
          return;
        case 'ws:message':
          this.messageReceived(typeof m.data === 'string' ? m.data : new Uint8Array(m.data));
          return;
        case 'ws:closing':
          this.closingStarted();
          return;
        case 'ws:transmitted':
          this.bytesTransmitted(m.bytes);
          return;
        case 'ws:closed':
          live.delete(this.#id);
          this.connectionClosed(m);
          return;
      }
    }

    protected override transmit(data: OutgoingData): void {
      const wire = data.kind === 'text' ? data.text : (data.bytes.slice().buffer as ArrayBuffer);
      runtime.post({ kind: 'ws:send', id: this.#id, data: wire });
    }

    protected override transmitClose(code: number | undefined, reason: string): void {
      runtime.post({
        kind: 'ws:close',
        id: this.#id,
        ...(code !== undefined ? { code } : {}),
        ...(reason ? { reason } : {}),
      });
    }

    protected override failConnection(): void {
      runtime.post({ kind: 'ws:abort', id: this.#id });
    }

    /** Each page message is its own task already: the event is dispatched in it. */
    protected override queueTask(fn: () => void): void {
      fn();
    }

    protected override observe(activity: ApiActivity): void {
      runtime.post({
        kind: 'sock:report',
        id: this.#id,
        report: activity,
        readyState: this.readyState,
        bufferedAmount: this.bufferedAmount,
      });
    }
  }
  defineWebSocketInterface(BridgedWebSocket);
  Object.defineProperty(BridgedWebSocket, 'name', { value: 'WebSocket' });

  return {
    WebSocket: BridgedWebSocket,
    deliver: (m) => {
      if (!('id' in m)) return false;
      const socket = live.get(m.id);
      if (!socket) return false;
      switch (m.kind) {
        case 'ws:open':
        case 'ws:message':
        case 'ws:closing':
        case 'ws:transmitted':
        case 'ws:closed':
          receive(socket, m);
          return true;
        default:
          return false;
      }
    },
    get: (id) => live.get(id),
  };
}
