/**
 * RFC 7692 §7.2: compressing and decompressing messages with permessage-deflate, once the
 * parameters are agreed (permessage-deflate.ts). The DEFLATE work itself is injected (the
 * engine has no compressor): Node passes one made with node:zlib, the page one made with pako.
 *
 * Sending (7.2.1): the whole message is compressed, the stream flushed with a sync flush (so
 * it ends on a byte boundary with an empty stored block, `00 00 ff ff`), and those four bytes
 * removed. The result is the payload; its first frame carries RSV1.
 * Receiving (7.2.2): the payloads of the message's frames, then `00 00 ff ff` appended, are
 * inflated.
 * Context takeover (7.1.1): unless `*_no_context_takeover` was agreed for a direction, the
 * compressor of that direction keeps its window from one message to the next (repeated text
 * then costs a few bytes); otherwise it is reset after every message.
 */
import type { DeflateParams } from './permessage-deflate.ts';
import type { Role } from './types.ts';

/** The DEFLATE primitives a transport provides, one instance per connection. */
export interface DeflateCodec {
  /** Raw DEFLATE of `data`, then a sync flush: the output ends with 00 00 ff ff. */
  deflate(data: Uint8Array): Uint8Array;
  /**
   * Raw inflate of `data`, continuing the stream. Returns undefined as soon as the output would
   * be longer than `limit` bytes, without holding more than about `limit` of it (the codec is
   * then unusable). Throws on data that is not valid DEFLATE.
   */
  inflate(data: Uint8Array, limit: number): Uint8Array | undefined;
  /** Forget the compression window (7.1.1: no context takeover). */
  resetDeflate(): void;
  resetInflate(): void;
  /** Free native resources (the connection ended). */
  close(): void;
}

/** Made by the transport with the window its own messages may use (8-15). */
export type DeflateCodecFactory = (options: { deflateWindowBits: number }) => DeflateCodec;

/** 7.2.1: what a sync flush ends with, removed before sending and put back before inflating. */
export const DEFLATE_TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/** What one connection does about compression, for one role. */
export class MessageDeflate {
  readonly params: DeflateParams;
  /** Whether our own window is reset after each message we send (7.1.1). */
  readonly resetsOwnContext: boolean;
  /** Whether the peer resets its window after each message (so ours for reading is too). */
  readonly peerResetsContext: boolean;
  /** Our messages are compressed only when the window we may use is one our codec can honour. */
  readonly compressesOutgoing: boolean;
  readonly #codec: DeflateCodec;
  /** Inflated bytes of the message being read so far; -1 when none is being inflated. */
  #inflated = -1;
  /** Messages read and sent since the connection opened (for "context kept" displays). */
  #read = 0;
  #sent = 0;

  constructor(role: Role, params: DeflateParams, factory: DeflateCodecFactory) {
    this.params = params;
    const server = role === 'server';
    this.resetsOwnContext = server ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.peerResetsContext = server ? params.clientNoContextTakeover : params.serverNoContextTakeover;
    const bits = server ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    // 7.1.2: a window of 2^8 cannot be honoured by zlib (it uses 9 bits at least); such a
    // connection sends its messages uncompressed, which 6 allows (RSV1 clear).
    this.compressesOutgoing = bits >= 9;
    this.#codec = factory({ deflateWindowBits: Math.max(9, bits) });
  }

  /** True while a compressed message is being read (its continuation frames are compressed too). */
  get inflating(): boolean {
    return this.#inflated >= 0;
  }

  /** 7.2.1: a message's payload as sent; the frames carrying it get RSV1 on the first one. */
  compress(data: Uint8Array): Uint8Array {
    this.#sent++;
    // 7.2.3.6: an empty message is one empty stored block, 0x00 (zlib writes nothing for no
    // input after a flush, so the codec is not asked).
    if (data.length === 0) return Uint8Array.of(0);
    const out = this.#codec.deflate(data);
    if (this.resetsOwnContext) this.#codec.resetDeflate();
    // 7.2.1: remove the 4 octets 00 00 ff ff at the tail end.
    if (!endsWithTail(out)) throw new Error('the deflate codec did not end with a sync flush');
    return out.subarray(0, out.length - 4);
  }

  /**
   * 7.2.2: one frame of a compressed message: its payload inflated (the bytes it adds; on the
   * last frame the tail is appended first). undefined: the message grew over `limit` bytes in
   * all (10.4), checked as the bytes come out. Throws on invalid DEFLATE data.
   */
  inflateFrame(payload: Uint8Array, fin: boolean, limit: number): Uint8Array | undefined {
    if (this.#inflated < 0) this.#inflated = 0;
    const room = limit - this.#inflated;
    const a = payload.length > 0 ? this.#codec.inflate(payload, room) : EMPTY;
    if (a === undefined) return this.#tooBig();
    let out = a;
    if (fin) {
      const b = this.#codec.inflate(DEFLATE_TAIL, room - a.length);
      if (b === undefined) return this.#tooBig();
      if (b.length > 0) out = join(a, b);
      this.#inflated = -1;
      this.#read++;
      // 7.1.1: the peer starts its next message with an empty window: so must we.
      if (this.peerResetsContext) this.#codec.resetInflate();
    } else {
      this.#inflated += out.length;
    }
    return out;
  }

  /** Messages inflated so far (the first one had no context to take over). */
  get messagesRead(): number {
    return this.#read;
  }

  get messagesSent(): number {
    return this.#sent;
  }

  close(): void {
    this.#inflated = -1;
    this.#codec.close();
  }

  #tooBig(): undefined {
    this.#inflated = -1;
    return undefined;
  }
}

const EMPTY = new Uint8Array(0);

function endsWithTail(b: Uint8Array): boolean {
  const n = b.length;
  return n >= 4 && b[n - 4] === 0 && b[n - 3] === 0 && b[n - 2] === 0xff && b[n - 1] === 0xff;
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
