import { describe, expect, it } from 'vitest';
import { PortGuard } from './port-guard.ts';
import type { WorkerMessage } from './protocol.ts';

const create = (id: number): WorkerMessage => ({
  kind: 'sock:create',
  id,
  url: 'ws://x/',
  protocols: [],
  route: 'loopback',
});
const lines = (n: number): WorkerMessage => ({
  kind: 'console',
  dropped: 0,
  entries: Array.from({ length: n }, () => ({ level: 'log' as const, at: 0, text: 'x' })),
});

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('PortGuard', () => {
  it('lets 300 honest sockets through at once', () => {
    const g = new PortGuard(clock().now);
    for (let i = 1; i <= 300; i++) expect(g.admit(create(i))).toEqual({ ok: true });
  });

  it('stops a run that creates more sockets in one second than the budget, and says how many', () => {
    const g = new PortGuard(clock().now, { socketsPerSecond: 500 });
    for (let i = 1; i <= 500; i++) g.admit(create(i));
    expect(g.admit(create(501))).toEqual({
      ok: false,
      reason: 'your code opened more than 500 sockets in 1 s',
    });
  });

  it('starts each second with a fresh budget', () => {
    const c = clock();
    const g = new PortGuard(c.now, { socketsPerSecond: 10 });
    for (let i = 1; i <= 10; i++) g.admit(create(i));
    c.advance(1000);
    expect(g.admit(create(11)).ok).toBe(true);
  });

  it('counts console lines shown, not those the worker dropped', () => {
    const g = new PortGuard(clock().now, { consolePerSecond: 2500 });
    expect(g.admit({ ...lines(1000), dropped: 1_000_000 } as WorkerMessage).ok).toBe(true);
    expect(g.admit(lines(1000)).ok).toBe(true);
    expect(g.admit(lines(1000))).toEqual({
      ok: false,
      reason: 'your code printed more than 2500 console lines in 1 s',
    });
  });

  it('bounds messages of any kind', () => {
    const g = new PortGuard(clock().now, { messagesPerSecond: 3 });
    for (let i = 0; i < 3; i++) expect(g.admit({ kind: 'beat' }).ok).toBe(true);
    expect(g.admit({ kind: 'beat' }).ok).toBe(false);
  });
});
