/**
 * LoopbackWebSocket: the browser's WebSocket interface over the virtual network (network.ts)
 * instead of the browser's network stack. Code written for `WebSocket` runs unchanged against
 * it; where the two behave differently, this is wrong (the e2e behaviour suite runs the same
 * scenarios on both). The standard's rules (arguments, readyState, bufferedAmount, events) are
 * WhatwgWebSocket's (whatwg-websocket.ts); this file connects them to a ClientChannel.
 */
import { utf8ByteLength } from '../protocol/utf8.ts';
import type { ClientChannel } from './client.ts';
import { getDefaultNetwork, type VirtualNetwork } from './network.ts';
import {
  defineWebSocketInterface,
  parseProtocols,
  parseWebSocketUrl,
  WhatwgWebSocket,
  type OutgoingData,
} from './whatwg-websocket.ts';
import { WIRE, type WireSource } from './wire.ts';

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

/** The network the socket being constructed belongs to (set by a `bindNetwork` class). */
let constructingFor: { network: VirtualNetwork; origin?: string } | undefined;

function baseUrl(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

export class LoopbackWebSocket extends WhatwgWebSocket {
  readonly #channel: ClientChannel;
  readonly #network: VirtualNetwork;

  /** The connection's wire events (see wire.ts). */
  readonly [WIRE]: WireSource;
  readonly [LOOPBACK]: LoopbackControls;

  constructor(url: string | URL, protocols: string | Iterable<string> = []) {
    // Taken first: argument conversions below may run page code that makes other sockets.
    const bound = constructingFor;
    constructingFor = undefined;
    if (arguments.length < 1)
      throw new TypeError("Failed to construct 'WebSocket': 1 argument required, but only 0 present.");
    const parsed = parseWebSocketUrl(url, baseUrl());
    const list = parseProtocols(protocols);
    super(parsed);

    const network = bound?.network ?? getDefaultNetwork();
    this.#network = network;
    const { channel, wire, id } = network.connect(
      parsed,
      list,
      {
        open: (protocol, extensions) => this.connectionOpened(protocol, extensions),
        message: (data) => this.messageReceived(data),
        closing: () => this.closingStarted(),
        transmitted: (n) => this.bytesTransmitted(n),
        closed: (report) => this.connectionClosed(report),
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
        this.assertNotConnecting();
        const n = Math.max(1, Math.floor(fragments));
        if (typeof data === 'string') {
          const app = utf8ByteLength(data);
          this.queueOutgoing({ kind: 'text', text: data, app, fragments: n }, app);
        } else {
          this.queueOutgoing({ kind: 'bytes', bytes: data.slice(), fragments: n }, data.length);
        }
      },
    };
  }

  protected override transmit(data: OutgoingData): void {
    if (data.kind === 'text') this.#channel.sendText(data.text, data.app, data.fragments);
    else this.#channel.sendBinary(data.bytes, data.fragments);
  }

  protected override transmitClose(code: number | undefined, reason: string): void {
    this.#channel.close(code, reason);
  }

  protected override failConnection(why?: string): void {
    this.#channel.abort(why);
  }

  protected override queueTask(fn: () => void): void {
    this.#network.scheduler.queueTask(fn);
  }
}

defineWebSocketInterface(LoopbackWebSocket);

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
