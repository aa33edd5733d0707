import { describe, expect, test } from 'vitest';
import { pollStats, seqOf, sinceOf, socketStats, stampsOf } from './feed-stats.ts';
import { connection, frameEvent, opened } from './testing.ts';
import type { HttpRecord } from './types.ts';
import type { SessionEvent } from '../ui/connection/events.ts';

const T0 = 1_000_000;

function record(
  since: number,
  sent: number,
  received: number,
  seqs: number[],
  latest = seqs.at(-1) ?? since,
): HttpRecord {
  return {
    url: `http://h/poll?since=${since}`,
    method: 'GET',
    sent,
    received,
    status: 200,
    requestHeadBytes: 300,
    responseHead: 'x'.repeat(100),
    responseHeadBytes: 100,
    body: JSON.stringify({ seq: latest, updates: seqs.map((seq) => ({ seq, t: T0 + seq * 1000 })) }),
  };
}

describe('pollStats', () => {
  test("counts both heads of every exchange; an update's delay is its arrival minus when it happened", () => {
    const s = pollStats([record(0, T0 + 1500, T0 + 1510, [1]), record(1, T0 + 2500, T0 + 2510, [2])]);
    expect(s).toEqual({
      requests: 2,
      headerBytes: 800,
      updates: 2,
      empty: 0,
      delayMs: 510,
      bytesPerUpdate: 400,
    });
  });

  test("a first answer's backlog is old news: only updates since one interval before it count", () => {
    const s = pollStats([record(0, T0 + 5500, T0 + 5501, [1, 2, 3, 4, 5])]);
    expect(s.updates).toBe(1);
    expect(s.delayMs).toBe(501);
  });

  test('an answer with nothing new is empty, and still costs its heads', () => {
    const s = pollStats([record(0, T0 + 1100, T0 + 1101, [1]), record(1, T0 + 1600, T0 + 1601, [], 1)]);
    expect(s).toMatchObject({ requests: 2, updates: 1, empty: 1, headerBytes: 800, bytesPerUpdate: 800 });
  });

  test('a client that starts over (since=0 again) does not count the backlog as news', () => {
    const s = pollStats([
      record(0, T0 + 1100, T0 + 1101, [1]),
      record(1, T0 + 2100, T0 + 2101, [2]),
      record(0, T0 + 9100, T0 + 9101, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ]);
    expect(s.updates).toBe(3); // 1, 2, and 9 (the rest happened while it was away)
  });

  test('no exchange: zeros, and no per-update figures', () => {
    expect(pollStats([])).toEqual({ requests: 0, headerBytes: 0, updates: 0, empty: 0 });
  });
});

describe('socketStats', () => {
  const quote = (seq: number, t: number) => JSON.stringify({ seq, t });
  function ticker(id: string, t0: number, n: number, request?: string): ReturnType<typeof connection> {
    const events: SessionEvent[] = [...opened(t0, 'ws://h/ticker', request ? { request } : {})];
    for (let seq = 1; seq <= n; seq++) {
      const data = quote(seq, t0 + seq * 1000);
      events.push(frameEvent(t0 + seq * 1000, 'server', 0x1, data), {
        kind: 'api',
        t: t0 + seq * 1000 + 4,
        type: 'message',
        data,
      });
    }
    return connection(id, 'ws://h/ticker', events);
  }

  test('the handshake once, then 2 bytes per small server frame (5.2); +6 for a masked client frame', () => {
    const conn = ticker('c1', T0, 3);
    conn.events.push(frameEvent(T0 + 5000, 'client', 0x8, Uint8Array.of(3, 232)));
    const hs = conn.events
      .filter((e) => e.kind === 'handshake')
      .reduce((n, e) => n + (e.kind === 'handshake' ? e.text.length : 0), 0);
    const s = socketStats([conn]);
    expect(s).toMatchObject({
      requests: 1,
      updates: 3,
      empty: 0,
      delayMs: 4,
      handshakeBytes: hs,
      frameHeaderBytes: 3 * 2 + 6,
    });
    expect(s.bytesPerUpdate).toBe(Math.round((hs + 12) / 3));
  });

  test("server mode's tap token is not counted: it is the playground's, not the learner's request", () => {
    const plain = socketStats([ticker('c1', T0, 1, 'GET /ticker HTTP/1.1\r\nHost: h\r\n\r\n')]);
    const tapped = socketStats([ticker('c1', T0, 1, 'GET /ticker?tap=abc123 HTTP/1.1\r\nHost: h\r\n\r\n')]);
    expect(tapped.handshakeBytes).toBe(plain.handshakeBytes);
  });

  test('quotes are numbered per connection: each connection of a reconnecting client counts its own', () => {
    const s = socketStats([ticker('c1', T0, 1), ticker('c2', T0 + 5000, 1)]);
    expect(s).toMatchObject({ requests: 2, updates: 2 });
  });
});

test('stampsOf reads a quote or a feed body, and nothing from anything else', () => {
  expect(stampsOf('{"seq":3,"t":9,"price":1}')).toEqual([{ seq: 3, t: 9 }]);
  expect(stampsOf('{"seq":3,"updates":[{"seq":3,"t":9},{"seq":"x"}]}')).toEqual([{ seq: 3, t: 9 }]);
  for (const junk of ['', 'null', '[1]', '{"updates":5}', 'not json']) expect(stampsOf(junk)).toEqual([]);
});

test('sinceOf and seqOf read the request and the answer, and never throw', () => {
  expect(sinceOf('http://h/poll?since=12')).toBe(12);
  expect(sinceOf('http://h/poll')).toBe(0);
  expect(sinceOf('http://h/poll?since=-3')).toBe(0);
  expect(seqOf('{"seq":7,"updates":[]}')).toBe(7);
  expect(seqOf('{"seq":"7"}')).toBeUndefined();
  expect(seqOf('oops')).toBeUndefined();
});
