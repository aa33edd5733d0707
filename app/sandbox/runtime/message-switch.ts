/**
 * Where each message from the page goes in the worker: set-up (`init`, `hosts`, `run`), the
 * lab's commands on a socket (`sock:cmd`), socket events (`ws:*`, to a bridged browser-API socket
 * or a ws client), and learner servers' traffic (`srv:*`, `conn:*`).
 */
import type { HostMessage, InitRequest, RunRequest } from '../protocol.ts';

export type SocketCommand = Extract<HostMessage, { kind: 'sock:cmd' }>;

export interface HostMessageHandlers {
  init(init: InitRequest): void;
  hosts(virtualHosts: string[]): void;
  run(run: RunRequest): void;
  command(m: SocketCommand): void;
  /** Each takes a `ws:*` message for its sockets (true) or leaves it (false), in this order. */
  sockets: readonly ((m: HostMessage) => boolean)[];
  /** `srv:*` and `conn:*`. */
  servers(m: HostMessage): void;
}

export function createMessageSwitch(h: HostMessageHandlers): (m: HostMessage) => void {
  return (m) => {
    switch (m.kind) {
      case 'init':
        return h.init(m.init);
      case 'hosts':
        return h.hosts(m.virtualHosts);
      case 'run':
        return h.run(m.run);
      case 'sock:cmd':
        return h.command(m);
      default:
        break;
    }
    if (m.kind.startsWith('ws:')) {
      for (const take of h.sockets) if (take(m)) return;
      return;
    }
    h.servers(m);
  };
}
