/** The server core on a recording transport and a hand-moved clock: bytes in, bytes out, no sockets. */
import { buildClientRequest, computeAccept } from '../protocol/handshake.ts';
import { fixedEntropy } from '../protocol/test-helpers.ts';
import type { WireEvent } from '../protocol/types.ts';
import type { Service } from '../services/service.ts';
import { ManualClock, RecordingWire } from '../services/testing.ts';
import {
  ServerCore,
  type AcceptOptions,
  type ConnectionInfo,
  type ServerCoreOptions,
} from './server-core.ts';
import type { Accepted, HostConnection } from './upgrade.ts';

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const ACCEPT = computeAccept(KEY);
export const MASK = new Uint8Array([1, 2, 3, 4]);

export const echo: Service = {
  path: '/echo',
  description: 'echo',
  protocols: ['chat'],
  open: (s) => s.on('message', (d) => s.send(d)),
};

/** The request a client writes for `path` (extra headers override the defaults). */
export function request(
  path = '/echo',
  extra: { protocols?: string[]; headers?: Record<string, string> } = {},
): string {
  return buildClientRequest({
    host: 'playground.local',
    path,
    key: KEY,
    origin: 'http://page.test',
    ...extra,
  });
}

export const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
export const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

export interface Peer {
  wire: RecordingWire & { closed: boolean };
  conn: HostConnection;
  events: WireEvent[];
  opened: Accepted[];
  /** What the core wrote since the last call, as Latin-1 text. */
  read(): string;
}

export interface Rig {
  core: ServerCore;
  clock: ManualClock;
  logs: string[];
  closed: Array<ConnectionInfo & { code: number }>;
  connect(options?: AcceptOptions): Peer;
}

export function rig(options: Partial<ServerCoreOptions> = {}): Rig {
  const clock = new ManualClock();
  const logs: string[] = [];
  const closed: Rig['closed'] = [];
  const core = new ServerCore({
    services: new Map([[echo.path, echo]]),
    entropy: fixedEntropy(),
    now: () => clock.now,
    timers: clock,
    log: (l) => logs.push(l),
    onClose: (i) => closed.push(i),
    ...options,
  });
  return {
    core,
    clock,
    logs,
    closed,
    connect(accept = {}) {
      const events: WireEvent[] = [];
      const opened: Accepted[] = [];
      const wire = Object.assign(new RecordingWire(), { closed: false });
      const conn = core.accept(
        {
          write: (chunks) => wire.write(chunks),
          get bufferedAmount() {
            return wire.bufferedAmount;
          },
          end: () => wire.end(),
          destroy: () => wire.destroy(),
          opened: (a) => opened.push(a),
          ended: () => {
            wire.closed = true;
          },
        },
        { tap: (e) => events.push(e), remote: '10.0.0.1:5000', address: '10.0.0.1', ...accept },
      );
      return { wire, conn, events, opened, read: () => latin1(wire.take()) };
    },
  };
}

/** The status line of an HTTP answer. */
export const statusLine = (answer: string): string => answer.slice(0, answer.indexOf('\r\n'));
