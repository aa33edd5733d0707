/**
 * /misbehave on the virtual network, with LoopbackWebSocket (our engine) as the client: it fails
 * the connection as RFC 6455 says (its Close frame carries the RFC's code), the page sees what
 * the WHATWG standard says (error, then close 1006), and the wire log holds the offending frame.
 */
import { describe, expect, test } from 'vitest';
import type { WireEvent } from '../protocol/types.ts';
import { record, rig } from './test-support.ts';
import { WIRE } from './wire.ts';

/** Every wire event so far (the log replays them to a new subscriber). */
function wireOf(ws: { [WIRE]: { subscribe(fn: (e: WireEvent) => void): () => void } }): WireEvent[] {
  const out: WireEvent[] = [];
  ws[WIRE].subscribe((e) => out.push(e))();
  return out;
}

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

function run(query: string, protocols?: string[]): { log: string[]; wire: WireEvent[] } {
  const r = rig();
  const ws = new r.WS(`ws://playground.local/misbehave?${query}`, protocols);
  const log = record(ws);
  r.run();
  return { log, wire: wireOf(ws) };
}

const serverFrames = (wire: WireEvent[]): string[] =>
  wire.flatMap((e) => (e.kind === 'frame' && e.from === 'server' ? [hex(e.bytes)] : []));

/** The code of the client's first Close frame (masked: key at bytes 2..5). */
function clientCloseCode(wire: WireEvent[]): number | undefined {
  const f = wire.find((e) => e.kind === 'frame' && e.from === 'client' && (e.bytes[0]! & 0x0f) === 8);
  if (f?.kind !== 'frame') return undefined;
  const b = f.bytes;
  return ((b[6]! ^ b[2]!) << 8) | (b[7]! ^ b[3]!);
}

describe('/misbehave on the virtual network, LoopbackWebSocket as the client', () => {
  const frameCases: [string, string, number][] = [
    ['masked-frame', '818537fa213d5f9f4d5158', 1002],
    ['bad-utf8', '810ccebae1bdb9cebcceb5eda080', 1007],
    ['big-ping', '897e007e', 1002],
    ['reserved-opcode', '8308', 1002],
    ['fragmented-ping', '090b', 1002],
    ['rsv1', 'c105', 1002],
  ];

  test.each(frameCases)(
    'do=%s: the wire log has %s…; the client fails with close %i; the page sees error, then close 1006',
    (what, head, code) => {
      const { log, wire } = run(`do=${what}`);
      expect(serverFrames(wire)[0]?.startsWith(head)).toBe(true);
      expect(clientCloseCode(wire)).toBe(code);
      expect(log).toEqual(['open', 'error', 'close:1006::false']);
      // The server answered the client's Close and saw a clean closing handshake.
      expect(wire.find((e) => e.kind === 'close')).toMatchObject({ code, wasClean: true });
    },
  );

  test('do=bad-accept: the client refuses the 101 (4.1): error, then close 1006, never open', () => {
    const { log, wire } = run('do=bad-accept');
    expect(log).toEqual(['error', 'close:1006::false']);
    const answer = wire.find((e) => e.kind === 'handshake' && e.from === 'server');
    expect(answer?.kind === 'handshake' && answer.text).toMatch(/^HTTP\/1\.1 101 /);
    // Nothing was framed: the client never spoke WebSocket on this connection.
    expect(wire.filter((e) => e.kind === 'frame' && e.from === 'client')).toEqual([]);
  });

  test('do=unoffered-protocol: the client refuses "nonsense" (4.1): error, then close 1006', () => {
    const { log, wire } = run('do=unoffered-protocol');
    expect(log).toEqual(['error', 'close:1006::false']);
    const answer = wire.find((e) => e.kind === 'handshake' && e.from === 'server');
    expect(answer?.kind === 'handshake' && answer.text).toContain('Sec-WebSocket-Protocol: nonsense\r\n');
    expect(run('do=unoffered-protocol', ['chat']).log).toEqual(['error', 'close:1006::false']);
  });

  test('do=data-after-close: the client ignores the text after the Close (5.5.1) and closes 1000 cleanly', () => {
    const { log, wire } = run('do=data-after-close');
    expect(log).toEqual(['open', 'close:1000:done:true']);
    expect(serverFrames(wire)).toEqual([
      '880603e8' + hex(new TextEncoder().encode('done')),
      '810b' + hex(new TextEncoder().encode('after close')),
    ]);
    expect(clientCloseCode(wire)).toBe(1000);
  });

  test('do=fragments (valid): one message event, the ping between fragments answered, no error', () => {
    const r = rig();
    const ws = new r.WS('ws://playground.local/misbehave?do=fragments');
    const log = record(ws);
    r.run();
    expect(log).toEqual(['open', 'message:part 1 of 3, part 2 of 3, part 3 of 3']);
    const wire = wireOf(ws);
    expect(serverFrames(wire).map((f) => f.slice(0, 2))).toEqual(['01', '89', '00', '80']);
    // The client's pong, with the ping's payload (5.5.3).
    const pong = wire.find((e) => e.kind === 'frame' && e.from === 'client');
    expect(pong?.kind === 'frame' && pong.bytes[0]).toBe(0x8a);
    ws.close();
    r.run();
    expect(log.at(-1)).toBe('close:1005::true');
  });

  test('no ?do=: one message listing the options, then close 1000', () => {
    const { log } = run('');
    expect(log).toHaveLength(3);
    expect(log[1]).toContain('?do=fragments');
    expect(log[2]).toBe('close:1000:no ?do= given: see the message for the options:true');
  });
});
