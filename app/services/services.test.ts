/**
 * Services and Session with the real engine, a recording wire and a hand-moved clock: every
 * timing rule is checked without waiting.
 */
import { describe, expect, it } from 'vitest';
import { createChatService } from './chat.ts';
import { createCloseService } from './close.ts';
import { createEchoService } from './echo.ts';
import { createHeartbeatService } from './heartbeat.ts';
import { createServices, SERVICE_PATHS } from './index.ts';
import { RateLimiter, effectiveRate } from './rate.ts';
import type { Service } from './service.ts';
import { Connection } from '../protocol/connection.ts';
import { allEvents, concatBytes } from '../protocol/test-helpers.ts';
import { Session } from './session.ts';
import { ManualClock, RecordingWire, clientEvents, hostService } from './testing.ts';
import { createTickerService, mulberry32 } from './ticker.ts';
import { truncateUtf8 } from './text.ts';
import { readTapMessage, encodeTapMessage } from './wire-json.ts';

const messages = (events: ReturnType<typeof clientEvents>): unknown[] =>
  events.filter((e) => e.kind === 'message').map((e) => (e as { data: unknown }).data);

describe('the services index', () => {
  it('has every endpoint of the design, each with its own state', () => {
    const a = createServices();
    expect([...a.keys()]).toEqual([...SERVICE_PATHS]);
    expect(a.get('/chat')).not.toBe(createServices().get('/chat'));
    expect(a.get('/echo')?.protocols).toEqual(['chat', 'superchat', 'json']);
  });
});

describe('echo through Session', () => {
  it('echoes text and binary and answers a close with the same code', () => {
    const h = hostService(createEchoService());
    h.client.sendText('hi');
    h.client.sendBinary(new Uint8Array([1, 2]));
    expect(messages(clientEvents(h))).toEqual(['hi', new Uint8Array([1, 2])]);
    h.client.close(4321, 'done');
    h.exchange();
    expect(h.wire.ended).toBe(true);
    h.session.transportClosed();
    h.client.receiveEof();
    expect(h.client.events().find((e) => e.kind === 'close')).toMatchObject({
      code: 4321,
      reason: 'done',
      wasClean: true,
    });
  });

  it('echoes a message read in the same chunk as the close that follows it, before answering the close', () => {
    const h = hostService(createEchoService());
    h.client.sendText('last words');
    h.client.close(1000);
    const bytes = h.client.dataToSend();
    const joined = concatBytes(bytes);
    h.session.receive(joined);
    h.client.receiveData(h.wire.take());
    const events = allEvents(h.client);
    const order = events
      .filter(
        (e) => e.kind === 'message' || (e.kind === 'frame' && e.frame.opcode === 8 && e.from === 'server'),
      )
      .map((e) => e.kind);
    expect(order).toEqual(['message', 'frame']);
    expect(messages(events)).toEqual(['last words']);
  });

  it('delivers a message read in the same chunk as the close frame that follows it', () => {
    const seen: unknown[] = [];
    const recorder: Service = {
      path: '/r',
      description: 'test',
      open: (s) => s.on('message', (d) => seen.push(d)),
    };
    const h = hostService(recorder);
    h.client.sendText('last words');
    h.client.close(1000);
    const bytes = h.client.dataToSend();
    const joined = concatBytes(bytes);
    h.session.receive(joined);
    expect(seen).toEqual(['last words']);
  });
});

describe('rate limit (opt-in)', () => {
  it('token bucket: a burst of N, then N per second', () => {
    let now = 0;
    const r = new RateLimiter(10, () => now);
    for (let i = 0; i < 10; i++) expect(r.take()).toBe(true);
    expect(r.take()).toBe(false);
    now += 100;
    expect(r.take()).toBe(true);
    expect(r.take()).toBe(false);
  });

  it('takes the strictest of host, service and query; a query cannot lift a limit', () => {
    expect(effectiveRate(undefined, undefined, null)).toBeUndefined();
    expect(effectiveRate(undefined, undefined, '10')).toBe(10);
    expect(effectiveRate(5, undefined, '1000')).toBe(5);
    expect(effectiveRate(50, 20, '30')).toBe(20);
    expect(effectiveRate(undefined, undefined, 'lots')).toBeUndefined();
    expect(effectiveRate(undefined, undefined, '-3')).toBeUndefined();
  });

  it('fails with 1008 on the 11th message in a second with ?rate=10, and not at 10 per second', () => {
    const h = hostService(createEchoService(), { query: 'rate=10' });
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 10; i++) h.client.sendText('ok');
      expect(messages(clientEvents(h))).toHaveLength(10);
      h.clock.advance(1000);
    }
    for (let i = 0; i < 11; i++) h.client.sendText('flood');
    const events = clientEvents(h);
    expect(messages(events)).toHaveLength(10);
    expect(
      events.find((e) => e.kind === 'frame' && e.from === 'server' && e.frame.opcode === 8),
    ).toBeDefined();
    expect(h.session.readyState).toBe('CLOSED');
    expect(h.wire.ended).toBe(true);
    expect(h.logs.join('\n')).toContain('10 messages/s');
  });
});

describe('close deadline and slow readers', () => {
  it('drops the transport when the peer never answers our close', () => {
    const h = hostService(createCloseService(), { query: 'code=4000', closeTimeout: 2000 });
    // The close frame is written; the client never reads it, so never answers.
    expect(h.session.readyState).toBe('CLOSING');
    h.clock.advance(1999);
    expect(h.wire.destroyed).toBe(false);
    h.clock.advance(1);
    expect(h.wire.destroyed).toBe(true);
    expect(h.session.ended).toBe(true);
  });

  it('fails a connection whose unwritten bytes pass the limit, with 1008', () => {
    const chat = createChatService();
    const h = hostService(chat, { maxBufferedBytes: 1000 });
    h.wire.bufferedAmount = 5000; // the transport says the peer is not reading
    h.client.sendText('x');
    h.exchange();
    expect(h.session.readyState).toBe('CLOSED');
    expect(h.logs.join('\n')).toContain('bytes unread');
  });

  it('clears every timer a connection made when it closes', () => {
    const clock = new ManualClock();
    const h = hostService(createTickerService(), { clock });
    expect(clock.pending).toBeGreaterThan(0);
    h.session.terminate();
    expect(clock.pending).toBe(0);
  });

  it('closes with 1011 (saying nothing more) when a service throws', () => {
    const bad: Service = {
      path: '/bad',
      description: 'test',
      open: () => {
        throw new Error('secret');
      },
    };
    const h = hostService(bad);
    const events = clientEvents(h);
    const close = events.find((e) => e.kind === 'frame' && e.from === 'server' && e.frame.opcode === 8) as {
      frame: { payload: Uint8Array };
    };
    expect([...close.frame.payload]).toEqual([0x03, 0xf3, ...new TextEncoder().encode('internal error')]);
    expect(h.logs.join('\n')).toContain('secret');
  });
});

describe('heartbeat, ticker and close with a manual clock', () => {
  it('heartbeat: pings every interval; a client that answers stays', () => {
    const h = hostService(createHeartbeatService(), { query: 'interval=1000' });
    let pings = 0;
    for (let i = 0; i < 5; i++) {
      pings += clientEvents(h).filter((e) => e.kind === 'ping').length;
      h.clock.advance(1000);
    }
    expect(pings).toBe(5);
    expect(h.wire.destroyed).toBe(false);
  });

  it('heartbeat: terminates at the next tick a client whose pong has the wrong data (5.5.3)', () => {
    const h = hostService(createHeartbeatService(), { query: 'interval=1000', clientAutoPong: false });
    h.exchange();
    const ping = h.client.events().find((e) => e.kind === 'ping') as { data: Uint8Array };
    expect(new TextDecoder().decode(ping.data)).toBe('heartbeat 1');
    h.client.pong(new TextEncoder().encode('heartbeat 0'));
    h.exchange();
    h.clock.advance(999);
    expect(h.wire.destroyed).toBe(false);
    h.clock.advance(1);
    expect(h.wire.destroyed).toBe(true);
    expect(h.logs.join('\n')).toContain('missed pong heartbeat 1');
  });

  it('heartbeat: the matching pong keeps it alive', () => {
    const h = hostService(createHeartbeatService(), { query: 'interval=1000', clientAutoPong: false });
    for (let i = 1; i <= 3; i++) {
      h.exchange();
      const ping = h.client.events().find((e) => e.kind === 'ping') as { data: Uint8Array };
      h.client.pong(ping.data);
      h.exchange();
      h.clock.advance(1000);
    }
    expect(h.wire.destroyed).toBe(false);
  });

  it('ticker: one quote per interval, deterministic from its seed', () => {
    const a = hostService(createTickerService(42), { query: 'interval=500' });
    const b = hostService(createTickerService(42), { query: 'interval=500' });
    a.clock.advance(1500);
    b.clock.advance(1500);
    const qa = messages(clientEvents(a)).map((m) => JSON.parse(m as string));
    const qb = messages(clientEvents(b)).map((m) => JSON.parse(m as string));
    expect(qa.map((q) => q.seq)).toEqual([1, 2, 3, 4]);
    expect(qa).toEqual(qb);
    expect(qa[0]).toMatchObject({ type: 'quote', symbol: 'WSKT', t: 1_700_000_000_000 });
  });

  it('close: honours the delay to the millisecond', () => {
    const h = hostService(createCloseService(), { query: 'code=4000&reason=later&delay=250' });
    h.clock.advance(249);
    expect(h.session.readyState).toBe('OPEN');
    h.clock.advance(1);
    expect(h.session.readyState).toBe('CLOSING');
  });

  it('mulberry32: the same seed gives the same numbers in [0, 1), another seed others', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('tap through Session', () => {
  it('reports client frames as the exact bytes received, and state changes', () => {
    const h = hostService(createEchoService(), { tap: true });
    h.client.sendText('look');
    const sent = h.client.dataToSend();
    for (const c of sent) h.session.receive(c.slice());
    const frames = h.tapped.filter((e) => e.kind === 'frame');
    expect(frames.map((e) => (e as { from: string }).from)).toEqual(['client', 'server']);
    expect([...(frames[0] as { bytes: Uint8Array }).bytes]).toEqual([...(sent[0] as Uint8Array)]);
    expect(h.tapped[0]).toMatchObject({ kind: 'state', state: 'OPEN' });
  });

  it('reports frames a service sends on its own, from a timer (the ticker), as they are written', () => {
    const h = hostService(createTickerService(42), { query: 'interval=500', tap: true });
    h.clock.advance(1000);
    const written = h.wire.take();
    const frames = h.tapped.filter((e) => e.kind === 'frame') as {
      from: string;
      bytes: Uint8Array;
      t: number;
    }[];
    expect(frames.length).toBeGreaterThanOrEqual(2); // at least the two timer ticks
    expect(frames.every((f) => f.from === 'server')).toBe(true);
    expect(frames.at(-1)?.t).toBe(1_700_000_001_000);
    // Byte for byte: the tap saw exactly what went on the wire, frame by frame.
    const tapped = frames.flatMap((f) => [...f.bytes]);
    expect(tapped).toEqual([...written]);
  });

  it("reports a chat broadcast on every member's tap, not only the sender's", () => {
    const chat = createChatService();
    const clock = new ManualClock();
    const alice = hostService(chat, { tap: true, clock });
    const bob = hostService(chat, { tap: true, clock });
    bob.tapped.length = 0;
    alice.client.sendText('hello room');
    alice.exchange();
    const bobFrames = bob.tapped.filter((e) => e.kind === 'frame' && e.from === 'server');
    expect(bobFrames.length).toBeGreaterThan(0);
    const text = new TextDecoder().decode((bobFrames.at(-1) as { bytes: Uint8Array }).bytes.subarray(2));
    expect(text).toContain('hello room');
  });
});

describe('helpers', () => {
  it('truncateUtf8 never splits a character', () => {
    expect(truncateUtf8('abc', 123)).toBe('abc');
    expect(truncateUtf8('€€', 5)).toBe('€');
    expect(truncateUtf8('😀a', 3)).toBe('');
  });

  it('tap messages round-trip', () => {
    const ev = {
      kind: 'frame' as const,
      t: 5,
      from: 'client' as const,
      bytes: new Uint8Array([0x81, 0x80, 1, 2, 3, 4]),
    };
    const json = encodeTapMessage('c9', ev);
    expect(JSON.parse(json)).toEqual({ conn: 'c9', kind: 'frame', t: 5, from: 'client', bytes: 'gYABAgME' });
    expect(readTapMessage(json)).toEqual({ conn: 'c9', event: ev });
    expect(() => readTapMessage('{"kind":"frame"}')).toThrow();
  });
});

describe('a failure below the services', () => {
  it('never throws out of receive(): the connection fails with 1011 and ends', () => {
    const connection = new Connection({ role: 'server' });
    connection.receiveData = () => {
      throw new Error('engine bug');
    };
    const wire = new RecordingWire();
    const logs: string[] = [];
    const clock = new ManualClock();
    const session = new Session({
      connection,
      service: createEchoService(),
      wire,
      id: 'c1',
      path: '/echo',
      protocol: '',
      query: new URLSearchParams(),
      remote: 'test',
      timers: clock,
      now: () => clock.now,
      log: (l) => logs.push(l),
    });
    session.start();
    expect(() => session.receive(new Uint8Array([0x81, 0x80, 0, 0, 0, 0]))).not.toThrow();
    const out = wire.take();
    expect([...out.subarray(0, 4)]).toEqual([0x88, 0x02, 0x03, 0xf3]); // close 1011, no reason
    expect(wire.ended).toBe(true);
    expect(logs.join('\n')).toContain('engine bug');
    clock.advance(10_000);
    expect(wire.destroyed).toBe(true);
    expect(session.ended).toBe(true);
  });
});
