import {
  apiEvents,
  at,
  defineChecks,
  fail,
  framesOf,
  pass,
  pathOf,
  plural,
  rfc,
  type TaskResult,
  type Trace,
  type TraceConnection,
} from '../../app/lessons/kit.ts';

/** What client.js sends: COUNT messages '#0:...', '#1:...' of 8 KiB each, to the slow /echo. */
export const COUNT = 64;
export const SIZE = 8 * 1024;
/** A flood: the send buffer held at least half of everything at once. */
export const FLOOD_BYTES = (COUNT * SIZE) / 2;
/** A paced sender keeps at most this much waiting (its high-water mark and one message). */
export const PACED_BYTES = 64 * 1024;

/** The learner's code's connections to /echo?read=... (the slow reader), oldest first. */
function slowEcho(trace: Trace): TraceConnection[] {
  return trace.connections.filter((c) => {
    if (c.origin !== 'code' || pathOf(c.url) !== '/echo') return false;
    try {
      return new URL(c.url).searchParams.has('read');
    } catch {
      return false;
    }
  });
}

/** The largest bufferedAmount recorded right after a send, and after which send. */
export function peakOf(conn: TraceConnection): { bytes: number; send: number; sends: number } {
  const sends = apiEvents(conn, 'send');
  let bytes = 0;
  let send = 0;
  sends.forEach((e, i) => {
    if ((e.buffered ?? 0) > bytes) {
      bytes = e.buffered ?? 0;
      send = i + 1;
    }
  });
  return { bytes, send, sends: sends.length };
}

const kib = (n: number): string => `${Math.round(n / 102.4) / 10} KiB`;

const NO_RUN = 'no connection from your code to /echo?read=131072 yet (run client.js)';

export default defineChecks({
  tasks: [
    {
      id: 'flood',
      title: 'Run the tight loop and watch bufferedAmount climb',
      check(trace) {
        const expected = `a send loop whose bufferedAmount reaches at least ${kib(FLOOD_BYTES)}: half of the ${COUNT} messages waiting at once`;
        const conns = slowEcho(trace);
        if (conns.length === 0) return fail({ expected, seen: NO_RUN, rfc: rfc('1.7') });
        const flood = conns
          .map((conn) => ({ conn, peak: peakOf(conn) }))
          .filter((x) => x.peak.bytes >= FLOOD_BYTES)
          .at(-1);
        if (flood)
          return pass(
            `bufferedAmount reached ${flood.peak.bytes} bytes (${kib(flood.peak.bytes)}) right after send ${flood.peak.send} of ${flood.peak.sends}`,
          );
        const best = Math.max(...conns.map((c) => peakOf(c).bytes));
        return fail({
          expected,
          seen: `the largest bufferedAmount after a send was ${best} bytes`,
          rfc: rfc('1.7'),
        });
      },
    },
    {
      id: 'paced',
      title: `Pace the sender: never more than ${kib(PACED_BYTES)} waiting`,
      check(trace) {
        const expected = `all ${COUNT} messages sent, and bufferedAmount never over ${PACED_BYTES} bytes (${kib(PACED_BYTES)}) right after a send: wait for it to drain before sending more`;
        const conn = slowEcho(trace)
          .filter((c) => apiEvents(c, 'send').length > 0)
          .at(-1);
        if (!conn) return fail({ expected, seen: NO_RUN, rfc: rfc('10.4') });
        const peak = peakOf(conn);
        if (peak.bytes > PACED_BYTES)
          return fail({
            expected,
            seen: `bufferedAmount was ${peak.bytes} bytes (${kib(peak.bytes)}) right after send ${peak.send}`,
            rfc: rfc('10.4'),
          });
        if (peak.sends < COUNT)
          return fail({
            expected,
            seen: `${plural(peak.sends, 'message')} sent so far on your latest connection (at most ${peak.bytes} bytes waiting)`,
            rfc: rfc('10.4'),
          });
        return pass(
          `${COUNT} messages sent; bufferedAmount never over ${peak.bytes} bytes (${kib(peak.bytes)}) right after a send`,
        );
      },
    },
    {
      id: 'in-order',
      title: 'Every message reaches the server, once, in order',
      check(trace) {
        const expected = `the server reads and echoes #0 to #${COUNT - 1}, each once, in order (TCP keeps the order, §1.7; a sender that skips or reorders does not)`;
        const conn = slowEcho(trace)
          .filter((c) => apiEvents(c, 'send').length > 0)
          .at(-1);
        if (!conn) return fail({ expected, seen: NO_RUN, rfc: rfc('1.7') });
        return inOrder(conn, expected);
      },
    },
  ],
});

/** The echoes on the wire (what the server read, in the order it read it) against #0..#COUNT-1. */
function inOrder(conn: TraceConnection, expected: string): TaskResult {
  const echoes = framesOf(conn, 'server').filter((f) => f.kind === 'text');
  const numbers = echoes.map((f) => {
    const head = new TextDecoder().decode((f.frame?.payload ?? new Uint8Array(0)).subarray(0, 12));
    const m = /^#(\d+):/.exec(head);
    return m ? Number(m[1]) : NaN;
  });
  for (let i = 0; i < Math.min(numbers.length, COUNT); i++) {
    if (numbers[i] !== i)
      return fail({
        expected,
        seen: `echo ${i + 1} is ${Number.isNaN(numbers[i]) ? 'not a numbered message' : `#${numbers[i]}`}, where #${i} was due`,
        frame: at(echoes[i]!, 'payload'),
        rfc: rfc('1.7'),
      });
  }
  if (numbers.length < COUNT)
    return fail({
      expected,
      seen:
        numbers.length === 0
          ? 'no echo from the server yet'
          : `#0 to #${numbers.length - 1} so far, in order; ${COUNT - numbers.length} still to come`,
      rfc: rfc('1.7'),
    });
  if (numbers.length > COUNT)
    return fail({
      expected,
      seen: `${numbers.length} echoes: more than the ${COUNT} messages`,
      frame: at(echoes[COUNT]!, 'payload'),
      rfc: rfc('1.7'),
    });
  return pass(`#0 to #${COUNT - 1} came back in order, each once`, at(echoes.at(-1)!, 'payload'));
}
