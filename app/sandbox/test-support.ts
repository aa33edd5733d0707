/**
 * The sandbox's bridged WebSocket on manual time, for the behaviour suite
 * (app/loopback/websocket.test.ts runs it against this and LoopbackWebSocket): the worker's
 * side (runtime/bridged-websocket.ts) and the page's side (bridged-connections.ts), joined by
 * a stand-in for their MessagePort that delivers each message in its own task.
 */
import { rig, type SocketRig } from '../loopback/test-support.ts';
import type { VirtualNetworkOptions } from '../loopback/network.ts';
import { BridgedConnections, type BridgedCall } from './bridged-connections.ts';
import type { HostMessage, WorkerMessage } from './protocol.ts';
import { createBridgedSockets } from './runtime/bridged-websocket.ts';

export interface BridgedRig extends SocketRig {
  /** Every message the worker posted, in order. */
  fromWorker: WorkerMessage[];
}

export function bridgedRig(options: VirtualNetworkOptions = {}): BridgedRig {
  const base = rig(options);
  const { scheduler, network } = base;
  const fromWorker: WorkerMessage[] = [];
  let nextId = 1;
  const sockets = createBridgedSockets({
    post: (m) => {
      fromWorker.push(m);
      scheduler.queueTask(() => toPage(m));
    },
    // As LoopbackWebSocket here: no document, so no base URL.
    base: () => undefined,
    nextId: () => nextId++,
  });
  const page = new BridgedConnections(network, (m: HostMessage) =>
    scheduler.queueTask(() => void sockets.deliver(m)),
  );
  const toPage = (m: WorkerMessage): void => {
    if (m.kind === 'sock:create') void page.open(m, m.protocols);
    else if (m.kind.startsWith('ws:')) page.call(m as BridgedCall);
  };
  return { ...base, WS: sockets.WebSocket as unknown as SocketRig['WS'], fromWorker };
}
