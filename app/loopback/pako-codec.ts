/**
 * The engine's DEFLATE codec (app/protocol/deflate.ts) on pako, for permessage-deflate in the
 * page (the loopback's both ends, and the inspector's inflating of tapped frames).
 *
 * Loaded only when a connection negotiates the extension (`loadPageDeflate()` in
 * page-deflate.ts imports this module), so the first page does not carry pako.
 * Why pako and not fflate: see app/loopback/README.md ("permessage-deflate in the page").
 */
import { Deflate, Inflate, Z_BUF_ERROR, Z_OK, Z_SYNC_FLUSH } from 'pako';
import type { DeflateCodec, DeflateCodecFactory } from '../protocol/index.ts';

/** Thrown from onData to stop an inflate that passed its limit. */
class Overflow extends Error {}

export const pakoCodec: DeflateCodecFactory = ({ deflateWindowBits }) => new PakoCodec(deflateWindowBits);

class PakoCodec implements DeflateCodec {
  readonly #windowBits: number;
  #deflater: Deflate | undefined;
  #inflater: Inflate | undefined;
  /** Where onData puts its output during one call. */
  #out: Uint8Array[] = [];
  #total = 0;
  #limit = Infinity;

  constructor(windowBits: number) {
    this.#windowBits = windowBits;
  }

  deflate(data: Uint8Array): Uint8Array {
    const d = (this.#deflater ??= this.#collect(new Deflate({ raw: true, windowBits: this.#windowBits })));
    this.#begin(Infinity);
    // 7.2.1: a sync flush ends the output on a byte boundary, with 00 00 ff ff.
    d.push(data, Z_SYNC_FLUSH);
    if (d.err !== Z_OK) throw new Error(`deflate failed: ${d.msg}`);
    return this.#result();
  }

  inflate(data: Uint8Array, limit: number): Uint8Array | undefined {
    // Reading only needs a window as large as the peer's; 15 fits every peer.
    const i = (this.#inflater ??= this.#collect(
      new Inflate({ raw: true, windowBits: 15, chunkSize: 16384 }),
    ));
    this.#begin(limit);
    try {
      i.push(data, Z_SYNC_FLUSH);
    } catch (e) {
      if (!(e instanceof Overflow)) throw e;
      // Stopped mid-stream: this inflater cannot go on (the connection fails).
      this.#inflater = undefined;
      this.#out = [];
      return undefined;
    }
    // pako reports Z_BUF_ERROR when the input ended exactly at a flush point: not an error.
    if (i.err !== Z_OK && i.err !== Z_BUF_ERROR) throw new Error(`invalid DEFLATE data: ${i.msg}`);
    return this.#result();
  }

  resetDeflate(): void {
    this.#deflater = undefined;
  }

  resetInflate(): void {
    this.#inflater = undefined;
  }

  close(): void {
    this.#deflater = undefined;
    this.#inflater = undefined;
    this.#out = [];
  }

  /** Routes a stream's output chunks here, checking the limit as each comes out. */
  #collect<T extends Deflate | Inflate>(stream: T): T {
    stream.onData = (chunk: Uint8Array) => {
      this.#total += chunk.length;
      if (this.#total > this.#limit) throw new Overflow();
      this.#out.push(chunk);
    };
    return stream;
  }

  #begin(limit: number): void {
    this.#out = [];
    this.#total = 0;
    this.#limit = limit;
  }

  #result(): Uint8Array {
    const parts = this.#out;
    this.#out = [];
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(this.#total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
