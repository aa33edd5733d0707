/**
 * The connection lab's loopback transport (the shape of app/ui/transport/transport.ts `Transport`,
 * matched structurally: the loopback never imports the UI).
 *
 * Sockets to a host on the virtual network (playground.local, the page's own host) are
 * LoopbackWebSockets, with every byte visible through socket[WIRE] and messages that can be
 * fragmented. Any other host is out of the page's reach for the loopback, so it gets the
 * browser's own WebSocket, without bytes (as DevTools would show it).
 */
import { getDefaultNetwork, LOOPBACK_HOST, type VirtualNetwork } from './network.ts';
import { bindNetwork, LOOPBACK, LoopbackWebSocket } from './websocket.ts';
import { WIRE, type WireSource } from './wire.ts';

export interface LoopbackOpened {
  socket: WebSocket | LoopbackWebSocket;
  wire: WireSource | undefined;
  wireNote?: string;
  dispose(): void;
}

export class LoopbackTransport {
  readonly label = 'loopback' as const;
  readonly canFragment = true;
  readonly description: string;
  readonly #network: () => VirtualNetwork;
  readonly #host: string;
  readonly #origin: string | undefined;

  /** `network`: default the page's own (shared with the sandboxes). `origin`: the Origin header its
   *  sockets send instead of the network's (a lesson's probe posing as another site). */
  constructor(options: { network?: VirtualNetwork; host?: string; origin?: string } = {}) {
    const fixed = options.network;
    this.#network = fixed ? () => fixed : getDefaultNetwork;
    this.#host = options.host ?? LOOPBACK_HOST;
    this.#origin = options.origin;
    this.description = `the in-page virtual network (${this.#host}): the same services and real RFC 6455 bytes, with no server`;
  }

  get network(): VirtualNetwork {
    return this.#network();
  }

  /** '/echo' -> ws://playground.local/echo */
  endpointUrl(path: string): string {
    return `ws://${this.#host}${path.startsWith('/') ? path : '/' + path}`;
  }

  /** Throws like `new WebSocket()` (SyntaxError) for a bad URL or protocol list. */
  open(url: string, protocols: readonly string[]): LoopbackOpened {
    const network = this.#network();
    let target: URL | undefined;
    try {
      target = new URL(url, (globalThis as { document?: { baseURI?: string } }).document?.baseURI);
    } catch {
      target = undefined; // the constructor below throws the right SyntaxError
    }
    if (
      target &&
      /^(wss?|https?):$/.test(target.protocol) &&
      !network.serves(target) &&
      typeof WebSocket === 'function'
    ) {
      const socket = new WebSocket(url, [...protocols]);
      return {
        socket,
        wire: undefined,
        wireNote: `${target.host} is not on the in-page network, so the browser's own WebSocket carries this socket and its bytes cannot be seen: you see what the API shows, as DevTools would.`,
        dispose() {},
      };
    }
    const WS = bindNetwork(network, this.#origin !== undefined ? { origin: this.#origin } : {});
    const socket = new WS(url, [...protocols]);
    return { socket, wire: socket[WIRE], dispose() {} };
  }

  /** One message as `fragments` frames (§5.4): text for a string, binary for bytes. */
  sendFragmented(socket: unknown, data: string | Uint8Array, fragments: number): void {
    if (!(socket instanceof LoopbackWebSocket))
      throw new TypeError('only a loopback socket can send fragmented messages');
    socket[LOOPBACK].sendFragmented(data, fragments);
  }
}
