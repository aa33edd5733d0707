/**
 * Server mode (dev and preview): the browser's own WebSocket to the Node server on this page's
 * host, and the byte tap for the bytes. Sockets to other hosts work too, without bytes (the
 * tap only sees connections to our server).
 */
import { TAP_PATH, TapClient, tapToken, withTap } from './tap-client.ts';

/** The relay's path on our server (app/server/relay.ts). */
export const RELAY_PATH = '__relay';

/** The target of a relay URL (`?to=`), or undefined when `url` is not one. */
export function relayTargetOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.pathname.endsWith(`/${RELAY_PATH}`) ? (u.searchParams.get('to') ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}
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

  relayUrl(target: string): string | undefined {
    if (this.isOurs(target)) return undefined;
    return `${wsUrl(RELAY_PATH, this.#base)}?to=${encodeURIComponent(target)}`;
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
    const tapUrl = wsUrl(TAP_PATH, this.#base);
    const tap = new TapClient(`${tapUrl}?token=${token}`);
    const target = relayTargetOf(url);
    // The relay taps its onward leg under the token suffixed with -onward (app/server/README.md).
    const onward = target !== undefined ? new TapClient(`${tapUrl}?token=${token}-onward`) : undefined;
    const socket = new WebSocket(withTap(url, token), [...protocols]);
    return {
      socket,
      wire: tap,
      ...(onward && target !== undefined ? { onward: { wire: onward, target } } : {}),
      dispose: () => {
        tap.close();
        onward?.close();
      },
    };
  }
}
