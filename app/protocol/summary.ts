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
 * Long payloads are cut with "…"; control characters in text are escaped (\n, \t, \x00), and
 * so are bidi controls (\u202e), and text holding right-to-left letters is isolated (FSI ...
 * PDI): peer text can never reorder what is shown around it.
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
  if (frame.rsv1 && (opcode === 0x1 || opcode === 0x2)) {
    // RFC 7692 §6: a compressed message; its bytes are DEFLATE, not the text (the inspector inflates).
    content = ' (compressed)';
  } else if (payload.length > 0 || opcode === 0x1) {
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

/** "text" with control characters escaped, cut at maxChars code points with …, bidi-isolated. */
export function quote(text: string, maxChars = 32): string {
  const chars = Array.from(text);
  const shown = chars.slice(0, maxChars).map(escapeChar).join('');
  return `"${isolateRtl(shown)}${chars.length > maxChars ? '…' : ''}"`;
}

/**
 * The explicit bidi formatting characters (Unicode UAX #9, 2.1-2.6): ALM, LRM, RLM, the
 * embeddings and overrides (LRE RLE PDF LRO RLO) and the isolates (LRI RLI FSI PDI). In peer
 * text they are invisible and act on what follows: 'invoice\u202Efdp.exe' would show the rest
 * of the line reversed. They are shown by their code instead.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, NKo, ... and their presentation forms). */
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;
const FSI = '\u2068';
const PDI = '\u2069';

/**
 * Peer text made safe to show inside a line of ours: bidi controls shown as \u202e, and text
 * with right-to-left letters wrapped in FSI ... PDI (first strong isolate), so its direction
 * applies inside it and never moves the numbers and words around it.
 */
export function isolatePeerText(text: string): string {
  return isolateRtl(
    text.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

/** FSI text PDI when `text` (already free of bidi controls) holds right-to-left letters. */
function isolateRtl(text: string): string {
  return RTL.test(text) ? `${FSI}${text}${PDI}` : text;
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
  // So are bidi controls, which would also reorder what follows.
  if (c.length === 1 && c.replace(BIDI_CONTROLS, '') === '') {
    return `\\u${code.toString(16).padStart(4, '0')}`;
  }
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
