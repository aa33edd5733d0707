/** Shared by the loopback unit tests: a network on manual time with predictable randomness. */
import type { LinkConditions } from './link.ts';
import { VirtualNetwork, type VirtualNetworkOptions } from './network.ts';
import { ManualScheduler } from './scheduler.ts';
import { bindNetwork, type LoopbackWebSocket } from './websocket.ts';
import type { WhatwgWebSocket } from './whatwg-websocket.ts';
import { loadPageDeflate } from './page-deflate.ts';
import type { WireEvent } from '../protocol/types.ts';
import { WIRE } from './wire.ts';

// The page loads its compressor (pako) the first time a connection negotiates
// permessage-deflate, and the 101 waits for it; on manual time, tests want the handshake to be
// synchronous, so it is loaded before any test runs.
await loadPageDeflate();

/** Bytes 0, 1, 2, ... (mod 256): mask keys and Sec-WebSocket-Key are stable. */
export function countingEntropy(): { randomBytes(n: number): Uint8Array } {
  let i = 0;
  return { randomBytes: (n) => Uint8Array.from({ length: n }, () => i++ & 0xff) };
}

/** A WebSocket class as code sees it: constructible, with the readyState constants. */
export interface WebSocketClass {
  new (url: string | URL, protocols?: string | Iterable<string>): WhatwgWebSocket;
  readonly prototype: WhatwgWebSocket;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
}

/** One of our WebSocket implementations on a network on manual time. */
export interface SocketRig {
  scheduler: ManualScheduler;
  network: VirtualNetwork;
  WS: WebSocketClass;
  /** Runs every task and timer due within `ms` (default: until idle, bounded at 60 s). */
  run(ms?: number): void;
}

export interface Rig extends SocketRig {
  WS: typeof LoopbackWebSocket;
}

export function rig(options: VirtualNetworkOptions & { conditions?: Partial<LinkConditions> } = {}): Rig {
  const scheduler = new ManualScheduler();
  const network = new VirtualNetwork({
    scheduler,
    entropy: countingEntropy(),
    hosts: ['playground.local', 'localhost:5173'],
    ...options,
  });
  return {
    scheduler,
    network,
    WS: bindNetwork(network),
    run: (ms) => (ms === undefined ? scheduler.runAll() : scheduler.advance(ms)),
  };
}

/** Records every event a socket fires, as short strings. */
export function record(ws: EventTarget): string[] {
  const log: string[] = [];
  ws.addEventListener('open', () => log.push('open'));
  ws.addEventListener('message', (e) => {
    const d = (e as MessageEvent).data as unknown;
    if (typeof d === 'string') log.push(`message:${d}`);
    else if (d instanceof ArrayBuffer) log.push(`message:ab[${new Uint8Array(d).join(',')}]`);
    else if (d instanceof Blob) log.push(`message:blob(${d.size})`);
    else log.push(`message:?`);
  });
  ws.addEventListener('error', () => log.push('error'));
  ws.addEventListener('close', (e) => {
    const c = e as CloseEvent;
    log.push(`close:${c.code}:${c.reason}:${c.wasClean}`);
  });
  return log;
}

/** A socket's wire events, from now on (the server side's handshake, frames, eof...). */
export function wireOf(ws: { [WIRE]: { subscribe(fn: (e: WireEvent) => void): () => void } }): WireEvent[] {
  const events: WireEvent[] = [];
  ws[WIRE].subscribe((e) => events.push(e));
  return events;
}

/** The server's handshake answer in a wire log, as written ('' when none). */
export const response = (events: WireEvent[]): string =>
  events.find(
    (e): e is Extract<WireEvent, { kind: 'handshake' }> => e.kind === 'handshake' && e.from === 'server',
  )?.text ?? '';
