/**
 * What a session records: the transport's wire events (the bytes, as the engine's WireEvent)
 * and the page's own view of its socket (ApiEvent: what `new WebSocket()` and its events
 * showed, and what the learner called). Both are plain data with a timestamp `t` (epoch ms).
 */
import { utf8ByteLength } from '../lib/engine-basics.ts';
import type { ReadyState, WireEvent } from '../lib/engine.ts';

/** Data as the WebSocket API carried it: a string, or binary with the type the page saw. */
export type ApiData =
  | string
  /** `size` is set for a Blob, whose bytes are read asynchronously (empty until then). */
  | { type: 'Blob' | 'ArrayBuffer'; bytes: Uint8Array; size?: number };

export type ApiEvent =
  /** `new WebSocket(url, protocols)` */
  | { kind: 'api'; t: number; type: 'create'; url: string; protocols: string[] }
  /** readyState as the page saw it change */
  | { kind: 'api'; t: number; type: 'state'; state: ReadyState }
  | { kind: 'api'; t: number; type: 'open'; protocol: string; extensions: string }
  | { kind: 'api'; t: number; type: 'message'; data: ApiData }
  /**
   * `send(data)`, possibly as `fragments` frames (loopback). `buffered`: the socket's
   * bufferedAmount right after this send, the moment it is highest (it only grows on send), so
   * the largest of them is the send buffer's peak (backpressure lesson).
   */
  | { kind: 'api'; t: number; type: 'send'; data: ApiData; fragments?: number; buffered?: number }
  /** `close(code?, reason?)` */
  | { kind: 'api'; t: number; type: 'close-call'; code?: number; reason?: string }
  | { kind: 'api'; t: number; type: 'error'; message?: string }
  | { kind: 'api'; t: number; type: 'close'; code: number; reason: string; wasClean: boolean };

export type SessionEvent = WireEvent | ApiEvent;

export const READY_STATES: readonly ReadyState[] = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

export function readyStateName(n: number): ReadyState {
  return READY_STATES[n] ?? 'CLOSED';
}

export function apiDataSize(data: ApiData): number {
  return typeof data === 'string' ? utf8ByteLength(data) : (data.size ?? data.bytes.length);
}
