import { describe, expect, it } from 'vitest';
import { Watchdog } from './watchdog.ts';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('Watchdog', () => {
  it('is content while beats keep coming', () => {
    const c = clock();
    const w = new Watchdog({ timeoutMs: 2000, startupMs: 10_000, now: c.now });
    w.started();
    for (let i = 0; i < 50; i++) {
      c.advance(200);
      w.beat();
      expect(w.check()).toEqual({ ok: true });
    }
  });

  it('fails a worker silent for longer than the timeout, with how long', () => {
    const c = clock();
    const w = new Watchdog({ timeoutMs: 2000, startupMs: 10_000, now: c.now });
    w.started();
    c.advance(2000);
    expect(w.check().ok).toBe(true); // exactly at the limit is still fine
    c.advance(1);
    expect(w.check()).toEqual({ ok: false, silentMs: 2001, starting: false });
  });

  it('gives the start a longer grace, and says it was starting', () => {
    const c = clock();
    const w = new Watchdog({ timeoutMs: 2000, startupMs: 10_000, now: c.now });
    c.advance(5000);
    expect(w.check().ok).toBe(true);
    c.advance(5001);
    expect(w.check()).toEqual({ ok: false, silentMs: 10_001, starting: true });
  });

  it('forgives silence while the page was hidden', () => {
    const c = clock();
    const w = new Watchdog({ timeoutMs: 2000, startupMs: 10_000, now: c.now });
    w.beat();
    c.advance(60_000); // a background tab: throttled timers
    w.resume();
    expect(w.check().ok).toBe(true);
    c.advance(2500);
    expect(w.check().ok).toBe(false);
  });
});
