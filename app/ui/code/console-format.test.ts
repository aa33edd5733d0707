import { describe, expect, it } from 'vitest';
import { droppedNote, formatEntry, plainEntry, sanitize, timestamp } from './console-format.ts';

const at = new Date(2025, 0, 2, 3, 4, 5, 67).getTime();
// eslint-disable-next-line no-control-regex
const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('console formatting', () => {
  it('stamps each line with local time to the millisecond', () => {
    expect(timestamp(at)).toBe('03:04:05.067');
  });

  it('colours by level: errors red, warnings yellow, info cyan, plain logs uncoloured', () => {
    expect(formatEntry({ level: 'error', t: at, text: 'bad' })).toContain('\x1b[31mbad');
    expect(formatEntry({ level: 'warn', t: at, text: 'hm' })).toContain('\x1b[33mhm');
    expect(formatEntry({ level: 'info', t: at, text: 'fyi' })).toContain('\x1b[36mfyi');
    expect(strip(formatEntry({ level: 'log', t: at, text: 'x' }))).toBe('03:04:05.067   x');
  });

  it('indents continuation lines under the text and ends lines with CRLF', () => {
    const out = strip(
      formatEntry({ level: 'error', t: at, text: 'Uncaught Error: no\n    at f (line 3:1)' }),
    );
    expect(out).toBe(`03:04:05.067 ✖ Uncaught Error: no\r\n${' '.repeat(15)}    at f (line 3:1)`);
  });

  it('names the editor line of an error', () => {
    expect(strip(formatEntry({ level: 'error', t: at, text: 'boom', line: 12 }))).toBe(
      '03:04:05.067 ✖ boom (line 12)',
    );
  });

  it('indents console.group output', () => {
    expect(strip(formatEntry({ level: 'log', t: at, text: 'inner', indent: 2 }))).toBe(
      '03:04:05.067       inner',
    );
  });

  it('strips escape sequences so learner text cannot restyle or clear the terminal', () => {
    expect(sanitize('a\x1b[2Jb\x1b[31mc\x07d\te')).toBe('abcd  e');
    expect(strip(formatEntry({ level: 'log', t: at, text: '\x1bc' }))).toBe('03:04:05.067   ');
  });

  it('says how many lines were dropped', () => {
    expect(droppedNote(12345, at).text).toBe(
      '… 12,345 lines dropped: output came faster than the console can show',
    );
    expect(droppedNote(1, at).text).toContain('1 line dropped');
  });

  it('has a plain form for the text alternative', () => {
    expect(plainEntry({ level: 'warn', t: at, text: 'careful', line: 2 })).toBe(
      '03:04:05.067 ! careful (line 2)',
    );
  });
});
