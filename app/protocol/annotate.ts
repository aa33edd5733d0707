/**
 * The inspector's byte-by-byte explanation of one frame, as data: a list of fields
 * {id, name, byteOffset, bitOffset, bitLength, value, meaning, rfc} that covers every bit of
 * the input exactly once (the UI only renders them). Works on partial and malformed input:
 * it explains what is there, marks the field holding the first byte that breaks a rule
 * (`problem`), and says whether the frame is complete.
 *
 *   byte 0   F R R R o o o o     fin rsv1 rsv2 rsv3 opcode
 *   byte 1   M l l l l l l l     mask len7
 *   2..3     len16               if len7 = 126
 *   2..9     len64               if len7 = 127
 *   +4       maskKey             if mask = 1
 *   rest     payload             (a close payload: closeCode 16 bits + closeReason)
 *   after    trailing            bytes after the frame (the next frame starts there)
 *
 * The rules applied are the decoder's own (one source of truth), plus what only whole
 * payloads show: UTF-8 of text (§8.1) and the close payload (§5.5.1).
 */
import { parseClosePayload } from './close.ts';
import { describeCloseCode } from './close-codes.ts';
import { FrameDecoder } from './decoder.ts';
import { protocolError, type ProtocolError } from './errors.ts';
import { applyMask } from './mask.ts';
import { isControl, opcodeName } from './opcodes.ts';
import { formatSize, hexPreview, quote } from './summary.ts';
import type { Frame, FrameField, Role } from './types.ts';
import { decodeUtf8, Utf8Validator } from './utf8.ts';
import { copyBytes } from './bytes.ts';

export interface AnnotateOptions {
  /** The endpoint reading the frame ('server' expects masked frames); default 'any'. */
  role?: Role | 'any';
  /** Treat RSV1 as permessage-deflate (RFC 7692); default true: explained, not an error. */
  allowRsv1?: boolean;
}

export interface Annotation {
  fields: FrameField[];
  /** The frame, when all its bytes are present (even if it breaks a rule). */
  frame?: Frame;
  /** The first rule broken, with `byteOffset` into `bytes`. */
  error?: ProtocolError;
  /** All the frame's bytes are present. */
  complete: boolean;
  /** Bytes the frame occupies, once its header is complete. */
  frameLength?: number;
}

const OPCODE_MEANING: Record<number, string> = {
  0x0: 'continuation: the next fragment of a message (§5.4)',
  0x1: 'text frame: the payload is UTF-8 text',
  0x2: 'binary frame: the payload is raw bytes',
  0x8: 'close: starts or answers the closing handshake (§5.5.1)',
  0x9: 'ping: the peer must answer with a pong (§5.5.2)',
  0xa: 'pong: the answer to a ping, or a heartbeat (§5.5.3)',
};

export function annotateFrame(bytes: Uint8Array, options: AnnotateOptions = {}): Annotation {
  const role = options.role ?? 'any';
  const fields: FrameField[] = [];
  const n = bytes.length;
  const add = (f: FrameField): void => {
    fields.push(f);
  };
  /** A multi-byte field, cut to the bytes present. */
  const span = (
    id: string,
    name: string,
    at: number,
    length: number,
    rfc: string,
    value: (b: Uint8Array) => number | string,
    meaning: (b: Uint8Array) => string,
  ): boolean => {
    const have = Math.max(0, Math.min(length, n - at));
    if (have === 0) return false;
    const b = bytes.subarray(at, at + have);
    const partial = have < length;
    add({
      id,
      name,
      byteOffset: at,
      bitOffset: 0,
      bitLength: have * 8,
      value: partial ? hexPreview(b, 16) : value(b),
      meaning: partial ? `incomplete: ${have} of ${length} bytes` : meaning(b),
      rfc,
    });
    return !partial;
  };

  // The decoder decides the framing rules (and stops at the first one broken).
  const decoder = new FrameDecoder({ role, allowRsv1: options.allowRsv1 ?? true });
  decoder.push(bytes);
  const decoded = decoder.next();
  let error: ProtocolError | undefined = decoded.kind === 'error' ? decoded.error : undefined;

  if (n === 0) return { fields, complete: false };
  const b0 = bytes[0]!;
  const fin = (b0 & 0x80) !== 0;
  const opcode = b0 & 0x0f;
  const bit = (
    id: string,
    name: string,
    bitOffset: number,
    set: boolean,
    on: string,
    off: string,
    rfc = 'RFC 6455 §5.2',
  ): void =>
    add({
      id,
      name,
      byteOffset: 0,
      bitOffset,
      bitLength: 1,
      value: set ? 1 : 0,
      meaning: set ? on : off,
      rfc,
    });
  bit(
    'fin',
    'FIN',
    0,
    fin,
    'final fragment: this frame ends its message',
    isControl(opcode)
      ? 'not final: but control frames cannot be fragmented'
      : 'not final: more fragments of this message follow',
  );
  const rsv1 = (b0 & 0x40) !== 0;
  add({
    id: 'rsv1',
    name: 'RSV1',
    byteOffset: 0,
    bitOffset: 1,
    bitLength: 1,
    value: rsv1 ? 1 : 0,
    meaning: rsv1
      ? 'set: the payload is compressed with permessage-deflate (RFC 7692 §6); valid only if that extension was negotiated'
      : 'not set: no extension uses this frame',
    rfc: rsv1 ? 'RFC 7692 §6' : 'RFC 6455 §5.2',
  });
  bit(
    'rsv2',
    'RSV2',
    2,
    (b0 & 0x20) !== 0,
    'set, but no extension defines it: the receiver fails the connection (1002)',
    'reserved: must be 0',
  );
  bit(
    'rsv3',
    'RSV3',
    3,
    (b0 & 0x10) !== 0,
    'set, but no extension defines it: the receiver fails the connection (1002)',
    'reserved: must be 0',
  );
  add({
    id: 'opcode',
    name: 'Opcode',
    byteOffset: 0,
    bitOffset: 4,
    bitLength: 4,
    value: opcode,
    meaning: `0x${opcode.toString(16)} ${OPCODE_MEANING[opcode] ?? `${opcodeName(opcode)}: reserved, the receiver fails the connection (1002)`}`,
    rfc: 'RFC 6455 §5.2',
  });

  let frameLength: number | undefined;
  let payloadAt = 0;
  let payloadLength = 0;
  let maskKey: Uint8Array | undefined;
  let headerDone = false;
  if (n >= 2) {
    const b1 = bytes[1]!;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    add({
      id: 'mask',
      name: 'MASK',
      byteOffset: 1,
      bitOffset: 0,
      bitLength: 1,
      value: masked ? 1 : 0,
      meaning: masked
        ? 'masked: the payload is XORed with the 4-byte key that follows (client to server)'
        : 'not masked (server to client)',
      rfc: 'RFC 6455 §5.3',
    });
    add({
      id: 'len7',
      name: 'Payload length (7 bits)',
      byteOffset: 1,
      bitOffset: 1,
      bitLength: 7,
      value: len7,
      meaning:
        len7 < 126
          ? `the payload is ${len7} bytes`
          : len7 === 126
            ? '126: the length is in the next 16 bits'
            : '127: the length is in the next 64 bits',
      rfc: 'RFC 6455 §5.2',
    });
    let at = 2;
    let lengthKnown = true;
    payloadLength = len7;
    if (len7 === 126) {
      lengthKnown = span(
        'len16',
        'Extended payload length (16 bits)',
        2,
        2,
        'RFC 6455 §5.2',
        (b) => (b[0]! << 8) | b[1]!,
        (b) => `the payload is ${(b[0]! << 8) | b[1]!} bytes`,
      );
      if (lengthKnown) payloadLength = (bytes[2]! << 8) | bytes[3]!;
      at = 4;
    } else if (len7 === 127) {
      const read64 = (b: Uint8Array): number => {
        let v = 0;
        for (const x of b) v = v * 256 + x;
        return v;
      };
      // Shown exactly: a Number rounds above 2^53 (18446744073709551615 would read ...552000).
      const exact64 = (b: Uint8Array): string => {
        let v = 0n;
        for (const x of b) v = v * 256n + BigInt(x);
        return v.toString();
      };
      lengthKnown = span(
        'len64',
        'Extended payload length (64 bits)',
        2,
        8,
        'RFC 6455 §5.2',
        (b) => exact64(b),
        (b) =>
          `the payload is ${exact64(b)} bytes${(b[0]! & 0x80) !== 0 ? ' (most significant bit set: not allowed)' : ''}`,
      );
      if (lengthKnown) payloadLength = read64(bytes.subarray(2, 10));
      at = 10;
    }
    if (lengthKnown && masked) {
      const keyDone = span(
        'maskKey',
        'Masking key',
        at,
        4,
        'RFC 6455 §5.3',
        (b) => hexPreview(b, 4).slice(2),
        () => 'payload byte i is XORed with key byte i mod 4',
      );
      if (keyDone) maskKey = copyBytes(bytes, at, at + 4);
      at += 4;
      lengthKnown = keyDone;
    }
    if (lengthKnown) {
      headerDone = true;
      payloadAt = at;
      frameLength = at + payloadLength;
    }
  }

  let frame: Frame | undefined;
  const complete = frameLength !== undefined && n >= frameLength;
  if (headerDone && frameLength !== undefined) {
    const have = Math.min(payloadLength, n - payloadAt);
    const raw = bytes.subarray(payloadAt, payloadAt + have);
    const plain = copyBytes(raw);
    if (maskKey !== undefined) applyMask(plain, maskKey);
    const where = maskKey !== undefined ? 'masked on the wire; unmasked: ' : '';
    if (opcode === 0x8 && have === payloadLength && payloadLength >= 2) {
      // 5.5.1: close payload = 2-byte status code + UTF-8 reason.
      const parsed = parseClosePayload(plain);
      const code = (plain[0]! << 8) | plain[1]!;
      const info = describeCloseCode(code);
      add({
        id: 'closeCode',
        name: 'Close code',
        byteOffset: payloadAt,
        bitOffset: 0,
        bitLength: 16,
        value: code,
        meaning: `${code} ${info.name}: ${info.meaning}${info.sendable ? '' : ' Not allowed in a close frame.'}`,
        rfc: 'RFC 6455 §7.4',
      });
      if (payloadLength > 2) {
        add({
          id: 'closeReason',
          name: 'Close reason',
          byteOffset: payloadAt + 2,
          bitOffset: 0,
          bitLength: (payloadLength - 2) * 8,
          value: quote(decodeUtf8(plain.subarray(2)), 64),
          meaning: `${where}the reason, ${payloadLength - 2} bytes of UTF-8 (at most 123)`,
          rfc: 'RFC 6455 §5.5.1',
        });
      }
      if (!parsed.ok && error === undefined)
        error = protocolError(parsed.error.code, undefined, payloadAt + (parsed.error.byteOffset ?? 0));
    } else if (have > 0) {
      // RFC 7692 §6: with RSV1 the payload is compressed: DEFLATE bytes, not the text itself.
      const compressed = rsv1 && opcode !== 0x0 && !isControl(opcode);
      const isText = opcode === 0x1 && !compressed;
      let meaning = compressed
        ? `${formatSize(payloadLength)} of DEFLATE data (a compressed ${opcode === 0x1 ? 'text' : 'binary'} message, RFC 7692 §7.2)`
        : `${formatSize(payloadLength)} of ${isText ? 'UTF-8 text' : opcode === 0x0 ? 'continued data' : isControl(opcode) ? 'control data' : 'binary data'}`;
      if (have < payloadLength) meaning = `incomplete: ${have} of ${payloadLength} bytes (${meaning})`;
      const shown = isText ? quote(decodeUtf8(plain), 64) : hexPreview(plain, 32);
      add({
        id: 'payload',
        name: 'Payload',
        byteOffset: payloadAt,
        bitOffset: 0,
        bitLength: have * 8,
        value: shown,
        meaning: `${where ? where + shown + '. ' : ''}${meaning}`,
        rfc: isText ? 'RFC 6455 §5.6' : 'RFC 6455 §5.2',
      });
      if (opcode === 0x8 && payloadLength === 1 && error === undefined)
        error = protocolError('INVALID_CLOSE_PAYLOAD', undefined, payloadAt);
      if (isText && error === undefined) {
        // 8.1: text must be UTF-8; a frame that is not the last fragment may stop mid-character.
        const v = new Utf8Validator();
        const bad = v.push(plain);
        if (bad !== -1) error = protocolError('INVALID_UTF8', v.problem, payloadAt + bad);
        else if (have === payloadLength && fin && !v.complete)
          error = protocolError('INVALID_UTF8', 'the text ends inside a character', payloadAt + have - 1);
      }
    }
    if (complete) {
      frame = { fin, rsv1, rsv2: (b0 & 0x20) !== 0, rsv3: (b0 & 0x10) !== 0, opcode, payload: plain };
      if (maskKey !== undefined) frame.maskKey = maskKey;
      if (n > frameLength) {
        add({
          id: 'trailing',
          name: 'Following bytes',
          byteOffset: frameLength,
          bitOffset: 0,
          bitLength: (n - frameLength) * 8,
          value: hexPreview(bytes.subarray(frameLength), 16),
          meaning: `${n - frameLength} bytes after this frame: the next frame starts here`,
          rfc: 'RFC 6455 §5.2',
        });
      }
    }
  }

  if (error !== undefined) {
    const at = error.byteOffset ?? 0;
    // The field that holds the offending byte (the first one, for bit fields of byte 0 or 1).
    const target = pickField(fields, error, at);
    if (target !== undefined) target.problem = error.message;
  }
  const result: Annotation = { fields, complete };
  if (frame !== undefined) result.frame = frame;
  if (error !== undefined) result.error = error;
  if (frameLength !== undefined) result.frameLength = frameLength;
  return result;
}

/** Which field to mark for an error: by rule where the byte holds several fields, else by offset. */
function pickField(fields: FrameField[], error: ProtocolError, at: number): FrameField | undefined {
  const byId = (id: string): FrameField | undefined => fields.find((f) => f.id === id);
  switch (error.code) {
    case 'RESERVED_BITS':
      return [byId('rsv2'), byId('rsv3'), byId('rsv1')].find((f) => f?.value === 1);
    case 'INVALID_OPCODE':
      return byId('opcode');
    case 'FRAGMENTED_CONTROL_FRAME':
      return byId('fin');
    case 'UNMASKED_CLIENT_FRAME':
    case 'MASKED_SERVER_FRAME':
      return byId('mask');
    case 'CONTROL_FRAME_TOO_LONG':
      return byId('len7');
  }
  return fields.find((f) => at >= f.byteOffset && at * 8 < f.byteOffset * 8 + f.bitOffset + f.bitLength);
}

export interface UnmaskRow {
  index: number;
  /** The byte on the wire. */
  masked: number;
  /** key[index mod 4] */
  keyByte: number;
  /** masked XOR keyByte: the application's byte. */
  plain: number;
}

/** §5.3 as a table, one row per payload byte (up to `limit`), for the XOR view. [] if not masked. */
export function unmaskSteps(frame: Frame, limit = Infinity): UnmaskRow[] {
  const key = frame.maskKey;
  if (key === undefined) return [];
  const rows: UnmaskRow[] = [];
  const n = Math.min(frame.payload.length, limit);
  for (let i = 0; i < n; i++) {
    const plain = frame.payload[i]!;
    const keyByte = key[i & 3]!;
    rows.push({ index: i, masked: plain ^ keyByte, keyByte, plain });
  }
  return rows;
}
