/**
 * A service that decides on each handshake before the 101 (Service.verifyClient, as ws's
 * verifyClient; RFC 6455 4.2.2 item 4, 10.2): the security lesson's servers refuse a foreign Origin with 403.
 */
import { describe, expect, test } from 'vitest';
import type { ClientRequestInfo, Service } from '../services/service.ts';
import { record, response, rig, wireOf } from './test-support.ts';

function serving(service: Partial<Service> & Pick<Service, 'open'>) {
  const full: Service = { path: '/own', description: 'a lesson server', ...service };
  return rig({ services: new Map([['/own', full]]), origin: 'http://localhost:5173' });
}

describe('Service.verifyClient: the server decides before it answers', () => {
  test('it sees the request target and headers (Origin included); true goes on to the 101', () => {
    const seen: ClientRequestInfo[] = [];
    let opened = 0;
    const { WS, run } = serving({
      verifyClient: (r) => (seen.push(r), true),
      open: () => void opened++,
    });
    const log = record(new WS('ws://playground.local/own?token=abc'));
    run();
    expect(log[0]).toBe('open');
    expect(opened).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/own?token=abc');
    expect(seen[0]!.headers.origin).toBe('http://localhost:5173');
    expect(seen[0]!.headers['sec-websocket-version']).toBe('13');
  });

  test('a refusal is answered with its status and text, no 101; the client fails and the service never hears of it', () => {
    let opened = 0;
    const { WS, run } = serving({
      verifyClient: (r) =>
        r.headers.origin === 'https://mine.example' || { status: 403, message: 'origin not allowed' },
      open: () => void opened++,
    });
    const ws = new WS('ws://playground.local/own');
    const log = record(ws);
    const wire = wireOf(ws);
    run();
    expect(log).toEqual(['error', 'close:1006::false']);
    expect(opened).toBe(0);
    expect(response(wire)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(wire.some((e) => e.kind === 'frame')).toBe(false);
  });

  test('an asynchronous verdict is waited for; 401 without a text gets its status text', async () => {
    const { WS, run } = serving({ verifyClient: async () => ({ status: 401 }), open: () => {} });
    const ws = new WS('ws://playground.local/own');
    const wire = wireOf(ws);
    run();
    await Promise.resolve();
    run();
    expect(response(wire)).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
  });

  test('a throw, or a verdict that is neither true nor a 4xx/5xx status, is answered 500', () => {
    for (const verifyClient of [
      () => {
        throw new Error('oops');
      },
      () => ({ status: 200 }) as never,
      () => false as never,
    ]) {
      const { WS, run } = serving({ verifyClient, open: () => {} });
      const ws = new WS('ws://playground.local/own');
      const log = record(ws);
      const wire = wireOf(ws);
      run();
      expect(response(wire)).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
      expect(log).toEqual(['error', 'close:1006::false']);
    }
  });
});

test("a service's socket carries the handshake's headers, Origin included (the sandbox's 'connection' request shows them)", () => {
  const seen: (Readonly<Record<string, string>> | undefined)[] = [];
  const { WS, run } = serving({ open: (s) => void seen.push(s.headers) });
  new WS('ws://playground.local/own', ['chat']);
  run();
  expect(seen).toHaveLength(1);
  expect(seen[0]?.origin).toBe('http://localhost:5173');
  expect(seen[0]?.upgrade).toBe('websocket');
  expect(seen[0]?.['sec-websocket-protocol']).toBe('chat');
});
