/**
 * permessage-deflate on the loopback: the client offers it as Chromium does, the in-page
 * server accepts it (pako loaded on first use), and the wire shows compressed frames.
 */
import { describe, expect, test } from 'vitest';
import type { WireEvent } from '../protocol/types.ts';
import { rig } from './test-support.ts';
import { WIRE } from './wire.ts';

function wireOf(ws: { [WIRE]: { subscribe(f: (e: WireEvent) => void): () => void } }): WireEvent[] {
  const events: WireEvent[] = [];
  ws[WIRE].subscribe((e) => events.push(e));
  return events;
}

describe('permessage-deflate in the loopback', () => {
  test("the handshake carries Chromium's offer and the answer; frames carry RSV1; the text comes back", () => {
    const { WS, run } = rig();
    const ws = new WS('ws://playground.local/echo');
    const got: string[] = [];
    ws.onmessage = (e) => got.push(e.data as string);
    const text = 'compress me, compress me, compress me, compress me';
    ws.onopen = () => ws.send(text);
    run();
    const wire = wireOf(ws);
    const request = wire.find((e) => e.kind === 'handshake' && e.from === 'client');
    const response = wire.find((e) => e.kind === 'handshake' && e.from === 'server');
    expect(request?.kind === 'handshake' && request.text).toContain(
      'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n',
    );
    expect(response?.kind === 'handshake' && response.text).toContain(
      'Sec-WebSocket-Extensions: permessage-deflate\r\n',
    );
    expect(ws.extensions).toBe('permessage-deflate');
    expect(got).toEqual([text]);
    const frames = wire.flatMap((e) => (e.kind === 'frame' ? [e] : []));
    // RFC 7692 §6: 0xC1 = FIN + RSV1 + text, both ways; the payload is shorter than the text.
    expect(frames.map((f) => [f.from, f.bytes[0]])).toEqual([
      ['client', 0xc1],
      ['server', 0xc1],
    ]);
    const server = frames[1]!.bytes;
    expect(server[1]).toBeLessThan(text.length);
  });

  test('?deflate=0 turns it off for that connection: no answer, plain frames', () => {
    const { WS, run } = rig();
    const ws = new WS('ws://playground.local/echo?deflate=0');
    ws.onopen = () => ws.send('plain');
    run();
    const wire = wireOf(ws);
    expect(ws.extensions).toBe('');
    expect(wire.flatMap((e) => (e.kind === 'frame' ? [e.bytes[0]] : []))).toEqual([0x81, 0x81]);
  });
});
