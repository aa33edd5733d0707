/**
 * The page's end of the sandbox's bridged sockets (runtime/bridged-websocket.ts and the `ws`
 * client): for each `sock:create` on the loopback route, a connection on the sandbox network,
 * whose events go back to the worker as `ws:*` messages; the worker's `ws:*` calls act on it.
 */
import type { ClientChannel, ClientSink } from '../loopback/client.ts';
import type { ConnectOptions } from '../loopback/network.ts';
import type { WireLog, WireSource } from '../loopback/wire.ts';
import { utf8ByteLength } from '../protocol/utf8.ts';
import type { HostMessage, WorkerMessage } from './protocol.ts';

/** What the bridge connects through: the sandbox network (network.ts), or a test's. */
export interface Connector {
  connect(
    url: URL,
    protocols: readonly string[],
    sink: ClientSink,
    options?: ConnectOptions,
  ): { channel: ClientChannel; wire: WireLog; id: string };
}

interface Bridged {
  channel: ClientChannel;
  /** A Blob being read, and what was asked after it. */
  pending: Promise<void> | undefined;
  node: boolean;
}

type Create = Extract<WorkerMessage, { kind: 'sock:create' }>;
export type BridgedCall = Extract<
  WorkerMessage,
  { kind: 'ws:send' | 'ws:close' | 'ws:abort' | 'ws:ping' | 'ws:pong' }
>;

const copy = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

export class BridgedConnections {
  readonly #network: Connector;
  readonly #post: (m: HostMessage) => void;
  readonly #bridged = new Map<number, Bridged>();

  constructor(network: Connector, post: (m: HostMessage) => void) {
    this.#network = network;
    this.#post = post;
  }

  /** Connects a socket the worker created (loopback route); its wire events, or undefined. */
  open(m: Create, protocols: string[]): WireSource | undefined {
    let url: URL;
    try {
      url = new URL(m.url);
    } catch {
      return undefined;
    }
    const id = m.id;
    const node = m.node !== undefined;
    const post = this.#post;
    const { channel, wire } = this.#network.connect(
      url,
      protocols,
      {
        open: (protocol, extensions) => post({ kind: 'ws:open', id, protocol, extensions }),
        message: (d) => post({ kind: 'ws:message', id, data: typeof d === 'string' ? d : copy(d) }),
        closing: () => post({ kind: 'ws:closing', id }),
        transmitted: (bytes) => post({ kind: 'ws:transmitted', id, bytes }),
        // Only a Node-style client hears pings and pongs; the browser API never does.
        ping: (d) => {
          if (node) post({ kind: 'ws:ping', id, data: copy(d) });
        },
        pong: (d) => {
          if (node) post({ kind: 'ws:pong', id, data: copy(d) });
        },
        closed: (r) => {
          this.#bridged.delete(id);
          post({
            kind: 'ws:closed',
            id,
            code: r.code,
            reason: r.reason,
            wasClean: r.wasClean,
            failed: r.failed,
            ...(r.error ? { error: r.error.message } : {}),
          });
        },
      },
      { autoPong: m.node?.autoPong !== false },
    );
    this.#bridged.set(id, { channel, pending: undefined, node });
    return wire;
  }

  /**
   * What the worker's socket asks of its connection, at once; a Blob to send is read first, and
   * what was asked after it waits, so the order holds.
   */
  call(m: BridgedCall): void {
    const b = this.#bridged.get(m.id);
    if (!b) return;
    if (!b.pending && !(m.kind === 'ws:send' && m.data instanceof Blob)) {
      void this.#act(b, m);
      return;
    }
    const next = (b.pending ?? Promise.resolve()).then(() => this.#act(b, m));
    b.pending = next;
    void next.finally(() => {
      if (b.pending === next) b.pending = undefined;
    });
  }

  #act(b: Bridged, m: BridgedCall): Promise<void> | undefined {
    const ch = b.channel;
    switch (m.kind) {
      case 'ws:send': {
        const d = m.data;
        if (typeof d === 'string') ch.sendText(d, utf8ByteLength(d));
        else if (d instanceof Blob)
          return d.arrayBuffer().then((buffer) => {
            ch.sendBinary(new Uint8Array(buffer));
          });
        else ch.sendBinary(new Uint8Array(d));
        return undefined;
      }
      case 'ws:close':
        ch.close(m.code, m.reason);
        return undefined;
      case 'ws:abort':
        if (b.node) ch.drop();
        else ch.abort();
        return undefined;
      case 'ws:ping':
        ch.ping(new Uint8Array(m.data));
        return undefined;
      case 'ws:pong':
        ch.pong(new Uint8Array(m.data));
        return undefined;
    }
  }

  /** The sandbox ended: every connection drops, as when a process dies. */
  dropAll(): void {
    for (const b of this.#bridged.values()) b.channel.drop();
    this.#bridged.clear();
  }
}
