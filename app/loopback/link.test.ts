import { describe, expect, test } from 'vitest';
import { Link, type LinkConditions } from './link.ts';
import { ManualScheduler, type Scheduler } from './scheduler.ts';

function pair(conditions: LinkConditions = { latencyMs: 0, bandwidth: Infinity }) {
  const scheduler = new ManualScheduler(0);
  let c = conditions;
  const link = new Link(scheduler, () => c);
  const got = { client: [] as string[], server: [] as string[] };
  for (const side of ['client', 'server'] as const) {
    const s = link[side];
    s.ondata = (b) => got[side].push(`data ${new TextDecoder().decode(b)} @${scheduler.now()}`);
    s.onend = () => got[side].push(`end @${scheduler.now()}`);
    s.onclose = (reset) => got[side].push(`close${reset ? ' reset' : ''} @${scheduler.now()}`);
  }
  return { scheduler, link, got, set: (next: LinkConditions) => (c = next) };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('virtual TCP link', () => {
  test('never delivers inside write(): the earliest is the next task', () => {
    const { link, got, scheduler } = pair();
    link.client.write(bytes('hi'));
    expect(got.server).toEqual([]);
    expect(link.client.bufferedAmount).toBe(2);
    scheduler.runTasks();
    expect(got.server).toEqual(['data hi @0']);
    expect(link.client.bufferedAmount).toBe(0);
  });

  test('delivers after the latency', () => {
    const { link, got, scheduler } = pair({ latencyMs: 30, bandwidth: Infinity });
    link.client.write(bytes('a'));
    scheduler.advance(29);
    expect(got.server).toEqual([]);
    scheduler.advance(1);
    expect(got.server).toEqual(['data a @30']);
  });

  test('serialises at the bandwidth: 1000 bytes at 1000 B/s arrive over about a second', () => {
    const { link, scheduler } = pair({ latencyMs: 0, bandwidth: 1000 });
    let received = 0;
    let lastAt = 0;
    link.server.ondata = (b) => {
      received += b.length;
      lastAt = scheduler.now();
    };
    const credited: number[] = [];
    link.client.ontransmit = (n) => credited.push(n);
    link.client.write(new Uint8Array(1000), 1000);
    scheduler.advance(500);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(1000);
    // Half-way: part of it is still in the sender's buffer, none of that has arrived.
    expect(link.client.bufferedAmount).toBeGreaterThan(0);
    expect(link.client.bufferedAmount).toBeLessThanOrEqual(1000 - received);
    scheduler.advance(1000);
    expect(received).toBe(1000);
    expect(lastAt).toBeGreaterThanOrEqual(700);
    expect(lastAt).toBeLessThanOrEqual(1000);
    expect(credited.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(credited.length).toBeGreaterThan(1);
  });

  test('keeps the order when the latency is lowered while bytes are in flight', () => {
    const { link, got, scheduler, set } = pair({ latencyMs: 100, bandwidth: Infinity });
    link.client.write(bytes('first'));
    scheduler.runTasks();
    set({ latencyMs: 0, bandwidth: Infinity });
    link.client.write(bytes('second'));
    scheduler.advance(200);
    expect(got.server).toEqual(['data first @100', 'data second @100']);
  });

  test('end() sends a FIN after the buffered bytes; closed once both sides have ended', () => {
    const { link, got, scheduler } = pair({ latencyMs: 10, bandwidth: Infinity });
    link.client.write(bytes('bye'));
    link.client.end();
    link.client.write(bytes('ignored'));
    scheduler.advance(10);
    expect(got.server).toEqual(['data bye @10', 'end @10']);
    link.server.end();
    scheduler.advance(10);
    expect(got.client).toEqual(['end @20', 'close @20']);
    expect(got.server).toEqual(['data bye @10', 'end @10', 'close @10']);
  });

  test('destroy() sends what was written, then a reset; it stops reading at once', () => {
    const { link, got, scheduler } = pair({ latencyMs: 10, bandwidth: Infinity });
    link.server.write(bytes('last words'));
    link.server.destroy();
    link.client.write(bytes('unheard'));
    scheduler.advance(50);
    expect(got.client).toEqual(['data last words @10', 'close reset @10']);
    expect(got.server).toEqual(['close reset @0']);
  });

  test('cut() loses the bytes in flight and resets both ends', () => {
    const { link, got, scheduler } = pair({ latencyMs: 10, bandwidth: Infinity });
    link.client.write(bytes('lost'));
    scheduler.runTasks();
    link.cut();
    scheduler.advance(50);
    expect(got.server).toEqual(['close reset @0']);
    expect(got.client).toEqual(['close reset @0']);
  });

  test('delivers even when timers fire a little before the clock says the bytes are due', () => {
    const manual = new ManualScheduler(0);
    // Real timers can run a little before Date.now() has moved that far (rounding).
    const early: Scheduler = {
      now: () => manual.now(),
      queueTask: (fn) => manual.queueTask(fn),
      setTimeout: (fn, ms) => manual.setTimeout(fn, ms * 0.9),
      clearTimeout: (id) => manual.clearTimeout(id),
      setInterval: (fn, ms) => manual.setInterval(fn, ms),
      clearInterval: (id) => manual.clearInterval(id),
    };
    const link = new Link(early, () => ({ latencyMs: 20, bandwidth: Infinity }));
    const got: string[] = [];
    link.server.ondata = (b) => got.push(new TextDecoder().decode(b));
    link.client.write(bytes('late but there'));
    manual.advance(100);
    expect(got).toEqual(['late but there']);
  });
});

describe('a slow reader (readAt)', () => {
  test("the peer's bytes leave its send buffer no faster than the reader reads, on an unlimited link", () => {
    const { link, scheduler } = pair();
    link.server.readAt(1000);
    let received = 0;
    link.server.ondata = (b) => void (received += b.length);
    link.client.write(new Uint8Array(2000), 2000);
    scheduler.advance(1000);
    expect(received).toBeGreaterThan(700);
    expect(received).toBeLessThan(1300);
    expect(link.client.bufferedAmount).toBeGreaterThan(0);
    expect(link.client.bufferedAmount).toBeLessThanOrEqual(2000 - received);
    scheduler.advance(1500);
    expect(received).toBe(2000);
  });

  test('the slower of the bandwidth and the read rate wins', () => {
    const { link, scheduler } = pair({ latencyMs: 0, bandwidth: 500 });
    link.server.readAt(1_000_000);
    let received = 0;
    link.server.ondata = (b) => void (received += b.length);
    link.client.write(new Uint8Array(1000));
    scheduler.advance(1000);
    expect(received).toBeLessThan(1000);
  });

  test('only the direction towards the slow reader is paced', () => {
    const { link, scheduler } = pair();
    link.server.readAt(1000);
    let received = 0;
    link.client.ondata = (b) => void (received += b.length);
    link.server.write(new Uint8Array(100_000));
    scheduler.runTasks();
    expect(received).toBe(100_000);
  });
});
