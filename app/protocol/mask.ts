/**
 * RFC 6455 §5.3: client-to-server masking. Every payload byte is XORed with one byte of the
 * 4-byte masking key, the key repeating:
 *
 *   transformed[i] = original[i] XOR key[i MOD 4]
 *
 * The same operation masks and unmasks. `offset` is the position of `data[0]` in the whole
 * payload, so a payload can be (un)masked in pieces: the key then starts at key[offset MOD 4].
 *
 * Speed: the bulk is XORed 32 bits at a time through a Uint32Array. A Uint32Array needs a
 * 4-byte aligned start, so unaligned head bytes go one by one first, then whole words, then
 * the 0-3 tail bytes. The 32-bit key word is built in the platform's byte order from the key
 * bytes rotated to line up with the first aligned byte:
 *
 *   memory      d[i]   d[i+1] d[i+2] d[i+3]   (i aligned)
 *   XOR with    k[j]   k[j+1] k[j+2] k[j+3]   j = (offset + i) MOD 4, indices MOD 4
 *   little-endian word = k[j] | k[j+1] << 8 | k[j+2] << 16 | k[j+3] << 24
 *
 * A faster kernel: the engine never looks for one (it runs anywhere, and imports nothing), but
 * a transport that has one can install it with `useMaskKernel`: the Node server installs the
 * native `mask` of the optional `bufferutil` package (app/server/mask-kernel.ts), the one `ws`
 * uses; the page installs a WebAssembly SIMD kernel (app/loopback/wasm-mask.ts). With a kernel,
 * payloads of KERNEL_MIN bytes (or the `min` it was installed with) or more go through it; the
 * loops below stay the reference and the fallback.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Below this many bytes the word path's setup costs more than it saves. (It also keeps small
 * arrays, which V8 stores on its heap, from being moved off-heap by the Uint32Array view.)
 */
const WORD_THRESHOLD = 64;

/**
 * XORs `length` bytes: output[outputOffset + i] = source[i] XOR key[i MOD 4] (§5.3, key index
 * from 0). `output` may be `source` itself (in place). The same contract as bufferutil's `mask`.
 */
export type MaskKernel = (
  source: Uint8Array,
  key: Uint8Array,
  output: Uint8Array,
  outputOffset: number,
  length: number,
) => void;

let kernel: MaskKernel | undefined;

/**
 * Below this many bytes the loops here beat a call into a kernel (a native call and a subarray
 * cost more than XORing a few words in JavaScript; measured in bench/codec.ts).
 */
export const KERNEL_MIN = 256;

/** Payloads of this many bytes or more go to the kernel (useMaskKernel's `min`). */
let kernelMin = KERNEL_MIN;

/**
 * Installs a faster XOR for payloads of `min` bytes or more (KERNEL_MIN unless the kernel wins
 * only from a larger size); `undefined` removes it.
 */
export function useMaskKernel(k: MaskKernel | undefined, min = KERNEL_MIN): void {
  kernel = k;
  kernelMin = min;
}

/** The kernel installed, if any. */
export function maskKernel(): MaskKernel | undefined {
  return kernel;
}

/** The key turned so that rotated[0] = key[phase]: for a kernel, which always starts at key[0]. */
const rotated = new Uint8Array(4);

/**
 * XORs `data[start..end)` with `key` in place (§5.3). `offset` is the position of
 * `data[start]` in the whole payload (default 0). `start`/`end` let a caller mask part of a
 * buffer without making a subarray (cheaper for small frames).
 */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0, start = 0, end = data.length): void {
  if (key.length !== 4) throw new RangeError('a masking key is 4 bytes (RFC 6455 §5.3)');
  // Key index of data[i] is (shift + i) & 3. The key as one 32-bit number, key[0] lowest:
  // key[j] is (k >>> 8j) & 0xff (no array to allocate or load from in the byte loops).
  if (kernel !== undefined && end - start >= kernelMin) {
    const view = start === 0 && end === data.length ? data : data.subarray(start, end);
    kernel(view, turned(key, offset & 3), view, 0, end - start);
    return;
  }
  const shift = (offset - start) & 3;
  const k = key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24);
  if (end - start < WORD_THRESHOLD) {
    for (let i = start; i < end; i++) data[i]! ^= k >>> (((shift + i) & 3) << 3);
    return;
  }
  // Head: byte by byte up to the first 4-byte aligned address.
  let i = start;
  const headEnd = start + ((4 - ((data.byteOffset + start) & 3)) & 3);
  for (; i < headEnd; i++) data[i]! ^= k >>> (((shift + i) & 3) << 3);
  // Body: whole 32-bit words.
  const j = (shift + i) & 3;
  const a = key[j]!;
  const b = key[(j + 1) & 3]!;
  const c = key[(j + 2) & 3]!;
  const d = key[(j + 3) & 3]!;
  const word = LITTLE_ENDIAN ? a | (b << 8) | (c << 16) | (d << 24) : (a << 24) | (b << 16) | (c << 8) | d;
  const count = (end - i) >>> 2;
  const words = new Uint32Array(data.buffer, data.byteOffset + i, count);
  let w = 0;
  // Unrolled by 4: fewer loop checks on large payloads.
  for (const end4 = count - (count & 3); w < end4; w += 4) {
    words[w]! ^= word;
    words[w + 1]! ^= word;
    words[w + 2]! ^= word;
    words[w + 3]! ^= word;
  }
  for (; w < count; w++) words[w]! ^= word;
  i += count << 2;
  // Tail: the last 0-3 bytes.
  for (; i < end; i++) data[i]! ^= k >>> (((shift + i) & 3) << 3);
}

/**
 * Copies `source` into `output` at `outputOffset`, masked with `key` from key[0] (§5.3): one
 * pass through a kernel when one is installed, else a copy then applyMask.
 */
export function copyMasked(
  source: Uint8Array,
  key: Uint8Array,
  output: Uint8Array,
  outputOffset: number,
): void {
  const n = source.length;
  if (kernel !== undefined && n >= kernelMin) {
    if (key.length !== 4) throw new RangeError('a masking key is 4 bytes (RFC 6455 §5.3)');
    kernel(source, key, output, outputOffset, n);
    return;
  }
  output.set(source, outputOffset);
  applyMask(output, key, 0, outputOffset, outputOffset + n);
}

function turned(key: Uint8Array, phase: number): Uint8Array {
  if (phase === 0) return key;
  for (let i = 0; i < 4; i++) rotated[i] = key[(phase + i) & 3]!;
  return rotated;
}

/** The masking key as 8 hex digits, e.g. '37fa213d'. */
export function maskKeyHex(key: Uint8Array): string {
  let s = '';
  for (const b of key) s += b.toString(16).padStart(2, '0');
  return s;
}
