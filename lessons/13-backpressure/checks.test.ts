import { describe, expect, test } from 'vitest';
import type { Trace } from '../../app/lessons/kit.ts';
import type { LessonMode } from '../../app/lessons/types.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import { connectionIn, frameEvent, T0, tasksUnderTest, trace } from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks, { COUNT, SIZE } from './checks.ts';
import play from './play.ts';

const { run, failureText: failure } = tasksUnderTest(checks);

const PATH = '/echo?read=131072';

const message = (i: number): string => `#${i}:`.padEnd(SIZE, '.');

/**
 * The learner's client.js on the slow /echo: `order` is what it sends (message numbers),
 * `buffered` the bufferedAmount after each send; the server echoes what it read, in order.
 */
function sender(
  buffered: (i: number) => number,
  options: { mode?: LessonMode; order?: number[]; echoes?: number } = {},
): Trace {
  const mode = options.mode ?? 'loopback';
  const order = options.order ?? Array.from({ length: COUNT }, (_, i) => i);
  const events: SessionEvent[] = [];
  let t = T0 + 10;
  order.forEach((n, i) => {
    events.push({ kind: 'api', t: t++, type: 'send', data: message(n), buffered: buffered(i) });
    events.push(frameEvent(t++, 'client', 0x1, message(n)));
  });
  order.slice(0, options.echoes ?? order.length).forEach((n) => {
    events.push(frameEvent(t++, 'server', 0x1, message(n)));
  });
  return trace([connectionIn(mode, 'c1', PATH, events, { origin: 'code' })], { mode });
}

/** A tight loop: every message still queued right after the loop. */
const flood = (i: number): number => (i + 1) * SIZE;
/** A paced sender with a 32 KiB high-water mark. */
const paced = (i: number): number => Math.min(i + 1, 4) * SIZE + (i % 3) * 1000;

describe('the solution passes', () => {
  test.each(['server', 'loopback'] as const)('the tight loop passes flood (%s)', (mode) => {
    expect(run('flood', sender(flood, { mode }))).toEqual({
      ok: true,
      observed: 'bufferedAmount reached 524288 bytes (512 KiB) right after send 64 of 64',
    });
  });

  test.each(['server', 'loopback'] as const)(
    'the flood, then a paced sender: every task passes, read from the latest connection (%s)',
    (mode) => {
      const first = sender(flood, { mode }).connections[0]!;
      const second = { ...sender(paced, { mode }).connections[0]!, id: 'c2' };
      const t = trace([first, second], { mode });
      for (const task of checks.tasks) expect(run(task.id, t), task.id).toMatchObject({ ok: true });
      expect(run('paced', t)).toMatchObject({
        observed: '64 messages sent; bufferedAmount never over 34768 bytes (34 KiB) right after a send',
      });
      expect(run('in-order', t)).toMatchObject({
        observed: '#0 to #63 came back in order, each once',
        frame: { connection: 'c2', field: 'payload' },
      });
    },
  );

  test('what the recorder sees of the solution (nothing: the code runs in the page) fails with a pointer to client.js', async () => {
    const t = await recordLoopback(play.solution);
    expect(failure('paced', t).seen).toBe(
      'no connection from your code to /echo?read=131072 yet (run client.js)',
    );
  });
});

describe('the start and wrong attempts fail with what the wire showed', () => {
  test('the start (nothing run) fails every task', async () => {
    const t = await recordLoopback(play.start);
    for (const task of checks.tasks) expect(run(task.id, t).ok, task.id).toBe(false);
    expect(failure('flood', t)).toMatchObject({ rfc: 'RFC 6455 §1.7' });
  });

  test('the tight loop fails paced, naming the peak and the send', () => {
    expect(failure('paced', sender(flood))).toMatchObject({
      seen: 'bufferedAmount was 524288 bytes (512 KiB) right after send 64',
      rfc: 'RFC 6455 §10.4',
    });
  });

  test('a paced sender that is not done yet says how far it got', () => {
    const t = sender(paced, { order: Array.from({ length: 20 }, (_, i) => i) });
    expect(failure('paced', t).seen).toBe(
      '20 messages sent so far on your latest connection (at most 34768 bytes waiting)',
    );
    expect(failure('in-order', sender(paced, { echoes: 30 })).seen).toBe(
      '#0 to #29 so far, in order; 34 still to come',
    );
  });

  test('a high-water mark checked after the send instead of before lets the buffer pass 64 KiB', () => {
    expect(
      failure(
        'paced',
        sender((i) => Math.min(i + 1, 9) * SIZE),
      ).seen,
    ).toBe('bufferedAmount was 73728 bytes (72 KiB) right after send 9');
  });

  test('a sender that skips a message while the buffer is full fails in-order at the gap, with the frame', () => {
    const order = Array.from({ length: COUNT + 1 }, (_, i) => i).filter((n) => n !== 17);
    expect(failure('in-order', sender(paced, { order }))).toMatchObject({
      seen: 'echo 18 is #18, where #17 was due',
      field: 'payload',
      rfc: 'RFC 6455 §1.7',
    });
  });

  test('two timers sending at once swap messages: in-order fails', () => {
    const order = Array.from({ length: COUNT }, (_, i) => i);
    [order[4], order[5]] = [order[5]!, order[4]!];
    expect(failure('in-order', sender(paced, { order })).seen).toBe('echo 5 is #5, where #4 was due');
  });

  test('a message sent twice is one echo too many', () => {
    const order = [...Array.from({ length: COUNT }, (_, i) => i), 63];
    expect(failure('in-order', sender(paced, { order })).seen).toBe('65 echoes: more than the 64 messages');
  });

  test('a sender whose peak never reached half the data does not show the flood', () => {
    expect(failure('flood', sender(paced)).seen).toBe(
      'the largest bufferedAmount after a send was 34768 bytes',
    );
  });

  test("a connection to the plain /echo (no read=) is not this lesson's slow reader", () => {
    const t = sender(flood);
    const c = t.connections[0]!;
    const plain = { ...c, url: 'ws://playground.local/echo' };
    expect(failure('flood', trace([plain])).seen).toMatch(
      /^no connection from your code to \/echo\?read=131072 yet/,
    );
  });
});
