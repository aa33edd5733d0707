/**
 * Server mode (dev and preview): the browser's own WebSocket to the Node server on this page's
 * host, and the byte tap for the bytes. Sockets to other hosts work too, without bytes (the
 * tap only sees connections to our server).
 */
import { TAP_PATH, TapClient, tapToken, withTap } from './tap-client.ts';
import type { OpenedConnection, Transport } from './transport.ts';

function wsUrl(path: string, base: string): string {
  const u = new URL(path.replace(/^\//, ''), base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export class ServerTransport implements Transport {
  readonly label = 'server' as const;
  readonly canFragment = false;
  readonly description: string;
  readonly #base: string;

  constructor(base: string = document.baseURI) {
    this.#base = base;
    this.description = `the Node server at ${new URL(base).host}, bytes mirrored by its tap`;
  }

  endpointUrl(path: string): string {
    return wsUrl(path, this.#base);
  }

  /** Is `url` on our server (then its bytes can be tapped)? */
  isOurs(url: string): boolean {
    try {
      return new URL(url).host === new URL(this.#base).host;
    } catch {
      return false;
    }
  }

  open(url: string, protocols: readonly string[]): OpenedConnection {
    if (!this.isOurs(url)) {
      const socket = new WebSocket(url, [...protocols]);
      return {
        socket,
        wire: undefined,
        wireNote: `${new URL(url).host} is not the playground's server, so its bytes cannot be tapped: you see what the API shows, as DevTools would.`,
        dispose() {},
      };
    }
    const token = tapToken();
    const tap = new TapClient(`${wsUrl(TAP_PATH, this.#base)}?token=${token}`);
    const socket = new WebSocket(withTap(url, token), [...protocols]);
    return { socket, wire: tap, dispose: () => tap.close() };
  }
}
