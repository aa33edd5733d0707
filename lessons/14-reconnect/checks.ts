import {
  closeOf,
  connectionsTo,
  defineChecks,
  fail,
  framesOf,
  pass,
  plural,
  rfc,
  type TaskResult,
  type Trace,
} from '../../app/lessons/kit.ts';
import {
  attemptsTo,
  CLEAN,
  endOf,
  FLAKY,
  grows,
  isTo,
  jittered,
  listMs,
  waitsOf,
  type Attempt,
} from './attempts.ts';

/** The longest wait the lesson allows (the cap), and the timer slack a wait may add to it. */
export const CAP_MS = 2000;
export const SLACK_MS = 750;
/** Waits needed before the checks judge the schedule: enough to see it grow and reach the cap. */
export const WAITS = 5;
/** How long after the clean close the trace must show no retry (the cap and a second more). */
export const QUIET_MS = CAP_MS + 1000;

const RUN = 'run client.js: it calls reconnecting() for both endpoints';

/** The attempts on the flaky endpoint, or why the schedule cannot be judged yet. */
function schedule(trace: Trace, expected: string): { waits: number[]; attempts: Attempt[] } | TaskResult {
  const attempts = attemptsTo(trace, FLAKY);
  if (attempts.length === 0)
    return fail({
      expected,
      seen: `no connection from your code to ${FLAKY} yet (${RUN})`,
      rfc: rfc('7.2.3'),
    });
  const waits = waitsOf(attempts);
  if (waits.length < WAITS)
    return fail({
      expected,
      seen:
        waits.length === 0
          ? `one connection to ${FLAKY}, dropped, and no attempt after it: your code did not reconnect`
          : `${plural(attempts.length, 'connection')} so far, waits of ${listMs(waits)}: at least ${WAITS + 1} are needed to judge the schedule`,
      rfc: rfc('7.2.3'),
    });
  return { waits, attempts };
}

const judged = (r: ReturnType<typeof schedule>): r is { waits: number[]; attempts: Attempt[] } =>
  'waits' in r;

export default defineChecks({
  tasks: [
    {
      id: 'dropped',
      title: `Open ${FLAKY} in the lab and see how a dropped connection ends`,
      check(trace) {
        const expected =
          'a connection to /close?drop=1 that the server drops: no CLOSE frame either way, and the page gets close 1006 with wasClean false';
        const conns = connectionsTo(trace, '/close').filter((c) => isTo(c, '/close?drop=1'));
        if (conns.length === 0)
          return fail({ expected, seen: 'no connection to /close?drop=1 yet', rfc: rfc('7.1.5') });
        const ended = [...conns].reverse().find((c) => closeOf(c));
        if (!ended) return fail({ expected, seen: 'the connection is still open', rfc: rfc('7.1.5') });
        const close = closeOf(ended)!;
        const closes = framesOf(ended).filter((f) => f.kind === 'close');
        if (closes.length > 0)
          return fail({
            expected,
            seen: `a CLOSE frame from the ${closes[0]!.from} on the wire: that is a closing handshake, not a drop`,
            rfc: rfc('7.1.5'),
          });
        if (close.code !== 1006 || close.wasClean)
          return fail({
            expected,
            seen: `close ${close.code}, wasClean ${close.wasClean}`,
            rfc: rfc('7.1.5'),
          });
        const open = ended.events.find((e) => e.kind === 'handshake' && e.from === 'server');
        const end = endOf(ended);
        const lasted = open && end !== undefined ? ` after ${Math.round(end - open.t)} ms open` : '';
        return pass(
          `the server ended TCP${lasted} with no CLOSE frame; the page got close 1006, wasClean false`,
        );
      },
    },
    {
      id: 'backoff-grows',
      title: 'Make each wait before reconnecting longer than the last',
      check(trace) {
        const expected = `at least ${WAITS + 1} connections from your code to ${FLAKY}, the waits between them growing (exponential backoff): the last two waits at least twice as long, on average, as the first two`;
        const s = schedule(trace, expected);
        if (!judged(s)) return s;
        if (!grows(s.waits))
          return fail({
            expected,
            seen: `waits of ${listMs(s.waits)}: they do not grow. Does your code reset its attempt count when the socket opens? This server opens, then drops you`,
            rfc: rfc('7.2.3'),
          });
        return pass(`${plural(s.attempts.length, 'attempt')}, waiting ${listMs(s.waits)}`);
      },
    },
    {
      id: 'backoff-capped',
      title: `Never wait more than ${CAP_MS / 1000} s`,
      check(trace) {
        const expected = `waits between reconnects of at most ${CAP_MS} ms (your cap; ${SLACK_MS} ms more are allowed for a busy page), over at least ${WAITS} waits`;
        const s = schedule(trace, expected);
        if (!judged(s)) return s;
        const over = s.waits.findIndex((w) => w > CAP_MS + SLACK_MS);
        if (over !== -1)
          return fail({
            expected,
            seen: `waits of ${listMs(s.waits)}: wait ${over + 1} is ${Math.round(s.waits[over]!)} ms`,
            rfc: rfc('7.2.3'),
          });
        return pass(`the longest wait was ${Math.round(Math.max(...s.waits))} ms: ${listMs(s.waits)}`);
      },
    },
    {
      id: 'backoff-jitter',
      title: 'Randomise each wait (jitter)',
      check(trace) {
        const expected =
          'waits that do not follow an exact formula (each one r times the last, or the cap again): a random part in each wait, so that many clients dropped together do not all come back at the same moment';
        const s = schedule(trace, expected);
        if (!judged(s)) return s;
        if (!jittered(s.waits))
          return fail({
            expected,
            seen: `waits of ${listMs(s.waits)}: a fixed schedule, every client would retry in step`,
            rfc: rfc('7.2.3'),
          });
        return pass(`waits of ${listMs(s.waits)}: no fixed ratio between them`);
      },
    },
    {
      id: 'no-retry-1000',
      title: 'Do not reconnect after a clean close (1000)',
      check(trace) {
        const expected = `a connection from your code to ${CLEAN} that the server closes with 1000, then no new connection to it for ${QUIET_MS / 1000} s`;
        const attempts = attemptsTo(trace, CLEAN);
        if (attempts.length === 0)
          return fail({
            expected,
            seen: `no connection from your code to ${CLEAN} yet (${RUN})`,
            rfc: rfc('7.4.1'),
          });
        const cleanIndex = attempts.findIndex((a) => closeOf(a.conn)?.code === 1000);
        if (cleanIndex === -1) {
          const close = closeOf(attempts.at(-1)!.conn);
          return fail({
            expected,
            seen: close ? `it closed with ${close.code}` : 'the connection is still open',
            rfc: rfc('7.4.1'),
          });
        }
        const clean = attempts[cleanIndex]!;
        const after = attempts.slice(cleanIndex + 1);
        if (after.length > 0)
          return fail({
            expected,
            seen: `${plural(after.length, 'new connection')} after the clean close, the first ${Math.round(after[0]!.start - (clean.end ?? clean.start))} ms later: the server said it was done`,
            rfc: rfc('7.4.1'),
          });
        const closedAt = closeOf(clean.conn)!.t;
        const latest = Math.max(...trace.connections.flatMap((c) => c.events.map((e) => e.t)));
        if (latest - closedAt < QUIET_MS)
          return fail({
            expected,
            seen: `closed with 1000 and no retry so far, but only ${Math.round(latest - closedAt)} ms have passed: a retry could still come`,
            rfc: rfc('7.4.1'),
          });
        return pass(
          `closed with 1000; no new connection in the ${Math.round((latest - closedAt) / 100) / 10} s after it`,
        );
      },
    },
  ],
});
