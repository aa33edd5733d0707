/**
 * What the lab needs of the loopback, in one module that is only ever loaded by a dynamic
 * import (mode.svelte.ts): the transport, the page's virtual network (conditions, faults) and a
 * way to drop one connection. Keep every value import of app/loopback for the lab here.
 */
import { getDefaultNetwork, type VirtualNetwork } from '../../loopback/network.ts';
import { LoopbackTransport } from '../../loopback/transport.ts';
import { LOOPBACK, LoopbackWebSocket } from '../../loopback/websocket.ts';
import type { Transport, WebSocketLike } from './transport.ts';

export interface LoopbackKit {
  readonly transport: Transport;
  /** The page's virtual network, shared with the sandboxes. */
  readonly network: VirtualNetwork;
  /** Breaks this socket's connection without a close frame (the page sees 1006); false if it is not a loopback socket. */
  drop(socket: WebSocketLike): boolean;
}

export function createLoopbackKit(): LoopbackKit {
  const transport: Transport = new LoopbackTransport();
  return {
    transport,
    get network() {
      return getDefaultNetwork();
    },
    drop(socket) {
      if (!(socket instanceof LoopbackWebSocket)) return false;
      socket[LOOPBACK].drop();
      return true;
    },
  };
}
