/**
 * A service that answers the handshake with its own Sec-WebSocket-Accept (Service.acceptKey,
 * lesson 2), and one that sends a message in pieces (send(data, { fin: false }), lesson 7),
 * on the virtual network without the sandbox.
 */
import { describe, expect, test } from 'vitest';
import { computeAccept } from '../protocol/handshake.ts';
import type { WireEvent } from '../protocol/types.ts';
import type { Service, ServiceSocket } from '../services/service.ts';
import { record, response, rig, wireOf } from './test-support.ts';

function serving(service: Partial<Service> & Pick<Service, 'open'>): ReturnType<typeof rig> {
  const full: Service = { path: '/own', description: 'a lesson server', ...service };
  return rig({ services: new Map([['/own', full]]) });
}

describe('Service.acceptKey: the server answers 4.2.2 with its own function', () => {
  test('a right function: the 101 carries its value and the client opens', () => {
    const seen: string[] = [];
    const { WS, run } = serving({
      acceptKey: (key) => {
        seen.push(key);
        return computeAccept(key);
      },
      open: (s) => s.send('hi'),
    });
    const ws = new WS('ws://playground.local/own');
    const log = record(ws);
    const wire = wireOf(ws);
    run();
    expect(log.slice(0, 2)).toEqual(['open', 'message:hi']);
    expect(seen).toHaveLength(1);
    expect(response(wire)).toContain(`Sec-WebSocket-Accept: ${computeAccept(seen[0]!)}\r\n`);
  });

  test('a wrong function (no GUID): its value goes out verbatim and the client fails the connection (4.1)', () => {
    const { WS, run } = serving({ acceptKey: (key) => btoa(key), open: () => {} });
    const ws = new WS('ws://playground.local/own');
    const log = record(ws);
    const wire = wireOf(ws);
    run();
    expect(log).toEqual(['error', 'close:1006::false']);
    expect(response(wire)).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(response(wire)).toMatch(/\r\nSec-WebSocket-Accept: [A-Za-z0-9+/=]{32}\r\n/);
  });

  test('an asynchronous function is waited for', async () => {
    const { WS, run } = serving({
      acceptKey: async (key) => computeAccept(key),
      open: (s) => s.send('late'),
    });
    const ws = new WS('ws://playground.local/own');
    const log = record(ws);
    run();
    await Promise.resolve();
    run();
    expect(log.slice(0, 2)).toEqual(['open', 'message:late']);
  });

  test.each([
    [
      'a throw',
      () => {
        throw new Error('oops');
      },
    ],
    ['a line break (a header injected)', () => 'x\r\nSet-Cookie: a=b'],
    ['not a string', () => 42 as unknown as string],
  ])('%s gets a 500, and no 101', (_, acceptKey) => {
    const { WS, run } = serving({ acceptKey, open: () => {} });
    const ws = new WS('ws://playground.local/own');
    const log = record(ws);
    const wire = wireOf(ws);
    run();
    expect(log).toEqual(['error', 'close:1006::false']);
    expect(response(wire)).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(response(wire)).not.toContain('Set-Cookie');
  });
});

describe('send(data, { fin: false }): a server message in pieces (5.4)', () => {
  test('goes out as TEXT fin=0, CONT fin=0, a PING between, CONT fin=1; the client gets one message', () => {
    let socket: ServiceSocket | undefined;
    const { WS, run } = serving({
      open: (s) => {
        socket = s;
        s.send('Hel', { fin: false });
        s.send('lo, ', { fin: false });
        s.ping(new Uint8Array([1]));
        s.send('world', { fin: true });
        s.sendBinary(new Uint8Array([1, 2]));
      },
    });
    const ws = new WS('ws://playground.local/own');
    ws.binaryType = 'arraybuffer';
    const log = record(ws);
    const wire = wireOf(ws);
    run();
    expect(socket).toBeDefined();
    expect(log.slice(0, 3)).toEqual(['open', 'message:Hello, world', 'message:ab[1,2]']);
    const frames = wire
      .filter((e): e is Extract<WireEvent, { kind: 'frame' }> => e.kind === 'frame' && e.from === 'server')
      .map((e) => `${e.bytes[0]! & 0x0f}:${e.bytes[0]! >> 7}`);
    // opcode:fin — 1 TEXT, 0 CONTINUATION, 9 PING, 2 BINARY
    expect(frames).toEqual(['1:0', '0:0', '9:1', '0:1', '2:1']);
  });
});
