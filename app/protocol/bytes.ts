/**
 * A copy of bytes that is always a plain Uint8Array with its own buffer. Callers hand the
 * engine whatever their platform reads into: in Node a Buffer, whose `slice()` returns a VIEW
 * (Buffer overrides it), so unmasking `chunk.slice()` in place would rewrite the caller's bytes.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  out.set(bytes.subarray(start, end));
  return out;
}
