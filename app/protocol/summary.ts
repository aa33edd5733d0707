/**
 * One readable line per frame, shared by the timeline, the inspector and the console:
 *
 *   TEXT "hello" · 5 B · masked
 *   TEXT "Hel" · 3 B · not fin        first fragment of a message
 *   CONT … · 2 B · fin                continuation (its type comes from the first fragment)
 *   BINARY 0x01 02 03 · 3 B
 *   PING · 0 B
 *   CLOSE 1000 Normal Closure "bye"
 *   CLOSE (no code)
 *
 * Long payloads are cut with "…"; control characters in text are escaped (\n, \t, \x00).
 */
import { parseClosePayload } from './close.ts';
import { describeCloseCode } from './close-codes.ts';
import { opcodeName } from './opcodes.ts';
import type { Frame } from './types.ts';
import { decodeUtf8 } from './utf8.ts';

export interface SummaryOptions {
  /** Text characters shown before "…" (default 32). */
  maxChars?: number;
  /** Bytes of binary shown before "…" (default 16). */
  maxBytes?: number;
  /** For continuation frames: the opcode of the message they continue, to show their content. */
  messageOpcode?: number;
}

export function summarizeFrame(frame: Frame, options: SummaryOptions = {}): string {
  const maxChars = options.maxChars ?? 32;
  const maxBytes = options.maxBytes ?? 16;
  const { opcode, payload } = frame;
  const name = opcodeName(opcode).replace('RESERVED ', 'OP ');
  const flags: string[] = [];
  if (frame.rsv1) flags.push('rsv1');
  if (frame.rsv2) flags.push('rsv2');
  if (frame.rsv3) flags.push('rsv3');
  if (frame.maskKey !== undefined) flags.push('masked');
  const tail = flags.length > 0 ? ` · ${flags.join(' · ')}` : '';

  if (opcode === 0x8) {
    const parsed = parseClosePayload(payload);
    if (!parsed.ok) return `CLOSE (invalid: ${formatSize(payload.length)})${tail}`;
    if (!parsed.hasCode) return `CLOSE (no code)${tail}`;
    const reason = parsed.reason === '' ? '' : ` ${quote(parsed.reason, maxChars)}`;
    return `CLOSE ${parsed.code} ${describeCloseCode(parsed.code).name}${reason}${tail}`;
  }

  const size = ` · ${formatSize(payload.length)}`;
  const fin = frame.fin ? (opcode === 0x0 ? ' · fin' : '') : ' · not fin';
  const kind = opcode === 0x0 ? (options.messageOpcode ?? 0) : opcode;
  let content = '';
  if (payload.length > 0 || opcode === 0x1) {
    if (kind === 0x1 || ((opcode === 0x9 || opcode === 0xa) && isPrintable(payload)))
      content = ` ${quote(decodeUtf8(payload), maxChars)}`;
    else if (opcode === 0x0 && kind === 0) content = ' …';
    else content = ` ${hexPreview(payload, maxBytes)}`;
  }
  return `${name}${content}${size}${fin}${tail}`;
}

/** 5 B, 1.5 KiB, 64 KiB, 2 MiB */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const [value, unit] = n < 1024 * 1024 ? [n / 1024, 'KiB'] : [n / (1024 * 1024), 'MiB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/** "text" with control characters escaped, cut at maxChars code points with …. */
export function quote(text: string, maxChars = 32): string {
  const chars = Array.from(text);
  const shown = chars.slice(0, maxChars).map(escapeChar).join('');
  return `"${shown}${chars.length > maxChars ? '…' : ''}"`;
}

function escapeChar(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  // Quotes and backslashes stay as they are: JSON in a payload reads as JSON, not escaped.
  const code = c.codePointAt(0)!;
  // C0 controls, DEL and C1 controls are invisible: show their code.
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${code.toString(16).padStart(2, '0')}`;
  return c;
}

/** 0x01 02 03 … */
export function hexPreview(bytes: Uint8Array, maxBytes = 16): string {
  const shown = Array.from(bytes.subarray(0, maxBytes), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `0x${shown}${bytes.length > maxBytes ? ' …' : ''}`;
}

/** C0 controls other than tab, LF, VT, FF, CR, and DEL: text holding these is shown as bytes. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const CONTROL_CHARS = /[\x00-\x08\x0e-\x1f\x7f]/;

/** Valid UTF-8 with no control characters other than whitespace: worth showing as text. */
function isPrintable(bytes: Uint8Array): boolean {
  const text = decodeUtf8(bytes);
  return !text.includes('\uFFFD') && !CONTROL_CHARS.test(text);
}
