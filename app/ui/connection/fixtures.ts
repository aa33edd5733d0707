/**
 * Synthetic sessions made with the engine's encoder: for tests, screenshots and lessons that
 * need a recording without a server. Times are fixed so the output is reproducible.
 */
import { encodeFrame, encodeUtf8, type Frame, type Side, type WireEvent } from '../lib/engine.ts';
import type { SessionEvent } from './events.ts';

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

export function frameBytes(from: Side, opcode: number, payload: Uint8Array | string, fin = true): Uint8Array {
  const data = typeof payload === 'string' ? encodeUtf8(payload) : payload;
  const frame: Frame = { fin, rsv1: false, rsv2: false, rsv3: false, opcode, payload: data };
  if (from === 'client') frame.maskKey = KEY;
  return encodeFrame(frame);
}

export function frameEvent(
  t: number,
  from: Side,
  opcode: number,
  payload: Uint8Array | string,
  fin = true,
): WireEvent {
  return { kind: 'frame', t, from, bytes: frameBytes(from, opcode, payload, fin) };
}

export const REQUEST =
  'GET /echo HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
export const RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

/** An echo conversation as the page and the tap would record it. */
export function echoSession(t0 = 1_700_000_000_000): SessionEvent[] {
  const close = Uint8Array.of(0x0f, 0xa0, ...encodeUtf8('bye'));
  return [
    { kind: 'api', t: t0, type: 'create', url: 'ws://example.test/echo', protocols: [] },
    { kind: 'api', t: t0, type: 'state', state: 'CONNECTING' },
    { kind: 'handshake', t: t0 + 1, from: 'client', text: REQUEST },
    { kind: 'handshake', t: t0 + 2, from: 'server', text: RESPONSE },
    { kind: 'api', t: t0 + 3, type: 'state', state: 'OPEN' },
    { kind: 'api', t: t0 + 3, type: 'open', protocol: '', extensions: '' },
    { kind: 'api', t: t0 + 10, type: 'send', data: 'hello' },
    frameEvent(t0 + 10, 'client', 0x1, 'hello'),
    frameEvent(t0 + 11, 'server', 0x1, 'hello'),
    { kind: 'api', t: t0 + 11, type: 'message', data: 'hello' },
    frameEvent(t0 + 20, 'server', 0x9, 'hb'),
    frameEvent(t0 + 21, 'client', 0xa, 'hb'),
    frameEvent(t0 + 30, 'server', 0x1, 'Hel', false),
    frameEvent(t0 + 31, 'server', 0x0, 'lo', true),
    { kind: 'api', t: t0 + 31, type: 'message', data: 'Hello' },
    { kind: 'api', t: t0 + 40, type: 'close-call', code: 4000, reason: 'bye' },
    { kind: 'api', t: t0 + 40, type: 'state', state: 'CLOSING' },
    frameEvent(t0 + 40, 'client', 0x8, close),
    frameEvent(t0 + 41, 'server', 0x8, close),
    { kind: 'eof', t: t0 + 42, from: 'server' },
    { kind: 'api', t: t0 + 42, type: 'state', state: 'CLOSED' },
    { kind: 'api', t: t0 + 42, type: 'close', code: 4000, reason: 'bye', wasClean: true },
  ];
}
