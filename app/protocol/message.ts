/**
 * RFC 6455 §5.4: fragmentation. A message is one frame with FIN = 1, or a first frame with
 * opcode text/binary and FIN = 0, any number of continuation frames (opcode 0x0) with FIN = 0,
 * and a last continuation frame with FIN = 1. Control frames may be interleaved between
 * fragments (they are answered at once) and do not touch the message in progress.
 *
 * Text is validated per fragment as it arrives (§8.1: fail with 1007 at the first invalid
 * byte, even when a character straddles two fragments), and the running size across
 * fragments is checked against the limit (§10.4: 1009) from each header, before its payload.
 *
 * Within a fragment too: a frame that spans TCP reads can be fed to `streamPayload` as its
 * bytes arrive (the frame decoder's `onPayloadBytes`), so a 1 MiB text frame fails at its
 * first bad byte, not at its end; `push` then validates only the bytes not streamed.
 *
 * Two validators, one verdict. Whole fragments are validated and decoded in one native pass by
 * a fatal, streaming TextDecoder (WHATWG's UTF-8 decoder refuses exactly what RFC 3629 does:
 * overlongs, surrogates, code points above U+10FFFF, stray continuation bytes), which keeps
 * its state across the fragments of a message. It only says "invalid somewhere in this
 * fragment", so when it refuses one, our Utf8Validator replays the message's fragments to name
 * the bad byte and why. A message with a frame that spans reads is validated by Utf8Validator
 * alone (it keeps its state per byte, so it can fail mid-frame): at the first streamed bytes,
 * the validator catches up on the fragments the decoder took so far, and the rest of that
 * message goes the byte-by-byte way.
 */
import { protocolError, type ProtocolError } from './errors.ts';
import { headerLength } from './frame.ts';
import { isControl } from './opcodes.ts';
import { allocForWrite } from './pool.ts';
import type { Frame } from './types.ts';
import { decodeUtf8, Utf8Validator } from './utf8.ts';

/** Which validator holds the text message in progress (see the top). */
const NATIVE = 0;
const MACHINE = 1;

export type AssembleResult =
  | { kind: 'message'; opcode: 0x1; data: string; bytes: Uint8Array }
  | { kind: 'message'; opcode: 0x2; data: Uint8Array; bytes: Uint8Array }
  /** A fragment was added; the message is not finished. */
  | { kind: 'partial'; opcode: 0x1 | 0x2; received: number }
  /** A control frame: not part of any message (5.4 allows it between fragments). */
  | { kind: 'control' }
  | { kind: 'error'; error: ProtocolError };

export interface AssemblerOptions {
  /** Largest message (sum of its fragments) accepted; default 2^53 - 1. */
  maxMessageSize?: number;
}

export class MessageAssembler {
  readonly maxMessageSize: number;
  /** Opcode of the message in progress, or 0 when none. */
  #opcode: 0 | 0x1 | 0x2 = 0;
  #fragments: Uint8Array[] = [];
  #size = 0;
  readonly #utf8 = new Utf8Validator();
  /** 8.1: validates and decodes whole text fragments natively; fatal: invalid bytes throw. */
  #text = newTextDecoder();
  /** The text of the fragments the decoder took (NATIVE mode). */
  #decoded = '';
  #mode = NATIVE;
  /** Payload bytes of the frame being read already validated by streamPayload. */
  #streamed = 0;

  constructor(options: AssemblerOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? Number.MAX_SAFE_INTEGER;
  }

  /** True between the first fragment of a message and its last. */
  get inProgress(): boolean {
    return this.#opcode !== 0;
  }

  /** Opcode of the message in progress (0x1 or 0x2), or 0. */
  get opcode(): number {
    return this.#opcode;
  }

  /**
   * The 5.4 rules and the size limit, from a header alone (changes nothing). The frame decoder
   * calls this before buffering a payload; `push` calls it again.
   */
  check(header: { fin: boolean; opcode: number; payloadLength: number }): ProtocolError | undefined {
    return this.#check(header.opcode, header.payloadLength);
  }

  #check(opcode: number, payloadLength: number): ProtocolError | undefined {
    // 5.4: control frames may be injected in the middle of a fragmented message.
    if (isControl(opcode)) return undefined;
    if (opcode === 0x0) {
      // 5.4: a continuation frame needs a message in progress.
      if (this.#opcode === 0) return protocolError('UNEXPECTED_CONTINUATION');
    } else if (this.#opcode !== 0) {
      // 5.4: fragments of one message are not interleaved with another message's frames.
      return protocolError('EXPECTED_CONTINUATION', `got opcode 0x${opcode.toString(16)}`);
    }
    // 10.4: the message, with this fragment, must fit the limit.
    const size = (opcode === 0x0 ? this.#size : 0) + payloadLength;
    if (size > this.maxMessageSize)
      return protocolError('MESSAGE_TOO_BIG', `${size} bytes, limit ${this.maxMessageSize}`);
    return undefined;
  }

  /**
   * True when this frame's payload is text to validate (§8.1): a Text frame, or a continuation
   * of a text message. From a header alone (changes nothing).
   */
  isText(header: { opcode: number }): boolean {
    return header.opcode === 0x1 || (header.opcode === 0x0 && this.#opcode === 0x1);
  }

  /**
   * 8.1: validates the next bytes of a text frame whose header passed `check` but whose payload
   * has not all arrived (`payloadOffset`: where `bytes` start in the payload; 0 starts the
   * frame). The error's byteOffset is the bad byte's offset in the frame. Other frames are
   * ignored. `push` must then be given that same frame: it validates only the rest.
   */
  streamPayload(
    header: { opcode: number; headerLength: number },
    bytes: Uint8Array,
    payloadOffset: number,
  ): ProtocolError | undefined {
    if (!this.isText(header)) return undefined;
    if (payloadOffset !== this.#streamed) {
      if (payloadOffset !== 0)
        throw new RangeError(
          `streamPayload: expected payload offset ${this.#streamed}, got ${payloadOffset}`,
        );
      this.#streamed = 0; // a new frame (the previous one never reached push)
    }
    // A Text frame starts a message (check() made sure none is in progress): a fresh validator.
    if (payloadOffset === 0 && header.opcode === 0x1) {
      this.#utf8.reset();
      this.#mode = MACHINE;
    } else if (this.#mode === NATIVE) {
      // A continuation of a message the decoder held so far: the validator takes over.
      this.#toMachine();
    }
    const bad = this.#utf8.push(bytes);
    this.#streamed = payloadOffset + bytes.length;
    if (bad === -1) return undefined;
    const at = payloadOffset + bad;
    const size = header.opcode === 0x1 ? 0 : this.#size;
    const error = protocolError(
      'INVALID_UTF8',
      `${this.#utf8.problem} at byte ${size + at} of the message`,
      header.headerLength + at,
    );
    this.#fail(error);
    return error;
  }

  /** Adds a frame (its payload unmasked). Data frames other than text/binary/continuation are refused. */
  push(frame: Frame): AssembleResult {
    if (isControl(frame.opcode)) return { kind: 'control' };
    if (frame.opcode !== 0x0 && frame.opcode !== 0x1 && frame.opcode !== 0x2) {
      return this.#fail(protocolError('INVALID_OPCODE', `opcode 0x${frame.opcode.toString(16)}`));
    }
    // Bytes of this frame streamPayload validated already (0 unless it spanned reads).
    const streamed = this.#streamed;
    this.#streamed = 0;
    const problem = this.#check(frame.opcode, frame.payload.length);
    if (problem !== undefined) return this.#fail(problem);
    if (frame.opcode !== 0x0) {
      this.#opcode = frame.opcode;
      this.#size = 0;
      // A text message starts with the native decoder, unless streamPayload already started it
      // on the validator.
      if (frame.opcode === 0x1 && streamed === 0) this.#mode = NATIVE;
    }
    const opcode = this.#opcode as 0x1 | 0x2;
    const payload = frame.payload;
    if (opcode === 0x1) {
      const problem = this.#mode === NATIVE ? this.#decodeText(frame) : this.#validateText(frame, streamed);
      if (problem !== undefined) return this.#fail(problem);
    }
    this.#size += payload.length;
    if (!frame.fin) {
      this.#fragments.push(payload);
      return { kind: 'partial', opcode, received: this.#size };
    }
    let bytes = payload;
    if (this.#fragments.length !== 0) {
      bytes = concat(this.#fragments, payload, this.#size);
      this.#fragments = [];
    }
    this.#opcode = 0;
    this.#size = 0;
    if (opcode === 0x1) {
      const data = this.#mode === NATIVE ? this.#decoded : decodeUtf8(bytes);
      this.#decoded = '';
      return { kind: 'message', opcode, data, bytes };
    }
    return { kind: 'message', opcode, data: bytes, bytes };
  }

  /**
   * 8.1, native: validates and decodes a whole fragment, the decoder carrying an open character
   * to the next fragment (stream) until the last (FIN), where an open character is an error.
   */
  #decodeText(frame: Frame): ProtocolError | undefined {
    try {
      const part = this.#text.decode(frame.payload, { stream: !frame.fin });
      this.#decoded = this.#decoded === '' ? part : this.#decoded + part;
      return undefined;
    } catch {
      // Refused somewhere in this fragment: the validator replays the message to name the byte
      // (and holds the message from here, should it see no fault).
      this.#toMachine();
      return this.#validateText(frame, 0);
    }
  }

  /** 8.1, byte by byte: the bytes of this fragment not streamed yet (`streamed` were). */
  #validateText(frame: Frame, streamed: number): ProtocolError | undefined {
    const payload = frame.payload;
    // Continue any character left open by the previous fragment.
    const bad = this.#utf8.push(payload, streamed);
    if (bad !== -1) {
      const at = headerLength(payload.length, frame.maskKey !== undefined) + bad;
      return protocolError(
        'INVALID_UTF8',
        `${this.#utf8.problem} at byte ${this.#size + bad} of the message`,
        at,
      );
    }
    // 8.1: the message must not end in the middle of a character.
    if (frame.fin && !this.#utf8.complete)
      return protocolError('INVALID_UTF8', 'the message ends inside a character');
    return undefined;
  }

  /** The validator catches up on the fragments the native decoder took; it holds the message now. */
  #toMachine(): void {
    this.#utf8.reset();
    for (const f of this.#fragments) this.#utf8.push(f);
    this.#text = newTextDecoder();
    this.#decoded = '';
    this.#mode = MACHINE;
  }

  #fail(error: ProtocolError): AssembleResult {
    this.#fragments = [];
    this.#decoded = '';
    this.#mode = NATIVE;
    this.#opcode = 0;
    this.#size = 0;
    this.#streamed = 0;
    return { kind: 'error', error };
  }
}

/**
 * `fatal`: invalid UTF-8 throws instead of becoming U+FFFD. `ignoreBOM`: a leading U+FEFF is
 * part of the message and must reach the API (see decodeUtf8 in utf8.ts).
 */
function newTextDecoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

function concat(parts: Uint8Array[], last: Uint8Array, size: number): Uint8Array {
  const out = allocForWrite(size); // `size` is the sum of the parts' lengths: all written
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(last, at);
  return out;
}
