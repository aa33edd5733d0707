/**
 * Finds where the peer's Close frame starts in its byte stream, reading frame headers only.
 *
 * Why: the engine handles a whole chunk at once, and answers a Close frame (5.5.1) as soon as
 * it reads it. When a message and the Close that follows it arrive in one TCP chunk (a client
 * that calls send() then close()), the service would see the message only after the engine had
 * already sent its Close, so its answer (the echo) could no longer be sent. Splitting the chunk
 * where the Close frame starts lets the session hand the service everything before it first,
 * as `ws` does by handling frames one at a time.
 *
 * This only chooses split points: the engine decodes and validates everything. Any header this
 * scanner does not understand stops it (it then never splits again), which is always safe.
 */
export class CloseScanner {
  /** Payload (and mask key) bytes left to skip in the current frame. */
  #skip = 0;
  readonly #head = new Uint8Array(14);
  #headLength = 0;
  #done = false;

  /**
   * The offset in `chunk` where a Close frame's header starts (0 if it started in an earlier
   * chunk), or -1 if none starts here. After a Close is found it returns -1 for ever.
   */
  findClose(chunk: Uint8Array): number {
    if (this.#done) return -1;
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, n - p);
        this.#skip -= take;
        p += take;
        continue;
      }
      const start = p - this.#headLength;
      if (this.#headLength === 0) this.#head[this.#headLength++] = chunk[p++] as number;
      // The opcode is in the first byte: FIN RSV1-3 opcode (5.2).
      if (((this.#head[0] as number) & 0x0f) === 0x8) {
        this.#done = true;
        return Math.max(0, start);
      }
      // Then MASK len7 | 0, 2 or 8 bytes of length | 0 or 4 bytes of key.
      while (p < n && this.#headLength < this.#needed())
        this.#head[this.#headLength++] = chunk[p++] as number;
      if (this.#headLength < this.#needed()) return -1;
      const length = this.#payloadLength();
      if (length === undefined) {
        this.#done = true;
        return -1;
      }
      this.#skip = length;
      this.#headLength = 0;
    }
    return -1;
  }

  /** Header bytes needed for what has been read so far. */
  #needed(): number {
    if (this.#headLength < 2) return 2;
    const b1 = this.#head[1] as number;
    const len7 = b1 & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
  }

  #payloadLength(): number | undefined {
    const h = this.#head;
    const len7 = (h[1] as number) & 0x7f;
    if (len7 < 126) return len7;
    if (len7 === 126) return ((h[2] as number) << 8) | (h[3] as number);
    // 64 bits: beyond 2^53 the engine fails the connection anyway; stop scanning.
    const high =
      (((h[2] as number) << 24) >>> 0) +
      ((h[3] as number) << 16) +
      ((h[4] as number) << 8) +
      (h[5] as number);
    if (high > 0x1fffff) return undefined;
    const low =
      (((h[6] as number) << 24) >>> 0) +
      ((h[7] as number) << 16) +
      ((h[8] as number) << 8) +
      (h[9] as number);
    return high * 0x100000000 + low;
  }
}
