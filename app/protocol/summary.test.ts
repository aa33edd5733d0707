import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSize, isolatePeerText, quote, summarizeFrame } from './summary.ts';
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

  it('shows bidi controls by their code, so an override cannot reverse the size after the text', () => {
    expect(summarizeFrame(frame(0x1, 'invoice\u202Efdp.exe'))).toBe('TEXT "invoice\\u202efdp.exe" · 17 B');
    for (const c of [
      '\u061c',
      '\u200e',
      '\u200f',
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ])
      expect(quote(`a${c}b`)).toBe(`"a\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}b"`);
  });

  it('isolates text with right-to-left letters (FSI ... PDI), so it cannot pull the size next to it', () => {
    expect(summarizeFrame(frame(0x1, 'שלום'))).toBe('TEXT "\u2068שלום\u2069" · 8 B');
    expect(quote('مرحبا 123')).toBe('"\u2068مرحبا 123\u2069"');
    expect(isolatePeerText('hello')).toBe('hello');
    expect(isolatePeerText('a\u202Eשb')).toBe('\u2068a\\u202eשb\u2069');
  });

  it('leaves no bidi control of peer text active in a summary (property)', () => {
    const unit = fc.oneof(
      fc.constantFrom(
        '\u061c',
        '\u200e',
        '\u200f',
        '\u202a',
        '\u202b',
        '\u202c',
        '\u202d',
        '\u202e',
        '\u2066',
        '\u2067',
        '\u2068',
        '\u2069',
        'ש',
        'a',
        '1',
        ' ',
      ),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit }), (text) => {
        const shown = summarizeFrame(frame(0x1, text), { maxChars: 1000 });
        // At most our own FSI ... PDI pair, balanced, around the whole text.
        const controls = shown.match(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g) ?? [];
        expect(controls.join('')).toMatch(/^(\u2068\u2069)?$/);
      }),
      { numRuns: 1000 },
    );
  }, 30_000); // a thousand runs: seconds on a loaded 2-core machine

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
