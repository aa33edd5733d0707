/**
 * The reconnect snippet, run against a server that lets it in and then drops it (as
 * /close?drop=1&delay=1500 does): its waits must grow to the cap, not start over on every open.
 */
import { describe, expect, test } from 'vitest';
import { findSnippet } from './index.ts';

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

/** Runs the snippet on a hand-moved clock; each socket opens after 5 ms and ends `lifetime` ms later. */
function runSnippet(options: {
  random: number;
  lifetime: (n: number) => number;
  code?: (n: number) => number;
  until: number;
}) {
  const code = findSnippet('reconnect')!.code;
  let now = 0;
  let nextId = 1;
  const timers: Timer[] = [];
  const opened: number[] = [];
  const closed: number[] = [];
  const lines: string[] = [];
  const setTimeout = (fn: () => void, ms = 0) => {
    const id = nextId++;
    timers.push({ at: now + ms, fn, id });
    return id;
  };
  const clearTimeout = (id: number) => {
    const i = timers.findIndex((t) => t.id === id);
    if (i !== -1) timers.splice(i, 1);
  };
  class FakeSocket {
    onopen: (() => void) | null = null;
    onclose: ((e: { code: number }) => void) | null = null;
    constructor() {
      const n = opened.push(now);
      setTimeout(() => this.onopen?.(), 5);
      setTimeout(
        () => {
          closed.push(now);
          this.onclose?.({ code: options.code?.(n) ?? 1006 });
        },
        5 + options.lifetime(n),
      );
    }
  }
  const log = (...args: unknown[]) => void lines.push(args.join(' '));
  const math = Object.assign(Object.create(Math) as Math, { random: () => options.random });
  new Function('WebSocket', 'setTimeout', 'clearTimeout', 'console', 'Math', code)(
    FakeSocket,
    setTimeout,
    clearTimeout,
    { info: log, warn: log, error: log, log },
    math,
  );
  while (timers.length > 0) {
    timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const t = timers.shift()!;
    if (t.at > options.until) break;
    now = t.at;
    t.fn();
  }
  // The wait before each retry: from the previous socket's close to the next one's creation.
  const waits = opened.slice(1).map((at, i) => at - closed[i]!);
  return { waits, lines };
}

describe('the reconnect snippet', () => {
  test('against a server that opens then drops, the waits double up to the cap and it gives up after 8 retries', () => {
    const { waits, lines } = runSnippet({ random: 0.999, lifetime: () => 1500, until: 120_000 });
    expect(waits).toEqual([250, 500, 999, 1998, 3996, 7992, 7992, 7992]);
    expect(lines.at(-1)).toBe('giving up after 8 retries');
  });

  test('the waits are random within the ceiling (full jitter)', () => {
    expect(runSnippet({ random: 0.5, lifetime: () => 1500, until: 120_000 }).waits.slice(0, 4)).toEqual([
      125, 250, 500, 1000,
    ]);
  });

  test('a clean 1000 is not retried', () => {
    const { waits, lines } = runSnippet({
      random: 0.5,
      lifetime: () => 1500,
      code: () => 1000,
      until: 60_000,
    });
    expect(waits).toEqual([]);
    expect(lines).toContain('closed normally: not reconnecting');
  });

  test('a connection that stayed up for 10 s resets the backoff; one that drops at once does not', () => {
    // The 5th connection lasts 12 s; every other one is dropped after 1.5 s.
    const { waits } = runSnippet({
      random: 0.999,
      lifetime: (n) => (n === 5 ? 12_000 : 1500),
      until: 60_000,
    });
    expect(waits.slice(0, 6)).toEqual([250, 500, 999, 1998, 250, 500]);
  });
});
