/**
 * Bytes as people write them, and back: hex (as the inspector shows it) and the parser behind
 * paste-and-decode, which accepts what Wireshark, the RFC, a log or a test prints:
 *
 *   81 05 48 65 6c 6c 6f                      plain hex, any separators (space, colon, comma, dash)
 *   0x81 0x05 0x48 ...                        0x prefixes (RFC 6455 §5.7 writes bytes this way)
 *   \x81\x05Hello                             \x escapes are read as hex; other text is refused
 *   0000   81 05 48 65 6c 6c 6f    ..Hello    Wireshark "Copy as Hex Dump": offsets and the ASCII
 *                                             column are dropped
 *   gQVIZWxsbw==                              base64 (standard or URL-safe, padding optional)
 *
 * Errors say where: the line, the column and the rule, so a learner can fix the paste.
 */
import { decodeBase64 } from './engine-basics.ts';

export type PasteFormat = 'auto' | 'hex' | 'base64';

export type PasteResult =
  | { ok: true; bytes: Uint8Array; format: 'hex' | 'hexdump' | 'base64' }
  | { ok: false; message: string; /** character index in the input */ at?: number };

const HEX = '0123456789abcdef';

export function byteHex(b: number): string {
  return HEX[b >> 4]! + HEX[b & 15]!;
}

export function toHex(bytes: Uint8Array, separator = ' ', limit = Infinity): string {
  const n = Math.min(bytes.length, limit);
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = byteHex(bytes[i]!);
  return parts.join(separator) + (bytes.length > n ? `${separator}…` : '');
}

export function byteBits(b: number): string {
  return b.toString(2).padStart(8, '0');
}

/** A printable character for a byte in an ASCII column, '.' otherwise. */
export function byteChar(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·';
}

/** 1-based line and column of a character index, for messages. */
export function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: at - start + 1 };
}

function where(text: string, at: number): string {
  const { line, column } = lineColumn(text, at);
  return text.includes('\n') ? `line ${line}, column ${column}` : `character ${column}`;
}

function show(ch: string): string {
  if (ch === '\t') return 'a tab';
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
}

/** A Wireshark/xxd/hexdump line: an offset of 4-8 hex digits, then the bytes. */
const DUMP_LINE = /^(\s*)([0-9a-fA-F]{4,8})(:?\s+)(?=[0-9a-fA-F]{2}(\s|$))/;

function isDump(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.every((l) => DUMP_LINE.test(l)) && lines.some((l) => /\s{2,}/.test(l));
}

/** Hex dump: per line drop the offset, then keep the hex up to the gap before the ASCII column. */
function parseDump(text: string): PasteResult {
  const out: number[] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const m = DUMP_LINE.exec(line);
    if (m) {
      const from = m[0].length;
      // The ASCII column follows the bytes after a gap of at least 3 spaces (2 in xxd's case,
      // where bytes come in groups of 2 with no space inside: handled by the hex parser).
      const rest = line.slice(from);
      const gap = /\s{3,}|\s{2}(?=\S*$)/.exec(rest.replace(/\s+$/, ''));
      const hexPart = gap ? rest.slice(0, gap.index) : rest;
      const r = parseHex(hexPart, lineStart + from, text);
      if (!r.ok) return r;
      out.push(...r.bytes);
    }
    lineStart += line.length + 1;
  }
  return { ok: true, bytes: Uint8Array.from(out), format: 'hexdump' };
}

/** Hex digits with any separators; `0x` and `\x` prefixes allowed; digits pair up per token. */
function parseHex(text: string, offset = 0, whole = text): PasteResult {
  const out: number[] = [];
  const re = /(0x|\\x)?([0-9a-zA-Z]+)|([\s,:;\-_[\]{}()]+)|(.)/gsu;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = offset + m.index;
    if (m[4] !== undefined) {
      return { ok: false, message: `${show(m[4])} at ${where(whole, at)} is not a hex digit (0-9, a-f)`, at };
    }
    if (m[2] === undefined) continue;
    const digits = m[2];
    const start = at + (m[1]?.length ?? 0);
    const bad = digits.search(/[^0-9a-fA-F]/);
    if (bad !== -1) {
      return {
        ok: false,
        message: `${show(digits[bad]!)} at ${where(whole, start + bad)} is not a hex digit (0-9, a-f)`,
        at: start + bad,
      };
    }
    const prefixed = m[1] !== undefined;
    if (digits.length % 2 !== 0) {
      if (prefixed && digits.length === 1) {
        out.push(parseInt(digits, 16)); // 0x5 is a byte written short
        continue;
      }
      const last = at + m[0].length - 1;
      return {
        ok: false,
        message: `odd number of hex digits in "${m[0].slice(0, 24)}" at ${where(whole, at)}: each byte is two digits, the last one has only one`,
        at: last,
      };
    }
    for (let i = 0; i < digits.length; i += 2) out.push(parseInt(digits.slice(i, i + 2), 16));
  }
  return { ok: true, bytes: Uint8Array.from(out), format: 'hex' };
}

function parseBase64(text: string): PasteResult {
  let clean = '';
  const positions: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (/\s/.test(ch)) continue;
    if (!/[A-Za-z0-9+/=_-]/.test(ch)) {
      return {
        ok: false,
        message: `${show(ch)} at ${where(text, i)} is not a base64 character (A-Z a-z 0-9 + / =)`,
        at: i,
      };
    }
    clean += ch === '-' ? '+' : ch === '_' ? '/' : ch;
    positions.push(i);
  }
  const firstPad = clean.indexOf('=');
  if (firstPad !== -1 && /[^=]/.test(clean.slice(firstPad))) {
    const at = positions[firstPad]!;
    return {
      ok: false,
      message: `'=' at ${where(text, at)} is padding and may only end the base64 text`,
      at,
    };
  }
  const body = firstPad === -1 ? clean : clean.slice(0, firstPad);
  if (body.length % 4 === 1) {
    return {
      ok: false,
      message: `base64 text of ${body.length} characters cannot be whole bytes: every 4 characters make 3 bytes, and 1 left over is not a byte`,
      at: positions[positions.length - 1],
    };
  }
  const padded = body + '='.repeat((4 - (body.length % 4)) % 4);
  const bytes = decodeBase64(padded);
  if (!bytes) return { ok: false, message: 'not valid base64' };
  return { ok: true, bytes, format: 'base64' };
}

/** Is this text (after removing separators and prefixes) only hex digits? */
function looksHex(text: string): boolean {
  const stripped = text.replace(/0x|\\x/gi, '').replace(/[\s,:;\-[\]{}()]/g, '');
  return stripped.length > 0 && /^[0-9a-fA-F]+$/.test(stripped);
}

/** "81 05 48 6g": space-separated pairs, mostly hex: hex with a typo, not base64. */
function mostlyHexPairs(text: string): boolean {
  const tokens = text.split(/[\s,]+/).filter(Boolean);
  if (tokens.length < 3) return false;
  const pairs = tokens.filter((t) => /^[0-9a-fA-F]{2}$/.test(t)).length;
  return pairs / tokens.length >= 0.6 && tokens.every((t) => t.length <= 4);
}

/**
 * Reads pasted bytes. `auto` picks: a hex dump when every line starts with an offset; hex when
 * the text is only hex digits, separators and prefixes; base64 otherwise.
 */
export function parsePastedBytes(input: string, format: PasteFormat = 'auto'): PasteResult {
  const text = input.replace(/\r\n?/g, '\n');
  if (text.trim() === '')
    return { ok: false, message: 'Nothing to decode yet: paste bytes as hex or base64.' };
  if (format === 'base64') return parseBase64(text);
  if (format === 'hex') return isDump(text) ? parseDump(text) : parseHex(text);
  if (isDump(text)) return parseDump(text);
  if (looksHex(text) || /0x[0-9a-f]|\\x[0-9a-f]/i.test(text) || mostlyHexPairs(text)) return parseHex(text);
  if (/^[\sA-Za-z0-9+/=_-]+$/.test(text)) return guessedBase64(text);
  return parseHex(text); // its message names the first character that is neither
}

/**
 * Auto mode's base64 guess, kept only when the bytes could start a frame (§5.2: RSV2 and RSV3
 * clear, a defined opcode): a word such as "zzzz" is not silently read as bytes.
 */
function guessedBase64(text: string): PasteResult {
  const result = parseBase64(text);
  if (!result.ok) return result;
  const b0 = result.bytes[0] ?? 0;
  const opcode = b0 & 0x0f;
  const defined = opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
  if ((b0 & 0x30) === 0 && defined) return result;
  const preview = Array.from(result.bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return {
    ok: false,
    message: `This is not hex, and read as base64 it gives ${preview}${result.bytes.length > 4 ? ' …' : ''}, which does not start a frame (${(b0 & 0x30) !== 0 ? 'RSV2/RSV3 set' : `opcode 0x${opcode.toString(16)} is reserved`}). Choose base64 to decode it anyway.`,
  };
}
