import { expect, test } from 'vitest';
import { LoopbackTransport } from '../../loopback/transport.ts';
import { rig } from '../../loopback/test-support.ts';
import type { HttpRecord } from '../../lessons/types.ts';
import { HTTP_LOG_LIMIT, HttpLog } from './http-log.ts';

async function settle<T>(r: ReturnType<typeof rig>, p: Promise<T>): Promise<T> {
  const box: { v?: T; e?: unknown; done?: boolean } = {};
  void p.then(
    (v) => Object.assign(box, { v, done: true }),
    (e: unknown) => Object.assign(box, { e, done: true }),
  );
  for (let i = 0; i < 200 && !box.done; i++) {
    r.run(10);
    // Real time too: the request code is loaded with the first request (a dynamic import).
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (!box.done) throw new Error('not settled');
  if ('e' in box) throw box.e;
  return box.v as T;
}

test("loopback: a GET goes to the transport's own network and is kept, and listeners hear of it", async () => {
  const r = rig();
  const transport = new LoopbackTransport({ network: r.network });
  const log = new HttpLog();
  const heard: HttpRecord[] = [];
  log.subscribe((x) => heard.push(x));
  r.run(1500);
  const record = await settle(r, log.get(transport, '/poll?since=0'));
  expect(record.url).toBe('http://playground.local/poll?since=0');
  expect((JSON.parse(record.body) as { seq: number }).seq).toBeGreaterThanOrEqual(2);
  expect(record.requestHead).toMatch(/^GET \/poll\?since=0 HTTP\/1\.1\r\n/);
  expect(heard).toEqual([record]);
  expect(log.since(0)).toEqual([record]);
  expect(log.since(record.sent + 1)).toEqual([]);
});

test('a path the feed does not serve rejects and keeps nothing', async () => {
  const r = rig();
  const log = new HttpLog();
  await expect(settle(r, log.get(new LoopbackTransport({ network: r.network }), '/echo'))).rejects.toThrow(
    TypeError,
  );
  expect(log.since(0)).toEqual([]);
});

test(`it keeps the latest ${HTTP_LOG_LIMIT} exchanges`, () => {
  const log = new HttpLog();
  const base = {
    url: 'u',
    method: 'GET',
    received: 0,
    status: 200,
    requestHeadBytes: 0,
    responseHead: '',
    responseHeadBytes: 0,
    body: '',
  };
  for (let i = 0; i < HTTP_LOG_LIMIT + 5; i++) log.add({ ...base, sent: i });
  const kept = log.since(0);
  expect(kept).toHaveLength(HTTP_LOG_LIMIT);
  expect(kept[0]!.sent).toBe(5);
});
