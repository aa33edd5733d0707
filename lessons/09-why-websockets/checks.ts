import {
  httpTo,
  pollStats,
  seqOf,
  sinceOf,
  socketStats,
  type FeedStats,
} from '../../app/lessons/feed-stats.ts';
import {
  apiEvents,
  at,
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

/** Updates a client must have received before its numbers mean something. */
export const ENOUGH = 5;

const bytes = (n: number | undefined): string => (n === undefined ? '–' : `${n} B`);
const ms = (n: number | undefined): string => (n === undefined ? '–' : `${n} ms`);

/** "6 requests, 6 updates, 0 empty; 640 B of headers per update, 480 ms delay per update" */
function line(s: FeedStats, requests = plural(s.requests, 'request')): string {
  return (
    `${requests}, ${plural(s.updates, 'update')}, ${s.empty} empty; ` +
    `${bytes(s.bytesPerUpdate)} of headers per update, ${ms(s.delayMs)} delay per update`
  );
}

/** The HTTP feed client's task: enough exchanges with `path`, all answered 200. */
function httpClient(trace: Trace, path: string, name: string): { stats: FeedStats } | { result: TaskResult } {
  const records = httpTo(trace, path);
  const expected = `at least ${ENOUGH} updates by ${name} (GET ${path}?since=N; press Start under ${name === 'polling' ? 'Polling' : 'Long polling'})`;
  if (records.length === 0)
    return { result: fail({ expected, seen: `no request to ${path} yet`, rfc: rfc('1.1') }) };
  const refused = records.find((r) => r.status !== 200);
  if (refused)
    return {
      result: fail({
        expected: `every GET ${path} answered 200 OK`,
        seen: `${refused.url.replace(/^https?:\/\/[^/]+/, '')} answered ${refused.status}`,
        rfc: rfc('1.1'),
      }),
    };
  const stats = pollStats(records);
  if (stats.updates < ENOUGH)
    return { result: fail({ expected, seen: `${line(stats)} so far`, rfc: rfc('1.1') }) };
  return { stats };
}

export default defineChecks({
  tasks: [
    {
      id: 'polled',
      title: 'Poll the feed every second (GET /poll) until it has brought 5 updates',
      check(trace) {
        const r = httpClient(trace, '/poll', 'polling');
        if ('result' in r) return r.result;
        const [first] = httpTo(trace, '/poll');
        return pass(
          `${line(r.stats)} (each request: a ${first!.requestHeadBytes} B request head, a ${first!.responseHeadBytes} B response head)`,
        );
      },
    },
    {
      id: 'long-polled',
      title: 'Long-poll the feed (GET /long-poll) until it has brought 5 updates',
      check(trace) {
        const r = httpClient(trace, '/long-poll', 'long polling');
        if ('result' in r) return r.result;
        // 1.1: the server holds a request until there is something after `since`; a client that
        // asks for less than it already has is answered at once with old news (it polls).
        const records = httpTo(trace, '/long-poll');
        const had = (i: number): number => seqOf(records[i - 1]?.body ?? '') ?? 0;
        const stale = records.findIndex((x, i) => i > 0 && sinceOf(x.url) < had(i));
        if (stale > 0) {
          const asked = sinceOf(records[stale]!.url);
          return fail({
            expected: 'each long poll asks for what comes after the last update it got (since=the last seq)',
            seen: `request ${stale + 1} asked since=${asked} after an answer with seq ${had(stale)}: answered at once, with old news, not held`,
            rfc: rfc('1.1'),
          });
        }
        // A held request answers with news; empty answers mean it was not held.
        if (r.stats.empty * 5 > r.stats.requests)
          return fail({
            expected: 'answers held until there is news: at most 1 in 5 empty',
            seen: `${r.stats.empty} of ${plural(r.stats.requests, 'answer')} empty: does each request ask since the last seq it got?`,
            rfc: rfc('1.1'),
          });
        return pass(line(r.stats, plural(r.stats.requests, 'request')));
      },
    },
    {
      id: 'ticker',
      title: 'Keep one WebSocket to /ticker open until it has pushed 5 updates',
      check(trace) {
        const all = connectionsTo(trace, '/ticker');
        const conn = all.at(-1);
        if (!conn)
          return fail({
            expected: `a connection to /ticker that stays open for ${ENOUGH} updates`,
            seen: 'no connection to /ticker yet',
            rfc: rfc('1.2'),
          });
        const stats = socketStats([conn]);
        const quotes = framesOf(conn, 'server').filter((f) => f.kind === 'text');
        if (stats.updates < ENOUGH)
          return fail({
            expected: `${ENOUGH} updates pushed on one connection to /ticker`,
            seen:
              all.length > 1
                ? `${plural(all.length, 'connection')} to /ticker; the latest brought ${plural(stats.updates, 'update')}`
                : `${plural(stats.updates, 'update')} on it so far${apiEvents(conn, 'close').length > 0 ? ', and it is closed' : ''}`,
            ...(quotes[0] ? { frame: at(quotes[0], 'len7') } : {}),
            rfc: rfc('1.2'),
          });
        const header = quotes[0]?.headerLength ?? 2;
        return pass(
          `one handshake of ${stats.handshakeBytes} B, then ${header} B of frame header per update: ` +
            `${bytes(stats.bytesPerUpdate)} per update over ${stats.updates}, ${ms(stats.delayMs)} delay per update`,
          quotes[0] ? at(quotes[0], 'len7') : undefined,
        );
      },
    },
    {
      id: 'compare',
      title: 'Compare the three: the WebSocket spends the fewest header bytes per update',
      check(trace) {
        const poll = pollStats(httpTo(trace, '/poll'));
        const long = pollStats(httpTo(trace, '/long-poll'));
        const conns = connectionsTo(trace, '/ticker');
        const ws = socketStats(conns);
        const missing = [
          poll.updates < ENOUGH ? 'polling' : '',
          long.updates < ENOUGH ? 'long polling' : '',
          ws.updates < ENOUGH ? 'the WebSocket' : '',
        ].filter(Boolean);
        if (missing.length > 0)
          return fail({
            expected: `at least ${ENOUGH} updates by each of the three (run them in the table above)`,
            seen: `too few yet from ${missing.join(', ')}: ${poll.updates}, ${long.updates} and ${ws.updates} updates`,
            rfc: rfc('1.1'),
          });
        // 1.2: the handshake is paid once; a client that reconnects for (about) every update pays
        // it every time, and is no cheaper than HTTP.
        if (conns.length > 1 && ws.updates < 2 * conns.length)
          return fail({
            expected: 'one WebSocket kept open, so its handshake is paid once',
            seen: `${plural(conns.length, 'connection')} to /ticker for ${plural(ws.updates, 'update')}: ${bytes(ws.handshakeBytes)} of handshakes, ${bytes(ws.bytesPerUpdate)} per update`,
            rfc: rfc('1.2'),
          });
        const table = `header bytes per update: polling ${bytes(poll.bytesPerUpdate)}, long polling ${bytes(long.bytesPerUpdate)}, WebSocket ${bytes(ws.bytesPerUpdate)}; delay: ${ms(poll.delayMs)}, ${ms(long.delayMs)}, ${ms(ws.delayMs)}`;
        const cheapest = Math.min(poll.bytesPerUpdate ?? Infinity, long.bytesPerUpdate ?? Infinity);
        if ((ws.bytesPerUpdate ?? Infinity) >= cheapest)
          return fail({
            expected:
              'the WebSocket with the fewest header bytes per update (2 B per frame after one handshake)',
            seen: table,
            rfc: rfc('5.2'),
          });
        return pass(table);
      },
    },
  ],
});
