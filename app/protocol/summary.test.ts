import { describe, expect, it } from 'vitest';
import { formatSize, summarizeFrame } from './summary.ts';
import { frame, fromHex, text } from './test-helpers.ts';

const KEY = fromHex('37fa213d');

describe('summarizeFrame', () => {
  it.each([
    ['a masked text frame', frame(0x1, 'hello', { maskKey: KEY }), 'TEXT "hello" · 5 B · masked'],
    ['an unmasked text frame', frame(0x1, 'hello'), 'TEXT "hello" · 5 B'],
    ['an empty text frame', frame(0x1, ''), 'TEXT "" · 0 B'],
    ['a first fragment', frame(0x1, 'Hel', { fin: false }), 'TEXT "Hel" · 3 B · not fin'],
    ['a last continuation of unknown type', frame(0x0, 'abc'), 'CONT … · 3 B · fin'],
    ['a middle continuation', frame(0x0, 'ab', { fin: false }), 'CONT … · 2 B · not fin'],
    ['a binary frame', frame(0x2, Uint8Array.of(1, 2, 3)), 'BINARY 0x01 02 03 · 3 B'],
    [
      'a close with code and reason',
      frame(0x8, Uint8Array.of(0x03, 0xe8, ...text('bye'))),
      'CLOSE 1000 Normal Closure "bye"',
    ],
    [
      'a masked close without reason',
      frame(0x8, Uint8Array.of(0x03, 0xe9), { maskKey: KEY }),
      'CLOSE 1001 Going Away · masked',
    ],
    ['an empty close', frame(0x8, ''), 'CLOSE (no code)'],
    ['a 1-byte close', frame(0x8, Uint8Array.of(3)), 'CLOSE (invalid: 1 B)'],
    ['an empty ping', frame(0x9, ''), 'PING · 0 B'],
    ['a ping with text', frame(0x9, 'hb-1'), 'PING "hb-1" · 4 B'],
    ['a pong with bytes', frame(0xa, Uint8Array.of(0, 255)), 'PONG 0x00 ff · 2 B'],
    [
      'a reserved opcode with RSV bits',
      frame(0x3, '', { rsv1: true, rsv3: true }),
      'OP 0x3 · 0 B · rsv1 · rsv3',
    ],
  ])('%s', (_what, f, expected) => {
    expect(summarizeFrame(f)).toBe(expected);
  });

  it('shows a continuation as text or binary when told which message it continues', () => {
    expect(summarizeFrame(frame(0x0, 'lo'), { messageOpcode: 0x1 })).toBe('CONT "lo" · 2 B · fin');
    expect(summarizeFrame(frame(0x0, Uint8Array.of(9)), { messageOpcode: 0x2 })).toBe(
      'CONT 0x09 · 1 B · fin',
    );
  });

  it('truncates long payloads with …', () => {
    expect(summarizeFrame(frame(0x1, 'a'.repeat(40)))).toBe(`TEXT "${'a'.repeat(32)}…" · 40 B`);
    expect(summarizeFrame(frame(0x2, new Uint8Array(20)))).toBe(
      `BINARY 0x${Array(16).fill('00').join(' ')} … · 20 B`,
    );
    expect(summarizeFrame(frame(0x1, '😀'.repeat(40)), { maxChars: 2 })).toBe('TEXT "😀😀…" · 160 B');
  });

  it('escapes control characters, and leaves quotes as they are (JSON reads as JSON)', () => {
    expect(summarizeFrame(frame(0x1, 'a\nb\t"c"\x00\x1b'))).toBe('TEXT "a\\nb\\t"c"\\x00\\x1b" · 9 B');
    expect(summarizeFrame(frame(0x1, '{"a":1}'))).toBe('TEXT "{"a":1}" · 7 B');
  });

  it('formats sizes', () => {
    expect([0, 1023, 1024, 1536, 65536, 1048576].map(formatSize)).toEqual([
      '0 B',
      '1023 B',
      '1 KiB',
      '1.5 KiB',
      '64 KiB',
      '1 MiB',
    ]);
  });
});
