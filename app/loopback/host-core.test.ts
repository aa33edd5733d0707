/**
 * What the in-page network decided on its own before the server core (app/host) and now
 * decides as the Node server does: a shut-down network and a full one answer 503, a refusal
 * reaches the wire log whole (its body too), and a service's query loses the host's keys.
 */
import { describe, expect, test } from 'vitest';
import type { Service } from '../services/service.ts';
import { record, response, rig, wireOf } from './test-support.ts';

describe('refusals as on the Node server', () => {
  test('after shutdown() a new handshake gets 503 server shutting down', () => {
    const { WS, network, run } = rig();
    network.shutdown();
    const ws = new WS('ws://playground.local/echo');
    const log = record(ws);
    const wire = wireOf(ws);
    run();
    expect(log).toEqual(['error', 'close:1006::false']);
    expect(response(wire)).toMatch(
      /^HTTP\/1\.1 503 Service Unavailable\r\n[^]*Retry-After: 5\r\n[^]*server shutting down\n$/,
    );
  });

  test('over maxConnections a handshake gets 503 too many connections', () => {
    const { WS, run } = rig({ maxConnections: 1 });
    const first = new WS('ws://playground.local/echo');
    const firstLog = record(first);
    run();
    const second = new WS('ws://playground.local/echo');
    const wire = wireOf(second);
    run();
    expect(firstLog).toEqual(['open']);
    expect(response(wire)).toMatch(/^HTTP\/1\.1 503 [^]*too many connections \(max 1\)\n$/);
  });

  test('the wire log shows the request, then the refusal with its body, then EOF', () => {
    const { WS, run } = rig();
    const ws = new WS('ws://playground.local/nope');
    const wire = wireOf(ws);
    run();
    expect(wire.map((e) => (e.kind === 'handshake' ? `handshake:${e.from}` : e.kind))).toEqual([
      'handshake:client',
      'handshake:server',
      'eof',
    ]);
    expect(response(wire)).toMatch(
      /^HTTP\/1\.1 404 Not Found\r\n[^]*\r\n\r\nno WebSocket endpoint at \/nope; try \/echo/,
    );
  });
});

test("a service sees the query without deflate=, the host's own key (as on the Node server)", () => {
  const seen: string[] = [];
  const service: Service = {
    path: '/own',
    description: 'records its query',
    open: (s) => void seen.push(s.query.toString()),
  };
  const { WS, run } = rig({ services: new Map([['/own', service]]) });
  new WS('ws://playground.local/own?deflate=0&n=2');
  run();
  expect(seen).toEqual(['n=2']);
});
