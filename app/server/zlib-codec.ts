/**
 * The engine's DEFLATE codec (app/protocol/deflate.ts) on node:zlib, for permessage-deflate
 * (RFC 7692) in Node.
 *
 * The engine is synchronous (bytes in, events out) and zlib's documented streaming API is not;
 * its `*Sync` functions are, but each makes a fresh stream, while context takeover (7.1.1)
 * needs one stream per direction that lives as long as the connection. So this drives the
 * stream's native handle the way node:zlib's own sync path does (`_handle.writeSync` with
 * `_writeState` reporting the bytes left; present since Node 10, and `zlib-codec.test.ts` fails
 * if a Node version changes it). Each call ends with Z_SYNC_FLUSH (7.2.1), keeping the window
 * until `reset()`.
 *
 * The inflated size limit is checked after every 16 KiB zlib writes out, so a bomb stops at
 * the limit and is never held whole.
 */
import zlib from 'node:zlib';
import type { DeflateCodec, DeflateCodecFactory } from '../protocol/index.ts';
import { UnzeroedSlabs } from './slabs.ts';

/** The parts of a node:zlib stream its own sync path uses. */
interface NativeZlib {
  _handle: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOff: number,
      inLen: number,
      out: Uint8Array,
      outOff: number,
      outLen: number,
    ): void;
  } | null;
  /** [output bytes left, input bytes left] after writeSync. */
  _writeState: Uint32Array;
  destroyed: boolean;
  reset(): void;
  close(): void;
  on(event: 'error', f: (e: Error) => void): void;
}

const { Z_SYNC_FLUSH, Z_DEFAULT_COMPRESSION } = zlib.constants;
const CHUNK = 16 * 1024;

export interface ZlibCodecOptions {
  /** Compression level 0-9 (default: zlib's default, 6). */
  level?: number;
  /** zlib memLevel 1-9 (default 8), as `ws` exposes it. */
  memLevel?: number;
}

/** A codec factory for `new Connection({ deflate: { params, codec } })`. */
export function zlibCodec(options: ZlibCodecOptions = {}): DeflateCodecFactory {
  return ({ deflateWindowBits }) => new ZlibCodec(deflateWindowBits, options);
}

/**
 * zlib writes into shared slabs (slabs.ts), and each result is a view of the bytes it wrote: a
 * fresh 16 KiB buffer per call (two per message read, one per message sent) was 10 times the
 * memory the output needed, all of it outside V8's heap, where it brought on full garbage
 * collections under load (bench/README.md).
 */
const slabs = new UnzeroedSlabs(64 * 1024);
/** A slab with less room than this is left behind rather than written in small pieces. */
const MIN_ROOM = 1024;

/**
 * Pushes all of `input` through `z` with a sync flush; the output, or undefined once more than
 * `limit` bytes came out. Throws when zlib reports an error (invalid data).
 */
function run(z: NativeZlib, input: Uint8Array, limit: number): Uint8Array | undefined {
  const handle = z._handle;
  if (handle === null || z.destroyed) throw new Error('the zlib stream is closed');
  const state = z._writeState;
  const parts: Uint8Array[] = [];
  let total = 0;
  let inOff = 0;
  let inLen = input.length;
  for (;;) {
    const room = Math.min(CHUNK, slabs.reserve(MIN_ROOM));
    handle.writeSync(Z_SYNC_FLUSH, input, inOff, inLen, slabs.slab, slabs.offset, room);
    // zlib's error callback destroys the stream at once (the 'error' event comes later).
    if (z.destroyed) throw new Error('invalid DEFLATE data');
    const outLeft = state[0]!;
    const inLeft = state[1]!;
    const have = room - outLeft;
    if (have > 0) {
      parts.push(slabs.take(have));
      total += have;
      if (total > limit) return undefined;
    }
    inOff += inLen - inLeft;
    inLen = inLeft;
    // Output space left over: zlib has flushed everything.
    if (outLeft !== 0) break;
  }
  if (parts.length === 1) return parts[0]!;
  const out = Buffer.concat(parts, total);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

class ZlibCodec implements DeflateCodec {
  readonly #windowBits: number;
  readonly #options: ZlibCodecOptions;
  #deflater: NativeZlib | undefined;
  #inflater: NativeZlib | undefined;

  constructor(windowBits: number, options: ZlibCodecOptions) {
    this.#windowBits = windowBits;
    this.#options = options;
  }

  deflate(data: Uint8Array): Uint8Array {
    this.#deflater ??= quiet(
      zlib.createDeflateRaw({
        windowBits: this.#windowBits,
        level: this.#options.level ?? Z_DEFAULT_COMPRESSION,
        memLevel: this.#options.memLevel ?? 8,
      }),
    );
    return run(this.#deflater, data, Infinity)!;
  }

  inflate(data: Uint8Array, limit: number): Uint8Array | undefined {
    // Reading only needs a window as large as the peer's; 15 fits every peer.
    this.#inflater ??= quiet(zlib.createInflateRaw({ windowBits: 15 }));
    return run(this.#inflater, data, limit);
  }

  resetDeflate(): void {
    this.#deflater?.reset();
  }

  resetInflate(): void {
    this.#inflater?.reset();
  }

  close(): void {
    this.#deflater?.close();
    this.#inflater?.close();
    this.#deflater = undefined;
    this.#inflater = undefined;
  }
}

/** The stream, with its late 'error' event swallowed (run() has thrown already). */
function quiet(z: zlib.DeflateRaw | zlib.InflateRaw): NativeZlib {
  const native = z as unknown as NativeZlib;
  native.on('error', () => {});
  return native;
}
