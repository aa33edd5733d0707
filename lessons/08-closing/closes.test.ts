import { expect, test } from 'vitest';
import { connection, frameEvent, opened } from '../../app/lessons/testing.ts';
import { closeFramesOf, describeClose, ending } from './closes.ts';

const T0 = 1_700_000_000_000;
const url = 'ws://playground.local/echo';
const payload = (code: number, reason: string) =>
  Uint8Array.of(code >> 8, code & 0xff, ...new TextEncoder().encode(reason));

test('a CLOSE is read from its bytes: the code in network byte order, the reason in UTF-8 (5.5.1)', () => {
  const conn = connection('c1', url, [
    ...opened(T0, url),
    frameEvent(T0 + 1, 'client', 0x8, payload(4001, 'héllo')), // masked on the wire
    frameEvent(T0 + 2, 'server', 0x8, new Uint8Array(0)),
  ]);
  const [mine, theirs] = closeFramesOf(conn);
  expect(mine).toMatchObject({ from: 'client', code: 4001, reason: 'héllo', reasonBytes: 6 });
  expect(theirs).toMatchObject({ from: 'server', reason: '', reasonBytes: 0 });
  expect(theirs!.code).toBeUndefined();
  expect(describeClose(mine!)).toBe("CLOSE 4001 'héllo' from the client");
  expect(describeClose(theirs!)).toBe('an empty CLOSE (no code) from the server');
  expect(ending(conn)).toBe(
    "CLOSE 4001 'héllo' from the client, then an empty CLOSE (no code) from the server; the page has not reported a close yet",
  );
});

test('a CLOSE the engine would refuse (code 1005 on the wire) is still read and named', () => {
  const conn = connection('c1', url, [
    ...opened(T0, url),
    frameEvent(T0 + 1, 'server', 0x8, payload(1005, '')),
  ]);
  expect(closeFramesOf(conn)[0]).toMatchObject({ code: 1005, reasonBytes: 0 });
});
