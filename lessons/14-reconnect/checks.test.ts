import { describe, expect, test } from 'vitest';
import type { Trace, TraceConnection } from '../../app/lessons/kit.ts';
import type { LessonMode } from '../../app/lessons/types.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import { closeFrameEvent, connectionIn, T0, tasksUnderTest, trace } from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import { CLEAN, FLAKY, grows, jittered, waitsOf, attemptsTo } from './attempts.ts';
import checks from './checks.ts';
import play from './play.ts';

const { run, failureText: failure } = tasksUnderTest(checks);

/** One connection opened at `t`, open 300 ms, then dropped (1006) or closed with 1000. */
function attempt(
  mode: LessonMode,
  id: string,
  path: string,
  t: number,
  how: 'drop' | 'clean',
  origin: TraceConnection['origin'] = 'code',
): TraceConnection {
  const end = t + 301; // the GET is at t + 1, and the server drops 300 ms later; the page sees it 2 ms on
  const ending: SessionEvent[] =
    how === 'drop'
      ? [
          { kind: 'close', t: end, code: 1006, reason: '', wasClean: false },
          { kind: 'eof', t: end, from: 'server' },
          { kind: 'api', t: end + 2, type: 'close', code: 1006, reason: '', wasClean: false },
        ]
      : [
          closeFrameEvent(end, 'server', 1000, 'done'),
          closeFrameEvent(end + 1, 'client', 1000, 'done'),
          { kind: 'close', t: end + 1, code: 1000, reason: 'done', wasClean: true },
          { kind: 'api', t: end + 2, type: 'close', code: 1000, reason: 'done', wasClean: true },
        ];
  return connectionIn(mode, id, path, ending, { t0: t, origin });
}

/**
 * The learner's code: a connection to FLAKY, then one after each wait (from the drop to the
 * next GET); a connection to CLEAN at the start, and `cleanRetries` more after it.
 */
function code(
  waits: number[],
  options: { mode?: LessonMode; cleanRetries?: number[]; tail?: number } = {},
): Trace {
  const mode = options.mode ?? 'loopback';
  const conns: TraceConnection[] = [];
  let t = T0;
  const add = (path: string, at: number, how: 'drop' | 'clean') =>
    conns.push(attempt(mode, `c${conns.length + 1}`, path, at, how));
  add(CLEAN, T0, 'clean');
  for (const w of options.cleanRetries ?? []) add(CLEAN, T0 + 303 + w, 'clean');
  add(FLAKY, t, 'drop');
  for (const w of waits) {
    t += 303 + w;
    add(FLAKY, t, 'drop');
  }
  // The rest of the run: one more event that long after the last drop (the wire goes on).
  const last = conns.at(-1)!;
  last.events.push({ kind: 'api', t: t + 300 + (options.tail ?? 0), type: 'state', state: 'CLOSED' });
  return trace(conns, { mode });
}

/** Equal jitter: half of min(cap, 250·2^n) fixed, half random. */
function equalJitter(n: number, random: () => number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const ceiling = Math.min(2000, 250 * 2 ** i);
    return ceiling / 2 + random() * (ceiling / 2);
  });
}

/** A small seeded PRNG (mulberry32), so the test is the same every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GOOD = [190, 430, 760, 1620, 1140, 1830];
const BACKOFF = ['backoff-grows', 'backoff-capped', 'backoff-jitter', 'no-retry-1000'];

describe('the solution passes', () => {
  test('the lab part of the recorded solution: /close?drop=1 ends with 1006 and no CLOSE frame', async () => {
    const t = await recordLoopback(play.solution);
    expect(run('dropped', t)).toEqual({
      ok: true,
      observed:
        'the server ended TCP after 300 ms open with no CLOSE frame; the page got close 1006, wasClean false',
    });
  });

  test.each(['server', 'loopback'] as const)(
    'growing, capped, jittered waits and no retry after 1000 pass every code task (%s)',
    (mode) => {
      const t = code(GOOD, { mode, tail: 3000 });
      for (const id of BACKOFF) expect(run(id, t), id).toMatchObject({ ok: true });
      expect(run('backoff-grows', t)).toMatchObject({
        observed: '7 attempts, waiting 190, 430, 760, 1620, 1140, 1830 ms',
      });
      expect(run('no-retry-1000', t)).toMatchObject({
        observed: /^closed with 1000; no new connection in the \d+(\.\d)? s after it$/,
      });
    },
  );

  test("the waits are read from the page's events: from each close to the next new WebSocket", () => {
    const t = code(GOOD, { mode: 'server' });
    expect(waitsOf(attemptsTo(t, FLAKY))).toEqual(GOOD);
  });

  test('a GET the browser held back (its own throttle) does not count against the code', () => {
    const t = code(GOOD, { mode: 'server', tail: 3000 });
    // The 6th attempt's GET left 4.5 s after the code made the socket.
    const held = t.connections.filter((c) => c.url.includes('drop=1'))[5]!;
    for (const e of held.events) if (e.kind !== 'api' || e.type !== 'create') e.t += 4500;
    expect(run('backoff-capped', t)).toMatchObject({ ok: true });
  });

  test('without page events (an older recording) the wire gives the times', () => {
    const t = code(GOOD, { mode: 'server' });
    for (const c of t.connections) c.events = c.events.filter((e) => e.kind !== 'api');
    expect(waitsOf(attemptsTo(t, FLAKY))).toEqual(GOOD.map((w) => w + 3)); // the GET 1 ms after the create, the drop 2 ms before the page saw it
  });

  test("the solution's schedule (half of each wait random) always grows, and is judged jittered in over 98% of 2000 runs of 6 waits and 99.9% of 8", () => {
    const random = seeded(42);
    for (const [n, share] of [
      [6, 0.98],
      [8, 0.999],
    ] as const) {
      let judged = 0;
      for (let i = 0; i < 2000; i++) {
        const waits = equalJitter(n, random);
        expect(grows(waits), waits.join()).toBe(true);
        if (jittered(waits)) judged++;
      }
      expect(judged / 2000, `${n} waits`).toBeGreaterThanOrEqual(share);
    }
  });

  test('full jitter (a random wait from 0 to the ceiling) is judged jittered in over 98% of 2000 runs', () => {
    const random = seeded(7);
    let judged = 0;
    for (let i = 0; i < 2000; i++) {
      const waits = Array.from({ length: 6 }, (_, n) => random() * Math.min(2000, 250 * 2 ** n));
      if (jittered(waits)) judged++;
    }
    expect(judged / 2000).toBeGreaterThanOrEqual(0.98);
  });

  test('exact schedules (x1.5, x2, x3 from 100, 250 or 400 ms, capped) with ±5 ms of timer noise are judged not jittered in over 98% of runs', () => {
    const random = seeded(3);
    let fixed = 0;
    let runs = 0;
    for (const base of [100, 250, 400])
      for (const r of [1.5, 2, 3])
        for (let i = 0; i < 100; i++, runs++) {
          const waits = Array.from(
            { length: 7 },
            (_, n) => Math.min(2000, base * r ** n) + (random() - 0.5) * 10,
          );
          if (!jittered(waits)) fixed++;
        }
    expect(fixed / runs).toBeGreaterThanOrEqual(0.98);
  });
});

describe('the start and wrong attempts fail with what the wire showed', () => {
  test('the start (nothing run): no connection from the code yet', async () => {
    const t = await recordLoopback(play.start);
    expect(failure('dropped', t)).toMatchObject({
      seen: 'no connection to /close?drop=1 yet',
      rfc: 'RFC 6455 §7.1.5',
    });
    expect(failure('backoff-grows', t).seen).toBe(
      `no connection from your code to ${FLAKY} yet (run client.js: it calls reconnecting() for both endpoints)`,
    );
    expect(failure('no-retry-1000', t).seen).toMatch(/^no connection from your code to \/close\?code=1000/);
  });

  test('the start code run: one connection each, no reconnect', () => {
    const t = code([]);
    expect(failure('backoff-grows', t)).toMatchObject({
      seen: `one connection to ${FLAKY}, dropped, and no attempt after it: your code did not reconnect`,
      rfc: 'RFC 6455 §7.2.3',
    });
  });

  test('too few attempts yet: the check says how many it has and needs', () => {
    expect(failure('backoff-capped', code([250, 500])).seen).toBe(
      '3 connections so far, waits of 250, 500 ms: at least 6 are needed to judge the schedule',
    );
  });

  test('a reset in onopen: the waits stay short and the failure names the reset', () => {
    const t = code([180, 240, 140, 220, 200, 160], { tail: 3000 });
    expect(failure('backoff-grows', t).seen).toBe(
      'waits of 180, 240, 140, 220, 200, 160 ms: they do not grow. Does your code reset its attempt count when the socket opens? This server opens, then drops you',
    );
  });

  test('no cap: the first wait over 2 s is named', () => {
    const t = code([250, 500, 1000, 2000, 4000, 8000], { tail: 3000 });
    expect(run('backoff-grows', t)).toMatchObject({ ok: true });
    expect(failure('backoff-capped', t).seen).toBe(
      'waits of 250, 500, 1000, 2000, 4000, 8000 ms: wait 5 is 4000 ms',
    );
  });

  test('exact doubling to the cap, with timer slack, is not jitter', () => {
    const t = code([252, 503, 1004, 2006, 2003, 2005], { mode: 'server', tail: 3000 });
    expect(run('backoff-capped', t)).toMatchObject({ ok: true });
    expect(failure('backoff-jitter', t)).toMatchObject({
      seen: 'waits of 252, 503, 1004, 2006, 2003, 2005 ms: a fixed schedule, every client would retry in step',
      rfc: 'RFC 6455 §7.2.3',
    });
  });

  test('a fixed 1 s retry fails growth and jitter', () => {
    const t = code([1000, 1001, 1000, 1002, 1000, 1001], { tail: 3000 });
    expect(failure('backoff-grows', t).seen).toMatch(/they do not grow/);
    expect(failure('backoff-jitter', t).seen).toMatch(/a fixed schedule/);
  });

  test('a retry after the clean 1000 fails, with how soon it came', () => {
    const t = code(GOOD, { cleanRetries: [250], tail: 3000 });
    expect(failure('no-retry-1000', t)).toMatchObject({
      seen: '1 new connection after the clean close, the first 250 ms later: the server said it was done',
      rfc: 'RFC 6455 §7.4.1',
    });
  });

  test('no retry yet, but too soon after the clean close to tell', () => {
    const t = trace([attempt('loopback', 'c1', CLEAN, T0, 'clean')]);
    expect(failure('no-retry-1000', t).seen).toBe(
      'closed with 1000 and no retry so far, but only 0 ms have passed: a retry could still come',
    );
  });

  test('a connection with no CLOSE frame that the page reports clean is not a drop (7.1.5: a drop is 1006)', () => {
    const ending: SessionEvent[] = [
      { kind: 'eof', t: T0 + 301, from: 'server' },
      { kind: 'api', t: T0 + 303, type: 'close', code: 1000, reason: '', wasClean: true },
    ];
    const t = trace([connectionIn('loopback', 'c1', '/close?drop=1', ending)]);
    expect(failure('dropped', t)).toMatchObject({
      seen: 'close 1000, wasClean true',
      rfc: 'RFC 6455 §7.1.5',
    });
  });

  test('a dropped connection that ended with a CLOSE frame is not a drop', () => {
    const t = trace([attempt('loopback', 'c1', '/close?drop=1', T0, 'clean', 'lab')]);
    expect(failure('dropped', t).seen).toBe(
      'a CLOSE frame from the server on the wire: that is a closing handshake, not a drop',
    );
  });
});
