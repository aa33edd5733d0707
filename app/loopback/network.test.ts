import { describe, expect, test } from 'vitest';
import { createServices } from '../services/index.ts';
import { VirtualNetwork } from './network.ts';
import { ManualScheduler } from './scheduler.ts';
import { record, rig } from './test-support.ts';
import { LOOPBACK } from './websocket.ts';
import { WIRE } from './wire.ts';

describe('routing', () => {
  test('serves playground.local and the configured hosts; others are refused', () => {
    const { network } = rig();
    expect(network.serves(new URL('ws://playground.local/echo'))).toBe(true);
    expect(network.serves(new URL('ws://PLAYGROUND.local:80/echo'))).toBe(true);
    expect(network.serves(new URL('ws://localhost:5173/echo'))).toBe(true);
    expect(network.serves(new URL('ws://localhost:9999/echo'))).toBe(false);
    expect(network.serves(new URL('ws://example.org/echo'))).toBe(false);
  });

  test('routes the service paths, with the site sub-path stripped as the Node server does', () => {
    const { WS, run } = rig({ base: '/playground/' });
    const network = new VirtualNetwork({ base: '/playground/', scheduler: new ManualScheduler() });
    expect(network.route('/echo')?.path).toBe('/echo');
    expect(network.route('/playground/echo')?.path).toBe('/echo');
    expect(network.route('/playground/nope')).toBeUndefined();
    const ws = new WS('ws://playground.local/playground/chat');
    const log = record(ws);
    run();
    expect(log[0]).toBe('open');
  });

  test('each network has its own services (its own chat room)', () => {
    const a = new VirtualNetwork({ scheduler: new ManualScheduler() });
    const b = new VirtualNetwork({ scheduler: new ManualScheduler(), services: createServices() });
    expect(a.services.get('/chat')).not.toBe(b.services.get('/chat'));
  });
});

describe('connections', () => {
  test('lists open connections with their path and protocol, and forgets them once closed', () => {
    const { WS, network, run } = rig();
    const changes: number[] = [];
    network.subscribe(() => changes.push(network.connections().length));
    const a = new WS('ws://playground.local/echo', 'json');
    const b = new WS('ws://playground.local/ticker?interval=1000');
    run(10);
    const list = network.connections();
    expect(list.map((c) => [c.id, c.path, c.protocol, c.readyState])).toEqual([
      [a[LOOPBACK].id, '/echo', 'json', 'OPEN'],
      [b[LOOPBACK].id, '/ticker', '', 'OPEN'],
    ]);
    a.close();
    b.close();
    run(100);
    expect(network.connections()).toEqual([]);
    expect(changes.length).toBeGreaterThan(0);
  });

  test('drop(filter) breaks only the chosen connections', () => {
    const { WS, network, run } = rig();
    const a = new WS('ws://playground.local/echo');
    const b = new WS('ws://playground.local/echo');
    const logA = record(a);
    const logB = record(b);
    run();
    expect(network.drop((c) => c.id === b[LOOPBACK].id)).toBe(1);
    run();
    expect(logA).toEqual(['open']);
    expect(logB).toEqual(['open', 'close:1006::false']);
  });

  test('a socket can drop its own connection (the page sees 1006, the server session ends)', () => {
    const { WS, network, run } = rig();
    const ws = new WS('ws://playground.local/echo');
    const log = record(ws);
    run();
    ws[LOOPBACK].drop();
    run();
    expect(log).toEqual(['open', 'close:1006::false']);
    expect(network.connections()).toEqual([]);
    const kinds: string[] = [];
    ws[WIRE].subscribe((e) => kinds.push(e.kind === 'close' ? `close ${e.code}` : e.kind));
    expect(kinds.slice(-3)).toEqual(['close 1006', 'state', 'eof']);
  });

  test('shutdown() closes every server connection with 1001', () => {
    const { WS, network, run } = rig();
    const ws = new WS('ws://playground.local/echo');
    const log = record(ws);
    run();
    network.shutdown();
    run();
    expect(log).toEqual(['open', 'close:1001:server shutting down:true']);
  });

  test('setConditions validates its input', () => {
    const { network } = rig();
    expect(() => network.setConditions({ latencyMs: -1 })).toThrow(RangeError);
    expect(() => network.setConditions({ bandwidth: 0 })).toThrow(RangeError);
    network.setConditions({ latencyMs: 25, bandwidth: 1e6 });
    expect(network.conditions).toEqual({ latencyMs: 25, bandwidth: 1e6 });
  });

  test('latency: the open event comes after four one-way trips (TCP, then the HTTP upgrade)', () => {
    const { WS, network, scheduler, run } = rig();
    network.setConditions({ latencyMs: 50 });
    const ws = new WS('ws://playground.local/echo');
    let openedAt = -1;
    const start = scheduler.now();
    ws.onopen = () => (openedAt = scheduler.now() - start);
    run(1_000);
    expect(openedAt).toBe(200);
  });
});

describe('the engine on both ends', () => {
  test('the client masks with keys from the injected entropy: the same seed gives the same bytes', () => {
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const { WS, run } = rig();
      const ws = new WS('ws://playground.local/echo?deflate=0');
      ws.onopen = () => ws.send('same');
      run();
      const hex: string[] = [];
      ws[WIRE].subscribe((e) => {
        if (e.kind === 'frame' && e.from === 'client')
          hex.push([...e.bytes].map((b) => b.toString(16).padStart(2, '0')).join(''));
      });
      runs.push(hex);
    }
    expect(runs[0]).toEqual(runs[1]);
    // Sec-WebSocket-Key took entropy bytes 0-15; the frame's mask key is bytes 16-19.
    expect(runs[0]?.[0]?.slice(0, 12)).toBe('818410111213');
  });

  test('the ws client options: pings reach the sink, and autoPong can be turned off', () => {
    const { network, run } = rig();
    const seen: string[] = [];
    const { channel, wire } = network.connect(
      new URL('ws://playground.local/heartbeat?interval=100'),
      [],
      {
        open: () => seen.push('open'),
        message: () => seen.push('message'),
        closing: () => seen.push('closing'),
        transmitted: () => {},
        closed: (r) => seen.push(`closed ${r.code}`),
        ping: (d) => seen.push(`ping ${new TextDecoder().decode(d)}`),
      },
      { autoPong: false },
    );
    run(250);
    // No pong went back, so the server terminated the connection at its next tick.
    expect(seen).toEqual(['open', 'ping heartbeat 1', 'closed 1006']);
    const pongs: number[] = [];
    wire.subscribe((e) => {
      if (e.kind === 'frame' && e.from === 'client' && ((e.bytes[0] as number) & 0x0f) === 0xa) pongs.push(1);
    });
    expect(pongs).toEqual([]);
    expect(channel.ping()).toBe(false);
  });

  test('a channel can ping the server (it answers with a pong) and send fragmented messages', () => {
    const { network, run } = rig();
    const seen: string[] = [];
    const { channel, wire } = network.connect(new URL('ws://playground.local/echo'), [], {
      open: () => seen.push('open'),
      message: (d) => seen.push(`message ${String(d)}`),
      closing: () => {},
      transmitted: () => {},
      closed: () => {},
      pong: (d) => seen.push(`pong ${new TextDecoder().decode(d)}`),
    });
    run();
    expect(channel.ping(new TextEncoder().encode('are you there'))).toBe(true);
    expect(channel.sendText('in three parts', 14, 3)).toBe(true);
    run();
    expect(seen).toEqual(['open', 'pong are you there', 'message in three parts']);
    const opcodes: number[] = [];
    wire.subscribe((e) => {
      if (e.kind === 'frame' && e.from === 'client') opcodes.push((e.bytes[0] as number) & 0x8f);
    });
    // ping, then TEXT without FIN, CONT without FIN, CONT with FIN
    expect(opcodes).toEqual([0x89, 0x01, 0x00, 0x80]);
  });
});
