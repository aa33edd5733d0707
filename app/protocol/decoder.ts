/**
 * RFC 6455 §5.2: streaming frame decoder.
 *
 * Push bytes in as they arrive (split anywhere, even one byte at a time), then pull. `next()`
 * gives one of three answers:
 *   { kind: 'frame' }  a whole frame, its payload unmasked, plus the exact bytes it came in;
 *   { kind: 'more' }   not enough bytes yet; nothing is consumed, the state names what is awaited;
 *   { kind: 'error' }  a typed ProtocolError; the decoder stays failed (the connection must end).
 *
 * States, in the order a frame is read (a lesson shows them):
 *
 *   HEADER     the first 2 bytes: FIN RSV1-3 opcode | MASK len7   (checked as soon as they arrive)
 *   LENGTH_16  len7 was 126: the 16-bit extended length
 *   LENGTH_64  len7 was 127: the 64-bit extended length
 *   MASK_KEY   the 4-byte masking key (MASK = 1)
 *   PAYLOAD    the payload; its size was checked against maxPayload before any of it is buffered
 *   FAILED     a rule was broken; every later call returns the same error
 *
 * Ownership and copies: `push` takes ownership of the chunk; do not modify it afterwards (a
 * transport that reuses its read buffer must push a copy). A frame that lies wholly inside one
 * chunk costs no copy: its `bytes` are a subarray of the chunk, and so is an unmasked payload.
 * A masked payload is unmasked into a private copy, so `bytes` keep the exact masked wire bytes
 * for the inspector; small copies are views of shared slabs (pool.ts), as a new ArrayBuffer
 * per frame would cost more than decoding it. With `unmaskInPlace` (for a reader that never
 * shows wire bytes, like the server when untapped) the payload is unmasked where it lies in the
 * chunk instead: no copy, and `bytes` then hold the header and the payload unmasked. A frame
 * split across chunks is gathered into one new buffer, once, when its last byte arrives.
 *
 * Payload bytes as they arrive (§8.1: "fail as early as the invalid byte arrives"): a frame is
 * normally returned only once whole, so a 1 MiB text frame with a bad 3rd byte would be buffered
 * to its end before anyone could look at it. With `onPayloadBytes`, while a frame is still
 * incomplete (PAYLOAD), each `next()` first hands the hook the payload bytes that arrived since
 * the last call, unmasked, and fails at once if the hook returns an error. Only frames that span
 * chunks are streamed, and only those `wantsPayloadBytes` accepts (asked once per frame, when
 * the first of its bytes would be streamed): a frame that lies wholly inside one chunk reaches
 * `next()` complete and is never streamed, so the common path costs nothing more.
 */
import { protocolError, type ProtocolError } from './errors.ts';
import { applyMask, copyMasked } from './mask.ts';
import { isControl, isReserved } from './opcodes.ts';
import type { Frame, Role } from './types.ts';
import { allocForWrite } from './pool.ts';

export type DecoderState = 'HEADER' | 'LENGTH_16' | 'LENGTH_64' | 'MASK_KEY' | 'PAYLOAD' | 'FAILED';

/** A parsed header, known before the payload is buffered. */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  payloadLength: number;
  /** 2 to 14 bytes. */
  headerLength: number;
}

export interface DecoderOptions {
  /**
   * The endpoint this decoder reads FOR. 'server' reads client frames, which must be masked;
   * 'client' reads server frames, which must not be (§5.1). 'any' skips that check (the
   * inspector's paste panel, where the direction is unknown).
   */
  role: Role | 'any';
  /** Largest payload accepted in one frame; over it: MESSAGE_TOO_BIG (1009). Default 2^53 - 1. */
  maxPayload?: number;
  /** Accept RSV1 on the first frame of data messages (permessage-deflate negotiated, RFC 7692 §6). */
  allowRsv1?: boolean;
  /**
   * Unmask payloads in the pushed chunks themselves rather than into copies (see the top):
   * faster, but a frame's `bytes` no longer show the masked wire bytes. Default false.
   */
  unmaskInPlace?: boolean;
  /**
   * Called once per frame when its header is complete, before the payload is buffered: return
   * an error to fail early (the message assembler checks fragmentation and message size here).
   */
  onHeader?: (header: FrameHeader) => ProtocolError | undefined;
  /**
   * Called by `next()` while a frame is incomplete, with the payload bytes that arrived since
   * the previous call (unmasked; a view valid only during the call: copy what you keep).
   * `payloadOffset` is the position of `bytes[0]` in the frame's payload. Return an error to
   * fail at once. The bytes of the chunk that completes the frame are not passed: the frame is
   * returned instead, and whatever consumes it checks what was not streamed.
   */
  onPayloadBytes?: (
    header: FrameHeader,
    bytes: Uint8Array,
    payloadOffset: number,
  ) => ProtocolError | undefined;
  /** Which frames `onPayloadBytes` is for (default: all); asked at most once per frame. */
  wantsPayloadBytes?: (header: FrameHeader) => boolean;
}

export type DecodeResult =
  | { kind: 'frame'; frame: Frame; bytes: Uint8Array }
  /** `needed`: at least this many more bytes before anything can change. */
  | { kind: 'more'; state: DecoderState; needed: number }
  | { kind: 'error'; error: ProtocolError };

const EMPTY = new Uint8Array(0);

/** Masked payload bytes are unmasked for `onPayloadBytes` through a buffer this big. */
const SCRATCH_SIZE = 4096;

/** Whether the current frame's bytes go to onPayloadBytes: not asked yet, yes, no. */
const STREAM_UNKNOWN = 0;
const STREAM_YES = 1;
const STREAM_NO = 2;

export class FrameDecoder {
  readonly role: Role | 'any';
  readonly maxPayload: number;
  readonly allowRsv1: boolean;
  readonly #inPlace: boolean;
  readonly #onHeader: DecoderOptions['onHeader'];
  readonly #onPayloadBytes: DecoderOptions['onPayloadBytes'];
  readonly #wantsPayloadBytes: DecoderOptions['wantsPayloadBytes'];

  #chunks: Uint8Array[] = [];
  /** Index of the first chunk still holding unconsumed bytes. */
  #first = 0;
  /** Bytes of chunks[#first] already consumed. */
  #offset = 0;
  #buffered = 0;
  #state: DecoderState = 'HEADER';
  /** The current frame's header, once all of it (up to the masking key) has arrived. */
  #header: FrameHeader | undefined;
  #error: ProtocolError | undefined;
  /** Payload bytes of the current frame already given to onPayloadBytes. */
  #streamed = 0;
  #stream = STREAM_UNKNOWN;
  /** The current frame's masking key and an unmasking buffer, for onPayloadBytes (lazily). */
  #key: Uint8Array | undefined;
  #scratch: Uint8Array | undefined;

  constructor(options: DecoderOptions) {
    this.role = options.role;
    this.maxPayload = options.maxPayload ?? Number.MAX_SAFE_INTEGER;
    this.allowRsv1 = options.allowRsv1 ?? false;
    this.#inPlace = options.unmaskInPlace ?? false;
    this.#onHeader = options.onHeader;
    this.#onPayloadBytes = options.onPayloadBytes;
    this.#wantsPayloadBytes = options.wantsPayloadBytes;
  }

  /** What the decoder waits for (see the list of states above). */
  get state(): DecoderState {
    return this.#state;
  }

  /** Bytes pushed and not yet returned in a frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** The header of the frame being read, once complete (undefined in HEADER/LENGTH/MASK_KEY). */
  get header(): FrameHeader | undefined {
    return this.#header;
  }

  push(chunk: Uint8Array): void {
    if (this.#error !== undefined || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  next(): DecodeResult {
    if (this.#error !== undefined) return { kind: 'error', error: this.#error };
    let h = this.#header;
    if (h === undefined) {
      const parsed = this.#readHeader();
      if (parsed === undefined) return { kind: 'more', state: this.#state, needed: this.#needed() };
      if ('code' in parsed) return this.#fail(parsed);
      h = this.#header = parsed;
      const veto = this.#onHeader?.(h);
      if (veto !== undefined) return this.#fail(veto);
      this.#state = 'PAYLOAD';
    }
    const total = h.headerLength + h.payloadLength;
    if (this.#buffered < total) {
      // The frame spans chunks: stream the payload bytes that came since the last call.
      if (this.#onPayloadBytes !== undefined && this.#buffered > h.headerLength + this.#streamed) {
        const veto = this.#stream === STREAM_NO ? undefined : this.#streamPayload(h, this.#onPayloadBytes);
        if (veto !== undefined) return this.#fail(veto);
      }
      return { kind: 'more', state: 'PAYLOAD', needed: total - this.#buffered };
    }
    const bytes = this.#take(total);
    this.#header = undefined;
    this.#state = 'HEADER';
    if (this.#stream !== STREAM_UNKNOWN) {
      this.#stream = STREAM_UNKNOWN;
      this.#streamed = 0;
    }
    const hl = h.headerLength;
    const n = h.payloadLength;
    if (!h.masked) return { kind: 'frame', frame: newFrame(h, n === 0 ? EMPTY : bytes.subarray(hl)), bytes };
    const maskKey = bytes.subarray(hl - 4, hl);
    let payload: Uint8Array;
    if (n === 0) {
      payload = EMPTY;
    } else if (this.#inPlace) {
      // §5.3: the chunk is ours (see `push`): unmask the payload where it lies. The payload's
      // own view goes to applyMask, which then needs no view of its own for a mask kernel.
      payload = bytes.subarray(hl);
      if (n <= 64) unmaskSmall(bytes, hl, bytes, hl, n);
      else applyMask(payload, maskKey);
    } else {
      // §5.3: unmask into a private copy; `bytes` stay exactly as they were on the wire.
      payload = allocForWrite(n); // written in full by the unmasking below
      if (n <= 64) unmaskSmall(bytes, hl, payload, 0, n);
      else copyMasked(bytes.subarray(hl), maskKey, payload, 0);
    }
    const frame = newFrame(h, payload);
    frame.maskKey = maskKey;
    return { kind: 'frame', frame, bytes };
  }

  /** The header if complete, undefined if bytes are missing (state updated), or the rule broken. */
  #readHeader(): FrameHeader | ProtocolError | undefined {
    if (this.#buffered < 2) {
      this.#state = 'HEADER';
      return undefined;
    }
    const b0 = this.#peek(0);
    const b1 = this.#peek(1);
    // byte 0:  F R R R oooo   (FIN, RSV1, RSV2, RSV3, opcode)
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const rsv2 = (b0 & 0x20) !== 0;
    const rsv3 = (b0 & 0x10) !== 0;
    const opcode = b0 & 0x0f;
    // byte 1:  M lllllll      (MASK, payload length in 7 bits)
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;

    // 5.2: RSV2 and RSV3 must be 0: no extension we support defines them.
    if (rsv2 || rsv3) return protocolError('RESERVED_BITS', rsv2 ? 'RSV2' : 'RSV3', 0);
    if (rsv1) {
      // 5.2: RSV1 only with a negotiated extension; RFC 7692 §6: and then only on the first
      // frame of a data message, never on control or continuation frames.
      if (!this.allowRsv1) return protocolError('RESERVED_BITS', 'RSV1 without permessage-deflate', 0);
      if (opcode === 0x0 || isControl(opcode))
        return protocolError('RESERVED_BITS', 'RSV1 on a control or continuation frame', 0);
    }
    // 5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved.
    if (isReserved(opcode)) return protocolError('INVALID_OPCODE', `opcode 0x${opcode.toString(16)}`, 0);
    // 5.5: control frames must not be fragmented.
    if (isControl(opcode) && !fin) return protocolError('FRAGMENTED_CONTROL_FRAME', undefined, 0);
    // 5.1: a server must close on an unmasked client frame; a client on a masked server frame.
    if (this.role === 'server' && !masked) return protocolError('UNMASKED_CLIENT_FRAME', undefined, 1);
    if (this.role === 'client' && masked) return protocolError('MASKED_SERVER_FRAME', undefined, 1);
    // 5.5: control frames carry at most 125 payload bytes (so always the 7-bit length).
    if (isControl(opcode) && len7 > 125)
      return protocolError('CONTROL_FRAME_TOO_LONG', `length field ${len7}`, 1);

    let payloadLength = len7;
    let headerLength = 2;
    if (len7 === 126) {
      if (this.#buffered < 4) {
        this.#state = 'LENGTH_16';
        return undefined;
      }
      // 16-bit extended length, network byte order.
      payloadLength = (this.#peek(2) << 8) | this.#peek(3);
      headerLength = 4;
      // 5.2: minimal encoding: 126-65535 only.
      if (payloadLength < 126) return protocolError('NON_MINIMAL_LENGTH', `${payloadLength} in 16 bits`, 2);
    } else if (len7 === 127) {
      if (this.#buffered < 10) {
        this.#state = 'LENGTH_64';
        return undefined;
      }
      // 64-bit extended length, network byte order: high and low 32-bit halves.
      const high =
        ((this.#peek(2) << 24) | (this.#peek(3) << 16) | (this.#peek(4) << 8) | this.#peek(5)) >>> 0;
      const low =
        ((this.#peek(6) << 24) | (this.#peek(7) << 16) | (this.#peek(8) << 8) | this.#peek(9)) >>> 0;
      headerLength = 10;
      // 5.2: the most significant bit must be 0.
      if (high >= 0x80000000) return protocolError('LENGTH_TOO_LARGE', undefined, 2);
      // Beyond 2^53 - 1 bytes no limit could accept it (10.4).
      if (high > 0x1fffff) return this.#tooBig(b0, b1, Infinity, 'length above 2^53 - 1', 2);
      payloadLength = high * 0x100000000 + low;
      // 5.2: minimal encoding: >= 65536 only.
      if (payloadLength < 0x10000)
        return protocolError('NON_MINIMAL_LENGTH', `${payloadLength} in 64 bits`, 2);
    }
    // 10.4: refuse oversized payloads from the header, before buffering them.
    if (payloadLength > this.maxPayload) {
      return this.#tooBig(b0, b1, payloadLength, `${payloadLength} bytes, limit ${this.maxPayload}`, 1);
    }
    if (masked) {
      headerLength += 4;
      if (this.#buffered < headerLength) {
        this.#state = 'MASK_KEY';
        return undefined;
      }
    }
    return { fin, rsv1, rsv2, rsv3, opcode, masked, payloadLength, headerLength };
  }

  /**
   * 5.4 before 10.4: a frame that may not come here at all (a continuation with no message
   * begun, a new message inside a fragmented one) is a protocol error (1002) whatever length it
   * declares; only a frame that could be accepted is refused for its size (1009). A method, not
   * a closure in #readHeader: that would be one more function made per header read.
   */
  #tooBig(b0: number, b1: number, length: number, detail: string, at: number): ProtocolError {
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    return (
      this.#onHeader?.({
        fin: (b0 & 0x80) !== 0,
        rsv1: (b0 & 0x40) !== 0,
        rsv2: (b0 & 0x20) !== 0,
        rsv3: (b0 & 0x10) !== 0,
        opcode: b0 & 0x0f,
        masked,
        payloadLength: length,
        // As far as read when the size is checked: before the masking key.
        headerLength: len7 === 126 ? 4 : len7 === 127 ? 10 : 2,
      }) ?? protocolError('MESSAGE_TOO_BIG', detail, at)
    );
  }

  /**
   * Gives onPayloadBytes the payload bytes buffered since the last call: the last `n` bytes
   * buffered (the frame is incomplete, so every buffered byte belongs to it), unmasked into the
   * scratch buffer when the frame is masked (the key index continues at the payload offset).
   */
  #streamPayload(
    h: FrameHeader,
    hook: NonNullable<DecoderOptions['onPayloadBytes']>,
  ): ProtocolError | undefined {
    if (this.#stream === STREAM_UNKNOWN) {
      this.#stream =
        this.#wantsPayloadBytes === undefined || this.#wantsPayloadBytes(h) ? STREAM_YES : STREAM_NO;
      if (this.#stream === STREAM_NO) return undefined;
      if (h.masked) {
        const key = (this.#key ??= new Uint8Array(4));
        for (let i = 0; i < 4; i++) key[i] = this.#peek(h.headerLength - 4 + i);
      }
    }
    const chunks = this.#chunks;
    let n = this.#buffered - h.headerLength - this.#streamed;
    // Walk back from the newest chunk to where the new bytes start.
    let i = chunks.length - 1;
    while (chunks[i]!.length < n) n -= chunks[i--]!.length;
    let from = chunks[i]!.length - n;
    for (; i < chunks.length; i++, from = 0) {
      const chunk = chunks[i]!;
      if (!h.masked) {
        const veto = hook(h, from === 0 ? chunk : chunk.subarray(from), this.#streamed);
        this.#streamed += chunk.length - from;
        if (veto !== undefined) return veto;
        continue;
      }
      const scratch = (this.#scratch ??= new Uint8Array(SCRATCH_SIZE));
      while (from < chunk.length) {
        const m = Math.min(SCRATCH_SIZE, chunk.length - from);
        scratch.set(chunk.subarray(from, from + m));
        // §5.3: byte j of the payload is XORed with key[j MOD 4].
        applyMask(scratch, this.#key!, this.#streamed, 0, m);
        const veto = hook(h, scratch.subarray(0, m), this.#streamed);
        this.#streamed += m;
        from += m;
        if (veto !== undefined) return veto;
      }
    }
    return undefined;
  }

  /** Bytes missing for the current state's next step. */
  #needed(): number {
    switch (this.#state) {
      case 'HEADER':
        return 2 - this.#buffered;
      case 'LENGTH_16':
        return 4 - this.#buffered;
      case 'LENGTH_64':
        return 10 - this.#buffered;
      case 'MASK_KEY': {
        const len7 = this.#peek(1) & 0x7f;
        return (len7 === 126 ? 8 : len7 === 127 ? 14 : 6) - this.#buffered;
      }
      default:
        return 0;
    }
  }

  #fail(error: ProtocolError): DecodeResult {
    this.#error = error;
    this.#state = 'FAILED';
    this.#stream = STREAM_UNKNOWN;
    this.#streamed = 0;
    this.#chunks = [];
    this.#first = 0;
    this.#offset = 0;
    this.#buffered = 0;
    return { kind: 'error', error };
  }

  /** The byte `index` positions past the read position (index < buffered). */
  #peek(index: number): number {
    let i = this.#first;
    let at = this.#offset + index;
    let chunk = this.#chunks[i]!;
    while (at >= chunk.length) {
      at -= chunk.length;
      chunk = this.#chunks[++i]!;
    }
    return chunk[at]!;
  }

  /** Removes and returns the next `n` bytes (n <= buffered): a subarray when contiguous. */
  #take(n: number): Uint8Array {
    const chunks = this.#chunks;
    let chunk = chunks[this.#first]!;
    let out: Uint8Array;
    if (chunk.length - this.#offset >= n) {
      out = chunk.subarray(this.#offset, this.#offset + n);
      this.#offset += n;
    } else {
      out = allocForWrite(n); // filled in full below
      let filled = 0;
      while (filled < n) {
        chunk = chunks[this.#first]!;
        const part = Math.min(chunk.length - this.#offset, n - filled);
        out.set(chunk.subarray(this.#offset, this.#offset + part), filled);
        filled += part;
        this.#offset += part;
        if (this.#offset === chunk.length && filled < n) {
          this.#first++;
          this.#offset = 0;
        }
      }
    }
    this.#buffered -= n;
    // Drop chunks fully consumed; compact the array now and then rather than shifting each time.
    if (this.#offset === chunks[this.#first]!.length) {
      this.#first++;
      this.#offset = 0;
    }
    if (this.#first === chunks.length) {
      // Everything read: empty the list in place (one array per read less to collect).
      chunks.length = 0;
      this.#first = 0;
    } else if (this.#first > 64) {
      this.#chunks = chunks.slice(this.#first);
      this.#first = 0;
    }
    return out;
  }
}

/**
 * §5.3 for a small payload of `n` bytes at `wire[at]`, its key in the 4 bytes before it, into
 * `out[outAt]` (which may be the same place): out[i] = wire[i] XOR key[i MOD 4], four bytes (one
 * turn of the key) per round. For so few bytes this beats applyMask's 32-bit word view.
 */
function unmaskSmall(wire: Uint8Array, at: number, out: Uint8Array, outAt: number, n: number): void {
  const k0 = wire[at - 4]!;
  const k1 = wire[at - 3]!;
  const k2 = wire[at - 2]!;
  const k3 = wire[at - 1]!;
  let i = 0;
  for (const whole = n & ~3; i < whole; i += 4) {
    out[outAt + i] = wire[at + i]! ^ k0;
    out[outAt + i + 1] = wire[at + i + 1]! ^ k1;
    out[outAt + i + 2] = wire[at + i + 2]! ^ k2;
    out[outAt + i + 3] = wire[at + i + 3]! ^ k3;
  }
  if (i < n) out[outAt + i] = wire[at + i]! ^ k0;
  if (i + 1 < n) out[outAt + i + 1] = wire[at + i + 1]! ^ k1;
  if (i + 2 < n) out[outAt + i + 2] = wire[at + i + 2]! ^ k2;
}

/**
 * A decoded frame: a plain object with the keys in wire order (maskKey, when present, is added
 * last), built from an empty literal rather than written as `{ fin, rsv1, ... }`. The reason is
 * V8's allocation-site pretenuring: once most objects of one object literal survive a young
 * GC, every later object of that literal is allocated in the old generation, for the life of
 * the process. A Connection keeps every frame (and its events) of a read until `events()` is
 * drained, so a single big read of small frames could flip that switch for good, and from then
 * on reading frames ran about 4x slower (seen in the codec bench with two engines loaded). An
 * object built from `{}` is not tracked that way. (A class would be too, but frames and events
 * are documented as plain objects.)
 */
function newFrame(h: FrameHeader, payload: Uint8Array): Frame {
  const frame = {} as Frame;
  frame.fin = h.fin;
  frame.rsv1 = h.rsv1;
  frame.rsv2 = h.rsv2;
  frame.rsv3 = h.rsv3;
  frame.opcode = h.opcode;
  frame.payload = payload;
  return frame;
}

/** Decodes every whole frame in `bytes` (tests, the paste panel). */
export function decodeFrames(
  bytes: Uint8Array,
  options: DecoderOptions,
): { frames: Array<{ frame: Frame; bytes: Uint8Array }>; error?: ProtocolError; rest: number } {
  const decoder = new FrameDecoder(options);
  decoder.push(bytes);
  const frames: Array<{ frame: Frame; bytes: Uint8Array }> = [];
  for (;;) {
    const r = decoder.next();
    if (r.kind === 'frame') frames.push({ frame: r.frame, bytes: r.bytes });
    else if (r.kind === 'error') return { frames, error: r.error, rest: 0 };
    else return { frames, rest: decoder.buffered };
  }
}
