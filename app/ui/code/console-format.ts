/**
 * Console entries as terminal lines: a dim timestamp, a level mark in its colour, the text
 * (continuation lines indented under it), and the editor line of an error. ANSI SGR colours,
 * so xterm renders them and the theme decides the actual colours.
 */
import type { ConsoleEntry, ConsoleLevel } from '../../sandbox/protocol.ts';

const ESC = '\x1b[';
const RESET = `${ESC}0m`;
const DIM = `${ESC}2m`;

/** SGR colour per level (xterm maps these to the theme's ANSI palette). */
const LEVEL_STYLE: Record<ConsoleLevel, { color: string; mark: string }> = {
  log: { color: '', mark: ' ' },
  debug: { color: `${ESC}2m`, mark: '·' },
  info: { color: `${ESC}36m`, mark: 'i' },
  warn: { color: `${ESC}33m`, mark: '!' },
  error: { color: `${ESC}31m`, mark: '✖' },
  system: { color: `${ESC}35m`, mark: '»' },
};

/** HH:MM:SS.mmm in local time. */
export function timestamp(t: number): string {
  const d = new Date(t);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * Makes learner (and peer) text inert for the terminal: every control character is shown as
 * its code, the way the inspector shows it (`\x1b`, `\x9b`), so nothing in it can act as a
 * control sequence. That covers C0 (ESC starts CSI, OSC, DCS ...), DEL, and C1 U+0080-U+009F:
 * xterm reads U+009B as CSI and U+009D as OSC just as it reads ESC [ and ESC ], so a chat
 * message could otherwise clear the screen, recolour it or plant an OSC 8 hyperlink. Bidi
 * controls (U+202E reverses the rest of the row) are shown by their code too. Line
 * breaks stay line breaks (CRLF as one), a tab becomes two spaces.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return text.replace(/\r\n|[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n' || c === '\r\n') return '\n';
    if (c === '\t') return '  ';
    const code = c.charCodeAt(0);
    // Bidi controls (an RLO reverses the rest of the row) are shown by their code, as in the inspector.
    if (code > 0xff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** The terminal text for one entry, lines joined with CRLF (what xterm expects). */
export function formatEntry(entry: ConsoleEntry): string {
  const style = LEVEL_STYLE[entry.level];
  const indent = '  '.repeat(Math.min(entry.indent ?? 0, 10));
  const head = `${DIM}${timestamp(entry.at)}${RESET} ${style.color}${style.mark}${RESET} `;
  const pad = ' '.repeat(15); // under the text, past the timestamp and mark
  const where = entry.line !== undefined ? ` ${DIM}(line ${entry.line})${RESET}` : '';
  const lines = sanitize(entry.text).split(/\r?\n/);
  const body = lines.map(
    (l, i) => `${i === 0 ? head : pad}${indent}${style.color}${l}${style.color ? RESET : ''}`,
  );
  body[0] += where;
  return body.join('\r\n');
}

/** A note for output the sandbox dropped because it came too fast. */
export function droppedNote(count: number, at: number): ConsoleEntry {
  return {
    level: 'system',
    at,
    text: `… ${count.toLocaleString('en')} line${count === 1 ? '' : 's'} dropped: output came faster than the console can show`,
  };
}

/** Plain text of an entry (copy, tests, screen readers). */
export function plainEntry(entry: ConsoleEntry): string {
  return `${timestamp(entry.at)} ${LEVEL_STYLE[entry.level].mark} ${sanitize(entry.text)}${entry.line !== undefined ? ` (line ${entry.line})` : ''}`;
}
