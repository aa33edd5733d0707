import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsoleLevel } from '../../sandbox/protocol.ts';
import { droppedNote, formatEntry, plainEntry, sanitize, timestamp } from './console-format.ts';

/** Characters from U+0000-U+00FF (C0, C1, ESC sequences' bytes) half the time, any code point else. */
const latin1OrAny = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).map((n) => String.fromCharCode(n)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const at = new Date(2025, 0, 2, 3, 4, 5, 67).getTime();
// eslint-disable-next-line no-control-regex
const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('console formatting', () => {
  it('stamps each line with local time to the millisecond', () => {
    expect(timestamp(at)).toBe('03:04:05.067');
  });

  it('colours by level: errors red, warnings yellow, info cyan, plain logs uncoloured', () => {
    expect(formatEntry({ level: 'error', at: at, text: 'bad' })).toContain('\x1b[31mbad');
    expect(formatEntry({ level: 'warn', at: at, text: 'hm' })).toContain('\x1b[33mhm');
    expect(formatEntry({ level: 'info', at: at, text: 'fyi' })).toContain('\x1b[36mfyi');
    expect(strip(formatEntry({ level: 'log', at: at, text: 'x' }))).toBe('03:04:05.067   x');
  });

  it('indents continuation lines under the text and ends lines with CRLF', () => {
    const out = strip(
      formatEntry({ level: 'error', at: at, text: 'Uncaught Error: no\n    at f (line 3:1)' }),
    );
    expect(out).toBe(`03:04:05.067 ✖ Uncaught Error: no\r\n${' '.repeat(15)}    at f (line 3:1)`);
  });

  it('names the editor line of an error', () => {
    expect(strip(formatEntry({ level: 'error', at: at, text: 'boom', line: 12 }))).toBe(
      '03:04:05.067 ✖ boom (line 12)',
    );
  });

  it('indents console.group output', () => {
    expect(strip(formatEntry({ level: 'log', at: at, text: 'inner', indent: 2 }))).toBe(
      '03:04:05.067       inner',
    );
  });

  it('shows escape sequences as text, so learner text cannot restyle or clear the terminal', () => {
    expect(sanitize('a\x1b[2Jb\x1b[31mc\x07d\te')).toBe('a\\x1b[2Jb\\x1b[31mc\\x07d  e');
    expect(strip(formatEntry({ level: 'log', at: at, text: '\x1bc' }))).toBe('03:04:05.067   \\x1bc');
  });

  it('shows C1 controls (8-bit CSI U+009B, OSC U+009D, ST U+009C) and DEL by their code', () => {
    expect(sanitize('\u009b2J\u009b1;31mX')).toBe('\\x9b2J\\x9b1;31mX');
    expect(sanitize('\u0080\u009d\u009c\u009f\x7f')).toBe('\\x80\\x9d\\x9c\\x9f\\x7f');
    // U+00A0 and above are printable: left alone.
    expect(sanitize('\u00a0é✓')).toBe('\u00a0é✓');
  });

  it('never lets an OSC 8 hyperlink through, in its 7-bit or its 8-bit form', () => {
    const seven = '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\';
    const eight = '\u009d8;;https://evil.example/\u009cclick\u009d8;;\u009c';
    expect(sanitize(seven)).toBe('\\x1b]8;;https://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\');
    expect(sanitize(eight)).toBe('\\x9d8;;https://evil.example/\\x9cclick\\x9d8;;\\x9c');
  });

  it('shows bidi controls by their code, so a peer cannot reverse the rest of a console row', () => {
    expect(sanitize('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe');
    expect(sanitize('\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u200e\u200f\u061c')).toBe(
      '\\u2066\\u2067\\u2068\\u2069\\u202a\\u202b\\u202c\\u202d\\u200e\\u200f\\u061c',
    );
    expect(sanitize('שלום')).toBe('שלום');
  });

  it('keeps line breaks (LF and CRLF) as lines and shows a lone CR, which would rewrite the line', () => {
    expect(sanitize('a\r\nb\nc\rd')).toBe('a\nb\nc\\x0dd');
  });

  it('lets no control character of any text reach the terminal except its own colours and CRLF', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: latin1OrAny }),
        fc.constantFrom<ConsoleLevel>('log', 'error', 'system'),
        (text, level) => {
          const out = formatEntry({ level, at: at, text });
          // The formatter's own SGR sequences are ESC [ digits m; once they are gone nothing
          // but CR LF between lines may be left of C0, DEL or C1.
          // eslint-disable-next-line no-control-regex
          const rest = out.replace(/\x1b\[[0-9]+m/g, '').replace(/\r\n/g, '');
          // eslint-disable-next-line no-control-regex
          expect(rest).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('says how many lines were dropped', () => {
    expect(droppedNote(12345, at).text).toBe(
      '… 12,345 lines dropped: output came faster than the console can show',
    );
    expect(droppedNote(1, at).text).toContain('1 line dropped');
  });

  it('has a plain form for the text alternative', () => {
    expect(plainEntry({ level: 'warn', at: at, text: 'careful', line: 2 })).toBe(
      '03:04:05.067 ! careful (line 2)',
    );
  });
});
