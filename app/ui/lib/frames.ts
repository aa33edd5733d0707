/**
 * One frame's bytes -> what the frame list shows. The engine decodes (strictly, as the receiving
 * endpoint would: a client frame is read by a server, so it must be masked); when a rule is
 * broken the row still shows the header bits and names the rule.
 */
import {
  decodeFrames,
  type Frame,
  isControl,
  opcodeName,
  protocolError,
  type Side,
  summarizeFrame,
  Utf8Validator,
} from './engine.ts';

export type FrameKind = 'text' | 'binary' | 'continuation' | 'close' | 'ping' | 'pong' | 'reserved';

export interface DecodedFrame {
  fin: boolean;
  rsv: boolean;
  opcode: number;
  masked: boolean;
  /** Payload length from the header (also when the bytes are cut short). */
  length: number;
  kind: FrameKind;
  /** Decoded frame (payload unmasked), when the engine accepted it. */
  frame?: Frame;
  /** The rule the bytes break, when they do. */
  error?: string;
  summary: string;
}

export function kindOf(opcode: number): FrameKind {
  switch (opcode) {
    case 0x0:
      return 'continuation';
    case 0x1:
      return 'text';
    case 0x2:
      return 'binary';
    case 0x8:
      return 'close';
    case 0x9:
      return 'ping';
    case 0xa:
      return 'pong';
    default:
      return 'reserved';
  }
}

/** Payload length as the header states it (7-bit, 16-bit or 64-bit form), -1 if cut short. */
function statedLength(bytes: Uint8Array): number {
  const len7 = (bytes[1] ?? 0) & 0x7f;
  if (len7 < 126) return len7;
  if (len7 === 126) return bytes.length >= 4 ? (bytes[2]! << 8) | bytes[3]! : -1;
  if (bytes.length < 10) return -1;
  let n = 0;
  for (let i = 2; i < 10; i++) n = n * 256 + bytes[i]!;
  return n;
}

export interface DecodeOptions {
  /**
   * RSV1 belongs to permessage-deflate (RFC 7692 §6): allowed only when the handshake
   * negotiated it. Default false, as with our servers, which negotiate no extension (5.2).
   */
  allowRsv1?: boolean;
}

/** Decodes one frame as the endpoint that received it would. */
export function decodeFrameBytes(bytes: Uint8Array, from: Side, options: DecodeOptions = {}): DecodedFrame {
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  const opcode = b0 & 0x0f;
  const base = {
    fin: (b0 & 0x80) !== 0,
    rsv: (b0 & 0x70) !== 0,
    opcode,
    masked: (b1 & 0x80) !== 0,
    length: statedLength(bytes),
    kind: kindOf(opcode),
  };
  if (bytes.length < 2)
    return {
      ...base,
      error: `only ${bytes.length} byte: a frame header is at least 2`,
      summary: 'incomplete frame',
    };
  // The reader of a client frame is the server, and vice versa (§5.1 masking rules).
  const result = decodeFrames(bytes, {
    role: from === 'client' ? 'server' : 'client',
    allowRsv1: options.allowRsv1 ?? false,
  });
  const first = result.frames[0];
  if (first) {
    const extra = bytes.length - first.bytes.length;
    const utf8 = first.frame.rsv1 ? undefined : textProblem(first.frame);
    const error = utf8 ?? (extra > 0 ? `${extra} bytes after the frame's end` : undefined);
    return { ...base, frame: first.frame, summary: summarizeFrame(first.frame), ...(error ? { error } : {}) };
  }
  const name = opcodeName(opcode);
  if (result.error)
    return { ...base, error: result.error.message, summary: `${name} · ${result.error.code}` };
  return {
    ...base,
    error: `cut short: ${result.rest} bytes of a longer frame`,
    summary: `${name} · incomplete`,
  };
}

/**
 * 8.1: a text frame's payload must be UTF-8. A first fragment may stop inside a character (the
 * next one finishes it); a whole message (FIN = 1) may not. Continuations are read with their
 * message, not alone. (A compressed payload is checked only once inflated: not here.)
 */
function textProblem(frame: Frame): string | undefined {
  if (frame.opcode !== 0x1) return undefined;
  const v = new Utf8Validator();
  if (v.push(frame.payload) !== -1) return protocolError('INVALID_UTF8', v.problem).message;
  if (frame.fin && !v.complete)
    return protocolError('INVALID_UTF8', 'the text ends inside a character').message;
  return undefined;
}

/**
 * Bytes the receiving end did not read as frames (it had failed or closed the connection):
 * the frames they are, when they are whole frames end to end, else undefined.
 */
export function wholeFrames(bytes: Uint8Array, from: Side): Uint8Array[] | undefined {
  if (bytes.length < 2) return undefined;
  const result = decodeFrames(bytes, { role: from === 'client' ? 'server' : 'client', allowRsv1: true });
  if (result.error || result.frames.length === 0) return undefined;
  const out: Uint8Array[] = [];
  let at = 0;
  for (const f of result.frames) {
    out.push(bytes.subarray(at, at + f.bytes.length));
    at += f.bytes.length;
  }
  return at === bytes.length ? out : undefined;
}

export { isControl };
