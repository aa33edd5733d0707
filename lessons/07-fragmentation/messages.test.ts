import { expect, test } from 'vitest';
import { connection, frameEvent, opened } from '../../app/lessons/testing.ts';
import { describeMessage, messagesOf, sameData } from './messages.ts';

const T0 = 1_700_000_000_000;
const url = 'ws://playground.local/echo';

test('fragments are joined into one message and control frames between them are kept apart (5.4)', () => {
  const conn = connection('c1', url, [
    ...opened(T0, url),
    frameEvent(T0 + 1, 'server', 0x0, 'stray'), // a continuation with no message open: no message
    frameEvent(T0 + 2, 'server', 0x2, Uint8Array.of(1, 2), false),
    frameEvent(T0 + 3, 'server', 0xa, 'p'),
    frameEvent(T0 + 4, 'server', 0x0, Uint8Array.of(3), true),
    frameEvent(T0 + 5, 'server', 0x9, 'after'), // after the message: belongs to none
    frameEvent(T0 + 6, 'server', 0x1, 'whole'),
  ]);
  const [binary, text, ...rest] = messagesOf(conn, 'server');
  expect(rest).toEqual([]);
  expect(binary!.payload).toEqual(Uint8Array.of(1, 2, 3));
  expect(binary!.between.map((f) => f.kind)).toEqual(['pong']);
  expect(describeMessage(binary!)).toBe('BINARY (FIN=0) + CONT (FIN=1), 3 bytes in all');
  expect(sameData({ type: 'ArrayBuffer', bytes: Uint8Array.of(1, 2, 3) }, binary!)).toBe(true);
  expect(sameData('\u0001\u0002\u0003', binary!)).toBe(false);
  expect(describeMessage(text!)).toBe('TEXT (FIN=1), 5 bytes in all');
  expect(messagesOf(conn, 'client')).toEqual([]);
});

test('a long run of fragments is described by its ends', () => {
  const frames = Array.from({ length: 6 }, (_, i) =>
    frameEvent(T0 + i, 'client', i === 0 ? 0x1 : 0x0, 'ab', i === 5),
  );
  const [m] = messagesOf(connection('c1', url, [...opened(T0, url), ...frames]), 'client');
  expect(describeMessage(m!)).toBe(
    'TEXT (FIN=0) + CONT (FIN=0) + 3 more CONT + CONT (FIN=1), 12 bytes in all',
  );
});
