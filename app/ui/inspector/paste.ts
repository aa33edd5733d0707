/**
 * Paste-and-decode: text -> bytes (lib/bytes.ts) -> one frame after another, each annotated by
 * the engine exactly like a live frame. A problem names the frame, the byte and the rule.
 */
import { annotateFrame, type Annotation } from '../lib/annotate.ts';
import { type PasteFormat, parsePastedBytes } from '../lib/bytes.ts';

export interface PastedFrame {
  /** Offset of the frame's first byte in the pasted bytes. */
  offset: number;
  bytes: Uint8Array;
  annotation: Annotation;
}

export type PasteDecoding =
  | { ok: false; message: string; at?: number }
  | {
      ok: true;
      format: 'hex' | 'hexdump' | 'base64';
      total: number;
      frames: PastedFrame[];
      /** The first rule broken, or bytes missing at the end. */
      problem?: string;
    };

export function decodePaste(text: string, format: PasteFormat = 'auto'): PasteDecoding {
  const parsed = parsePastedBytes(text, format);
  if (!parsed.ok) return parsed;
  const bytes = parsed.bytes;
  const frames: PastedFrame[] = [];
  let problem: string | undefined;
  let offset = 0;
  while (offset < bytes.length && frames.length < 1000) {
    const rest = bytes.subarray(offset);
    const first = annotateFrame(rest);
    const n = frames.length + 1;
    if (!first.complete || first.frameLength === undefined) {
      frames.push({ offset, bytes: rest, annotation: first });
      problem ??= incomplete(n, offset, rest.length, first);
      break;
    }
    const frameBytes = rest.subarray(0, first.frameLength);
    const annotation = first.frameLength === rest.length ? first : annotateFrame(frameBytes);
    frames.push({ offset, bytes: frameBytes, annotation });
    if (annotation.error && problem === undefined) {
      const e = annotation.error;
      const at =
        e.byteOffset === undefined
          ? ''
          : `, byte ${offset + e.byteOffset} (0x${(bytes[offset + e.byteOffset] ?? 0).toString(16).padStart(2, '0')})`;
      problem = `Frame ${n}${at}: ${e.message}. ${e.rfc}, ${e.code}.`;
    }
    offset += first.frameLength;
  }
  if (offset < bytes.length && frames.length >= 1000) problem ??= 'Only the first 1,000 frames are decoded.';
  return { ok: true, format: parsed.format, total: bytes.length, frames, ...(problem ? { problem } : {}) };
}

function incomplete(n: number, offset: number, have: number, a: Annotation): string {
  if (have < 2)
    return `Frame ${n} at byte ${offset}: only ${have} byte; a frame header has at least 2 (RFC 6455 §5.2).`;
  if (a.frameLength === undefined) {
    const len = a.fields.find((f) => f.id === 'len7')?.value;
    const mask = a.fields.find((f) => f.id === 'mask')?.value === 1;
    const needed = (len === 126 ? 4 : len === 127 ? 10 : 2) + (mask ? 4 : 0);
    return `Frame ${n} at byte ${offset}: the header is cut short: ${needed} header bytes needed (${len === 126 ? '16-bit length' : len === 127 ? '64-bit length' : '7-bit length'}${mask ? ' + masking key' : ''}), ${have} present (RFC 6455 §5.2).`;
  }
  const payload = a.fields.find((f) => f.id === 'payload' || f.id === 'closeCode');
  const header = payload ? payload.byteOffset : have;
  // A 64-bit length is exact as text; as a Number it rounds above 2^53 (BigInt keeps it exact).
  const len64 = a.fields.find((f) => f.id === 'len64')?.value;
  const stated =
    typeof len64 === 'string' && /^\d+$/.test(len64) ? BigInt(len64) : BigInt(a.frameLength - header);
  const follow = Math.max(0, have - header);
  return `Frame ${n} at byte ${offset}: the header says ${stated} payload byte${stated === 1n ? '' : 's'}, but only ${follow} follow${follow === 1 ? 's' : ''}: ${stated - BigInt(follow)} missing.`;
}
