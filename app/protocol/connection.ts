/**
 * A WebSocket connection after the opening handshake (RFC 6455 §5-§7), with no I/O: push
 * bytes in (`receiveData`, `receiveEof`), call `send*`/`close`, then drain `events()` and
 * `dataToSend()`. The transport writes the bytes, and ends TCP when `shouldCloseTransport`.
 *
 * Lifecycle (readyState as WHATWG names it):
 *
 *   OPEN ──close() or Close frame read──▶ CLOSING ──handshake done / EOF / failure──▶ CLOSED
 *
 * - §5.5.2/§5.5.3: a Ping is answered with a Pong carrying the same payload.
 * - §5.5.1: a Close frame is answered with a Close frame echoing its code and reason (an empty
 *   Close with an empty one); nothing read after a Close frame is processed. The answer waits
 *   for the application to handle what came before the Close ("an endpoint MAY delay sending a
 *   Close frame until its current message is sent"): when a Close frame is read while a message
 *   is waiting in `events()`, it is held, and acted on by the `events()` call after the one
 *   that returned the message. So a peer's `send(); close()` arriving in one read gets its
 *   answer to the message before the Close. Drain `events()` until it returns an empty array.
 * - §7.1.7 after the messages before it: a violation read in the same chunk as complete
 *   messages is held the same way, so those messages are delivered (and can be answered, an
 *   echo) before the connection fails; nothing after the violation is read.
 * - §7.1.1: once both Close frames have crossed, the server closes TCP first
 *   (`shouldCloseTransport` turns true and 'close' is emitted at once); the client waits for
 *   the server to close TCP: `receiveEof()` then emits 'close' (wasClean: true). A client
 *   transport that tires of waiting may end TCP itself and call `receiveEof()`.
 * - §7.1.7: a violation fails the connection: 'error', then a Close frame with the error's code
 *   (unless one was already sent), then 'close' with 1006 (§7.1.5: no Close frame was received)
 *   and `shouldCloseTransport` at once, for both roles.
 * - §7.1.5: 'close' reports the code of the Close frame received (1005 when it had none) or 1006
 *   when TCP ended without one. It is emitted exactly once.
 *
 * Sending after close: like the WHATWG `send()` in CLOSING/CLOSED (and `ws` without a
 * callback), sendText/sendBinary/ping/pong/close do nothing once a Close frame was sent or
 * the connection is CLOSED; they return false instead of throwing, so a race with the peer's
 * close never crashes a service. They return true when the frames were queued.
 *
 * Memory: `receiveData` takes ownership of its chunk (see decoder.ts); binary message data and
 * frame payloads may share memory with it. Without frame events, masked payloads are unmasked
 * in the chunk itself, and big payloads sent are written as they are (see sendBinary).
 */
import { buildClosePayload, parseClosePayload, NO_STATUS_RECEIVED, ABNORMAL_CLOSURE } from './close.ts';
import { isSendableCloseCode } from './close-codes.ts';
import { MessageDeflate, type DeflateCodecFactory } from './deflate.ts';
import type { DeflateParams } from './permessage-deflate.ts';
import { FrameDecoder, type DecoderState } from './decoder.ts';
import { protocolError, ProtocolError, type ProtocolErrorCode } from './errors.ts';
import { encodeFinalFrame, encodeFinalFrameHeader, encodeFrame, encodeMessage } from './frame.ts';
import { POOLED_MAX } from './pool.ts';
import { MessageAssembler } from './message.ts';
import {
  Opcode,
  type Clock,
  type ConnectionEvent,
  type Entropy,
  type Frame,
  type ReadyState,
  type Role,
  type Side,
} from './types.ts';
import { encodeUtf8 } from './utf8.ts';
import { copyBytes } from './bytes.ts';

/** The default message size limit (design: 1 MiB; over it the connection fails with 1009). */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;

/** 5.5: a control frame payload is at most 125 bytes. */
export const MAX_CONTROL_PAYLOAD = 125;

export interface ConnectionOptions {
  role: Role;
  /** Mask keys (clients). A server never masks, so it may omit it. */
  entropy?: Entropy;
  /** Largest message accepted, summed over fragments (§10.4). Default DEFAULT_MAX_MESSAGE_SIZE. */
  maxMessageSize?: number;
  /** Timestamps (closingSince). */
  clock?: Clock;
  /** The subprotocol and extensions agreed in the handshake, reported in the 'open' event. */
  protocol?: string;
  extensions?: string;
  /** Answer pings automatically (default true). */
  autoPong?: boolean;
  /**
   * Emit a 'frame' event for every frame read and written (default true: the inspector and
   * the tap show them). A transport that only needs messages can turn them off: no frame
   * objects are kept for it then, which makes reading many small frames much cheaper.
   */
  frameEvents?: boolean;
  /**
   * RFC 7692: permessage-deflate was agreed with these parameters; `codec` makes the DEFLATE
   * compressor for this connection (node:zlib in Node, pako in the page).
   */
  deflate?: { params: DeflateParams; codec: DeflateCodecFactory };
}

export interface SendOptions {
  /** Split the message into this many frames, or frames of these sizes (§5.4). */
  fragments?: number | readonly number[];
}

const EMPTY = new Uint8Array(0);

export class Connection {
  readonly role: Role;
  readonly protocol: string;
  readonly extensions: string;
  readonly maxMessageSize: number;
  readonly #entropy: Entropy | undefined;
  readonly #clock: Clock | undefined;
  readonly #autoPong: boolean;
  readonly #frameEvents: boolean;
  readonly #peer: Side;
  readonly #decoder: FrameDecoder;
  readonly #assembler: MessageAssembler;
  /** RFC 7692, when agreed. */
  readonly #deflate: MessageDeflate | undefined;

  #events: ConnectionEvent[] = [];
  #out: Uint8Array[] = [];
  #pending = 0;
  #readyState: ReadyState = 'OPEN';
  #closeSent = false;
  #closeReceived = false;
  #closed = false;
  #shouldCloseTransport = false;
  #closeCode: number | undefined;
  #closeReason: string | undefined;
  #closingSince: number | undefined;
  /** A 'message' event is waiting in #events. */
  #messageWaiting = false;
  /** A Close frame read while a message was waiting (see §5.5.1 above), and its wire bytes. */
  #heldClose: { frame: Frame; bytes: Uint8Array } | undefined;
  /** A violation read while a message was waiting: the connection fails after it (see the top). */
  #heldError: ProtocolError | undefined;

  constructor(options: ConnectionOptions) {
    this.role = options.role;
    if (options.role === 'client' && options.entropy === undefined)
      throw new TypeError('a client connection needs entropy for mask keys');
    this.#entropy = options.entropy;
    this.#clock = options.clock;
    this.#autoPong = options.autoPong ?? true;
    this.#frameEvents = options.frameEvents ?? true;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.protocol = options.protocol ?? '';
    this.extensions = options.extensions ?? '';
    this.#peer = options.role === 'server' ? 'client' : 'server';
    this.#assembler = new MessageAssembler({ maxMessageSize: this.maxMessageSize });
    const assembler = this.#assembler;
    const deflate = (this.#deflate =
      options.deflate === undefined
        ? undefined
        : new MessageDeflate(options.role, options.deflate.params, options.deflate.codec));
    // RFC 7692 §6: the frames of a compressed message: RSV1 on the first, and what follows it.
    const compressed =
      deflate === undefined
        ? undefined
        : (h: { rsv1: boolean; opcode: number }): boolean => h.rsv1 || (h.opcode === 0 && deflate.inflating);
    this.#decoder = new FrameDecoder({
      role: options.role,
      maxPayload: this.maxMessageSize,
      // RFC 7692 §6: RSV1 marks a compressed message.
      allowRsv1: deflate !== undefined,
      // Wire bytes are only ever shown through frame events: without them, no copies.
      unmaskInPlace: !this.#frameEvents,
      // 5.4 and 10.4 from the header alone, before the payload is buffered. A compressed
      // frame's size says nothing of the message's: that is checked as it is inflated.
      onHeader:
        compressed === undefined
          ? (h) => assembler.check(h)
          : (h) => assembler.check(compressed(h) ? { fin: h.fin, opcode: h.opcode, payloadLength: 0 } : h),
      // 8.1: text that spans reads is validated as it arrives, to fail at the first bad byte
      // (compressed text once inflated).
      wantsPayloadBytes:
        compressed === undefined ? (h) => assembler.isText(h) : (h) => !compressed(h) && assembler.isText(h),
      onPayloadBytes: (h, bytes, at) => assembler.streamPayload(h, bytes, at),
    });
    this.#events.push({ kind: 'open', protocol: this.protocol, extensions: this.extensions });
  }

  get readyState(): ReadyState {
    return this.#readyState;
  }

  /** Code of the Close frame received (1005 if it had none; 1006 if none came), once known. */
  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /** True when the transport should end TCP now (§7.1.1, §7.1.7). */
  get shouldCloseTransport(): boolean {
    return this.#shouldCloseTransport;
  }

  get closeSent(): boolean {
    return this.#closeSent;
  }

  get closeReceived(): boolean {
    return this.#closeReceived;
  }

  /** Clock time when the closing handshake started (needs `clock`), for a closing timeout. */
  get closingSince(): number | undefined {
    return this.#closingSince;
  }

  /** The frame decoder's state, for the lesson that shows it. */
  get decoderState(): DecoderState {
    return this.#decoder.state;
  }

  /** Bytes queued and not yet drained by dataToSend(). */
  get pendingBytes(): number {
    return this.#pending;
  }

  /**
   * Whether memory given to `receiveData` may still be referenced here: bytes of a frame not yet
   * whole, the fragments of a message (5.4), a held Close, events not yet taken, or bytes queued
   * to send (an echoed payload is sent as it lies). A transport that reuses its read buffer
   * (app/server/reused-reads.ts) must read into new memory while this is true.
   */
  get holdsInput(): boolean {
    return (
      this.#decoder.buffered > 0 ||
      this.#assembler.inProgress ||
      this.#heldClose !== undefined ||
      this.#events.length > 0 ||
      this.#out.length > 0
    );
  }

  /** Events since the last call. Call until it returns none: a held Close is handled then. */
  events(): ConnectionEvent[] {
    if (!this.#messageWaiting) {
      if (this.#heldClose !== undefined) this.#releaseClose();
      else if (this.#heldError !== undefined) this.#releaseError();
    }
    const e = this.#events;
    this.#events = [];
    this.#messageWaiting = false;
    return e;
  }

  dataToSend(): Uint8Array[] {
    const d = this.#out;
    this.#out = [];
    this.#pending = 0;
    return d;
  }

  receiveData(bytes: Uint8Array): void {
    // 5.5.1: after a Close frame, nothing more is processed (and nothing after CLOSED).
    // 7.1.7: after a violation too (one may be held, waiting for the messages before it).
    if (this.#closeReceived || this.#closed || this.#heldClose !== undefined || this.#heldError !== undefined)
      return;
    this.#decoder.push(bytes);
    for (;;) {
      const r = this.#decoder.next();
      if (r.kind === 'more') return;
      if (r.kind === 'error') {
        this.#failAfterMessages(r.error);
        return;
      }
      const { frame } = r;
      if (frame.opcode === Opcode.Close) {
        // 5.5.1: the answer waits until the events before it are handled (see the top).
        if (this.#messageWaiting) this.#heldClose = { frame, bytes: r.bytes };
        else this.#readClose(frame, r.bytes);
        return; // 5.5.1: ignore whatever follows a Close frame
      }
      if (this.#frameEvents) this.#events.push(frameEvent(this.#peer, frame, r.bytes));
      switch (frame.opcode) {
        case Opcode.Ping:
          this.#events.push({ kind: 'ping', data: frame.payload });
          // 5.5.3: answer with a Pong carrying the Ping's payload (not after our Close).
          if (this.#autoPong && !this.#closeSent) this.#send(Opcode.Pong, frame.payload);
          break;
        case Opcode.Pong:
          // 5.5.3: an unsolicited Pong is allowed and needs no answer.
          this.#events.push({ kind: 'pong', data: frame.payload });
          break;
        default: {
          let data = frame;
          if (
            this.#deflate !== undefined &&
            (frame.rsv1 || (frame.opcode === 0 && this.#deflate.inflating))
          ) {
            const inflated = this.#inflate(this.#deflate, frame);
            if (inflated === undefined) return;
            data = inflated;
          }
          const m = this.#assembler.push(data);
          if (m.kind === 'error') {
            this.#failAfterMessages(m.error);
            return;
          }
          if (m.kind === 'message') {
            this.#events.push(messageEvent(m.opcode, m.data));
            this.#messageWaiting = true;
          }
        }
      }
    }
  }

  /** RFC 7692 §7.2.2: a compressed frame with its payload inflated, or undefined (failed). */
  #inflate(deflate: MessageDeflate, frame: Frame): Frame | undefined {
    let payload: Uint8Array | undefined;
    try {
      // 10.4: the limit applies to the inflated message, checked as it comes out.
      payload = deflate.inflateFrame(frame.payload, frame.fin, this.maxMessageSize);
    } catch (e) {
      this.#fail(protocolError('INFLATE_FAILED', e instanceof Error ? e.message : String(e)));
      return undefined;
    }
    if (payload === undefined) {
      this.#fail(protocolError('MESSAGE_TOO_BIG', `over ${this.maxMessageSize} bytes once inflated`));
      return undefined;
    }
    const out = {} as Frame;
    out.fin = frame.fin;
    out.rsv1 = false;
    out.rsv2 = false;
    out.rsv3 = false;
    out.opcode = frame.opcode;
    out.payload = payload;
    return out;
  }

  /** TCP ended (read side). A Close frame still held is handled first: it came before. */
  receiveEof(): void {
    if (this.#closed) return;
    if (this.#heldClose !== undefined) this.#releaseClose();
    if (this.#heldError !== undefined) this.#releaseError();
    if (this.#closed) return;
    this.#shouldCloseTransport = true;
    if (this.#closeSent && this.#closeReceived) {
      // 7.1.4: TCP closed after the closing handshake: a clean close.
      this.#finish(this.#closeCode ?? NO_STATUS_RECEIVED, this.#closeReason ?? '', true);
    } else {
      // 7.1.5: closed without a Close frame received (or before ours was answered): 1006.
      this.#finish(ABNORMAL_CLOSURE, '', false);
    }
  }

  sendText(text: string, options?: SendOptions): boolean {
    return this.#sendMessage(Opcode.Text, encodeUtf8(text), options);
  }

  /**
   * Without frame events, a server sends a payload over 4 KiB as it is, after its header (no
   * copy, as `ws` does): do not modify `bytes` until the transport has written them.
   */
  sendBinary(bytes: Uint8Array, options?: SendOptions): boolean {
    return this.#sendMessage(Opcode.Binary, bytes, options);
  }

  /** 5.5.2: a Ping; payload up to 125 bytes. */
  ping(data: Uint8Array | string = EMPTY): boolean {
    if (this.#closeSent || this.#closed) return false;
    this.#send(Opcode.Ping, controlPayload(data));
    return true;
  }

  /** 5.5.3: a Pong; unsolicited ones serve as a one-way heartbeat. */
  pong(data: Uint8Array | string = EMPTY): boolean {
    if (this.#closeSent || this.#closed) return false;
    this.#send(Opcode.Pong, controlPayload(data));
    return true;
  }

  /**
   * 7.1.2: start the closing handshake. No code: an empty Close frame (the peer will report
   * 1005). Throws CLOSE_CODE_NOT_SENDABLE / CLOSE_REASON_TOO_LONG on a bad code or reason.
   */
  close(code?: number, reason = ''): boolean {
    if (this.#closeSent || this.#closed) return false;
    const payload = buildClosePayload(code, reason);
    this.#send(Opcode.Close, payload);
    this.#closeStarted();
    return true;
  }

  /**
   * Sends exactly this frame, even if it breaks the rules (lessons' "weird experiments"): an
   * unmasked client frame, a reserved opcode, a 200-byte ping... A Close frame sent this way
   * counts as our Close. Does nothing once CLOSED.
   */
  sendFrame(frame: Frame): boolean {
    if (this.#closed) return false;
    this.#write(frame);
    if (frame.opcode === Opcode.Close && !this.#closeSent) {
      this.#closeStarted();
      if (this.#closeReceived) this.#handshakeDone();
    }
    return true;
  }

  /** 7.1.7: fail the connection (e.g. POLICY_VIOLATION from a rate limiter). */
  fail(error: ProtocolErrorCode | ProtocolError, detail?: string): void {
    this.#fail(typeof error === 'string' ? protocolError(error, detail) : error);
  }

  #fail(error: ProtocolError): void {
    if (this.#closed) return;
    this.#events.push({ kind: 'error', error });
    // 7.1.7: send a Close frame with the error's code (7.4.1), if we have not sent one yet.
    if (!this.#closeSent) {
      const code = isSendableCloseCode(error.closeCode) ? error.closeCode : 1011;
      // The stable error code as the reason helps the peer (and the learner); 1011 says nothing.
      const reason = code === 1011 ? '' : error.code;
      this.#send(Opcode.Close, buildClosePayload(code, reason));
      this.#closeSent = true;
    }
    // 7.1.7 then 7.1.1: close TCP without waiting for the peer's Close.
    this.#shouldCloseTransport = true;
    this.#finish(ABNORMAL_CLOSURE, '', false);
  }

  /**
   * A violation read in the same chunk as complete messages before it: those messages are
   * delivered first, so the application can answer them (an echo) before the connection fails
   * (Autobahn 3.x: the echo, then the failure). 7.1.7 holds for every byte after the violation.
   */
  #failAfterMessages(error: ProtocolError): void {
    if (this.#messageWaiting) this.#heldError = error;
    else this.#fail(error);
  }

  #releaseError(): void {
    const error = this.#heldError!;
    this.#heldError = undefined;
    this.#fail(error);
  }

  #releaseClose(): void {
    const held = this.#heldClose!;
    this.#heldClose = undefined;
    if (!this.#closed) this.#readClose(held.frame, held.bytes);
  }

  #readClose(frame: Frame, bytes: Uint8Array): void {
    if (this.#frameEvents) this.#events.push(frameEvent(this.#peer, frame, bytes));
    this.#onClose(frame.payload);
  }

  #onClose(payload: Uint8Array): void {
    const parsed = parseClosePayload(payload);
    if (!parsed.ok) {
      this.#fail(parsed.error);
      return;
    }
    this.#closeReceived = true;
    this.#closeCode = parsed.code;
    this.#closeReason = parsed.reason;
    if (!this.#closeSent) {
      // 5.5.1: answer with a Close frame; we echo the status code (and reason): an empty
      // Close is answered with an empty one.
      this.#send(Opcode.Close, payload);
      this.#closeStarted();
    }
    this.#handshakeDone();
  }

  #closeStarted(): void {
    this.#closeSent = true;
    if (this.#readyState === 'OPEN') this.#readyState = 'CLOSING';
    if (this.#clock !== undefined && this.#closingSince === undefined) this.#closingSince = this.#clock();
  }

  /** Both Close frames have crossed. */
  #handshakeDone(): void {
    this.#readyState = 'CLOSING';
    // 7.1.1: the server closes TCP first; the client waits for it (receiveEof).
    if (this.role === 'server') {
      this.#shouldCloseTransport = true;
      this.#finish(this.#closeCode ?? NO_STATUS_RECEIVED, this.#closeReason ?? '', true);
    }
  }

  #finish(code: number, reason: string, wasClean: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#readyState = 'CLOSED';
    this.#deflate?.close();
    if (!this.#closeReceived) {
      this.#closeCode = code;
      this.#closeReason = reason;
    }
    this.#events.push({ kind: 'close', code, reason, wasClean });
  }

  #sendMessage(
    opcode: typeof Opcode.Text | typeof Opcode.Binary,
    data: Uint8Array,
    options: SendOptions | undefined,
  ): boolean {
    if (this.#closeSent || this.#closed) return false;
    const fragments = options?.fragments ?? 1;
    if (this.#deflate?.compressesOutgoing === true) {
      // RFC 7692 §7.2.1: the message compressed, then split; RSV1 on its first frame (§6).
      const payload = this.#deflate.compress(data);
      const count = typeof fragments === 'number' ? fragments : fragments.length;
      const frames = encodeMessage(this.role, opcode, payload, {
        fragments: count,
        entropy: this.#entropy,
        rsv1: true,
      });
      for (const { frame, bytes } of frames) this.#queue(frame, bytes);
      return true;
    }
    // The common case, one frame (5.4: FIN set), skips encodeMessage's per-fragment bookkeeping.
    if (fragments === 1) {
      this.#send(opcode, data);
      return true;
    }
    const frames = encodeMessage(this.role, opcode, data, { fragments, entropy: this.#entropy });
    for (const { frame, bytes } of frames) this.#queue(frame, bytes);
    return true;
  }

  /** One frame with FIN set: a whole message, or a control frame. */
  #send(opcode: number, payload: Uint8Array): void {
    // 5.1, 5.3: a client masks every frame with a fresh key; a server never masks.
    const maskKey = this.role === 'client' ? copyBytes(this.#entropy!.randomBytes(4)) : undefined;
    if (this.#frameEvents) {
      const frame: Frame = { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode, payload };
      if (maskKey !== undefined) frame.maskKey = maskKey;
      this.#write(frame);
    } else if (maskKey === undefined && payload.length > POOLED_MAX) {
      // Nobody will see the frame, and a big unmasked payload can follow its header as it is
      // (the transport writes both at once): no copy.
      this.#push(encodeFinalFrameHeader(opcode, payload.length));
      this.#push(payload);
    } else {
      this.#push(encodeFinalFrame(opcode, payload, maskKey));
    }
  }

  #write(frame: Frame): void {
    this.#queue(frame, encodeFrame(frame));
  }

  #queue(frame: Frame, bytes: Uint8Array): void {
    this.#push(bytes);
    if (this.#frameEvents) this.#events.push(frameEvent(this.role, frame, bytes));
  }
  #push(bytes: Uint8Array): void {
    this.#out.push(bytes);
    this.#pending += bytes.length;
  }
}

/*
 * The events kept per frame are built from an empty literal, not written as `{ kind, ... }`:
 * the same plain objects, but V8 does not pretenure them (see newFrame in decoder.ts: a
 * Connection keeps them until `events()` is drained, which could otherwise send every later
 * event straight to the old generation and slow reading down ~4x for good).
 */
function frameEvent(from: Side, frame: Frame, bytes: Uint8Array): ConnectionEvent {
  const e = {} as { kind: 'frame'; from: Side; frame: Frame; bytes: Uint8Array };
  e.kind = 'frame';
  e.from = from;
  e.frame = frame;
  e.bytes = bytes;
  return e;
}

function messageEvent(opcode: 0x1 | 0x2, data: string | Uint8Array): ConnectionEvent {
  const e = {} as { kind: 'message'; opcode: 0x1 | 0x2; data: string | Uint8Array };
  e.kind = 'message';
  e.opcode = opcode;
  e.data = data;
  return e as ConnectionEvent;
}

function controlPayload(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? encodeUtf8(data) : data;
  // 5.5: control frames carry at most 125 bytes.
  if (bytes.length > MAX_CONTROL_PAYLOAD)
    throw new RangeError(`control frame payload ${bytes.length} > 125 bytes (RFC 6455 §5.5)`);
  return bytes;
}
