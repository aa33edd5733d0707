/**
 * RFC 6455 §5.2: frame encoding.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               |Masking-key, if MASK set to 1  |
 *  +-------------------------------+-------------------------------+
 *  | Masking-key (continued)       |          Payload Data         |
 *  +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * Payload length, minimal form (§5.2 "the minimal number of bytes MUST be used"):
 *   0-125        in the 7 bits
 *   126-65535    7 bits = 126, then 16 bits (network order)
 *   >= 65536     7 bits = 127, then 64 bits (network order, most significant bit 0)
 */
import { copyMasked } from './mask.ts';
import { isControl } from './opcodes.ts';
import type { Entropy, Frame, Opcode, Role } from './types.ts';
import { encodeUtf8 } from './utf8.ts';
import { copyBytes } from './bytes.ts';
import { allocBytes, allocForWrite } from './pool.ts';

/** A frame and the exact bytes that carry it. */
export interface EncodedFrame {
  frame: Frame;
  bytes: Uint8Array;
}

/** Bytes before the payload: 2, +2 or +8 for the extended length, +4 for the masking key. */
export function headerLength(payloadLength: number, masked: boolean): number {
  const ext = payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8;
  return 2 + ext + (masked ? 4 : 0);
}

/**
 * Header and payload in one array (small ones share a slab: see pool.ts); the payload is
 * masked when `frame.maskKey` is set.
 * Writes exactly the frame given, even one that breaks a rule (reserved opcode, long control
 * frame...): lessons send such frames on purpose. Only shapes that cannot be encoded throw.
 */
export function encodeFrame(frame: Frame): Uint8Array {
  return encode(firstByte(frame), frame.payload, frame.maskKey);
}

/**
 * The common frame, FIN set and no RSV bits (a whole message, or a control frame), without a
 * Frame object: what a connection sends when nobody asked to see its frames.
 */
export function encodeFinalFrame(opcode: number, payload: Uint8Array, maskKey?: Uint8Array): Uint8Array {
  return encode(0x80 | checkedOpcode(opcode), payload, maskKey);
}

/** The header alone of such a frame, unmasked: for a transport that writes the payload as is. */
export function encodeFinalFrameHeader(opcode: number, payloadLength: number): Uint8Array {
  const out = allocBytes(headerLength(payloadLength, false));
  writeHeader(out, 0x80 | checkedOpcode(opcode), payloadLength, undefined);
  return out;
}

function encode(byte0: number, payload: Uint8Array, maskKey: Uint8Array | undefined): Uint8Array {
  const len = payload.length;
  const p = headerLength(len, maskKey !== undefined);
  // Every byte is written below: the header, then the payload (masked or not).
  const out = allocForWrite(p + len);
  writeHeader(out, byte0, len, maskKey);
  // §5.3: the payload goes on the wire masked.
  if (maskKey === undefined) out.set(payload, p);
  else if (len > 0) copyMasked(payload, maskKey, out, p);
  return out;
}

/**
 * Only the header (2-14 bytes), for a transport that writes header and payload separately
 * (writev) without copying the payload. Unmasked frames only: a masked payload must be
 * transformed, so use encodeFrame.
 */
export function encodeFrameHeader(frame: Frame): Uint8Array {
  if (frame.maskKey !== undefined)
    throw new TypeError('encodeFrameHeader is for unmasked frames; use encodeFrame');
  const out = allocBytes(headerLength(frame.payload.length, false));
  writeHeader(out, firstByte(frame), frame.payload.length, undefined);
  return out;
}

/** byte 0: FIN RSV1 RSV2 RSV3 opcode(4) */
function firstByte(frame: Frame): number {
  return (
    (frame.fin ? 0x80 : 0) |
    (frame.rsv1 ? 0x40 : 0) |
    (frame.rsv2 ? 0x20 : 0) |
    (frame.rsv3 ? 0x10 : 0) |
    checkedOpcode(frame.opcode)
  );
}

function checkedOpcode(opcode: number): number {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf)
    throw new RangeError(`opcode ${opcode} does not fit in 4 bits`);
  return opcode;
}

/** Writes a header at the start of `out` (which has room for it): byte 0 as given, then the rest. */
function writeHeader(out: Uint8Array, byte0: number, len: number, maskKey: Uint8Array | undefined): void {
  if (maskKey !== undefined && maskKey.length !== 4) throw new RangeError('a masking key is 4 bytes');
  out[0] = byte0;
  // byte 1: MASK len7
  const maskBit = maskKey !== undefined ? 0x80 : 0;
  let p = 2;
  if (len < 126) {
    out[1] = maskBit | len;
  } else if (len < 0x10000) {
    out[1] = maskBit | 126;
    out[2] = len >>> 8;
    out[3] = len & 0xff;
    p = 4;
  } else {
    out[1] = maskBit | 127;
    // 64-bit big-endian; lengths stay below 2^53, so the high word fits a double exactly.
    const high = Math.floor(len / 0x100000000);
    const low = len >>> 0;
    out[2] = high >>> 24;
    out[3] = (high >>> 16) & 0xff;
    out[4] = (high >>> 8) & 0xff;
    out[5] = high & 0xff;
    out[6] = low >>> 24;
    out[7] = (low >>> 16) & 0xff;
    out[8] = (low >>> 8) & 0xff;
    out[9] = low & 0xff;
    p = 10;
  }
  if (maskKey !== undefined) {
    out[p] = maskKey[0]!;
    out[p + 1] = maskKey[1]!;
    out[p + 2] = maskKey[2]!;
    out[p + 3] = maskKey[3]!;
  }
}

export interface EncodeMessageOptions {
  /**
   * §5.4: how to fragment. A number N splits the payload into N frames of near-equal size
   * (the first ones one byte longer); an array gives each fragment's size (they must add up to
   * the payload length; empty fragments are allowed). Default 1: a single frame.
   */
  fragments?: number | readonly number[];
  /** Mask keys for clients (§5.3: a fresh unpredictable key per frame). Servers need none. */
  entropy?: Entropy;
  /** RFC 7692 §6: set RSV1 on the first frame (the payload is a compressed message). */
  rsv1?: boolean;
}

/**
 * A whole message as frames: the first carries `opcode`, the rest are continuations (0x0);
 * only the last has FIN. Clients mask every frame with a key from `entropy`; servers never
 * mask (§5.1).
 */
export function encodeMessage(
  role: Role,
  opcode: Opcode,
  payload: Uint8Array | string,
  options: EncodeMessageOptions = {},
): EncodedFrame[] {
  const data = typeof payload === 'string' ? encodeUtf8(payload) : payload;
  const sizes = fragmentSizes(data.length, options.fragments ?? 1);
  // 5.5: control frames must not be fragmented (a lesson may still build one with encodeFrame).
  if (isControl(opcode) && sizes.length > 1)
    throw new RangeError('control frames cannot be fragmented (RFC 6455 §5.5)');
  if (role === 'client' && options.entropy === undefined)
    throw new TypeError('a client needs entropy to mask frames');
  const out: EncodedFrame[] = [];
  let at = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    const frame: Frame = {
      fin: i === sizes.length - 1,
      // RFC 7692 §6: a compressed message has RSV1 on its first frame only.
      rsv1: i === 0 && options.rsv1 === true,
      rsv2: false,
      rsv3: false,
      // 5.4: fragments after the first are continuation frames.
      opcode: i === 0 ? opcode : 0x0,
      payload: data.subarray(at, at + size),
    };
    // 5.1: a client masks every frame it sends; a server masks none.
    if (role === 'client') frame.maskKey = maskKeyFrom(options.entropy!);
    out.push({ frame, bytes: encodeFrame(frame) });
    at += size;
  }
  return out;
}

function maskKeyFrom(entropy: Entropy): Uint8Array {
  const key = entropy.randomBytes(4);
  if (key.length !== 4) throw new RangeError('entropy.randomBytes(4) must return 4 bytes');
  return copyBytes(key); // our own copy: the source may reuse its buffer
}

/** Sizes of the fragments a payload of `length` bytes is split into. */
export function fragmentSizes(length: number, fragments: number | readonly number[]): number[] {
  if (typeof fragments !== 'number') {
    const sum = fragments.reduce((s, n) => s + n, 0);
    if (fragments.length === 0 || sum !== length || fragments.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new RangeError(`fragment sizes [${fragments.join(', ')}] do not add up to ${length} bytes`);
    }
    return [...fragments];
  }
  if (!Number.isInteger(fragments) || fragments < 1)
    throw new RangeError('fragments must be a positive integer');
  const base = Math.floor(length / fragments);
  const extra = length % fragments;
  return Array.from({ length: fragments }, (_, i) => base + (i < extra ? 1 : 0));
}
