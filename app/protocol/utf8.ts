/**
 * RFC 6455 §8.1: text frames carry UTF-8 (RFC 3629); an endpoint that receives invalid UTF-8
 * fails the connection with 1007. This is a streaming validator: it keeps its state between
 * chunks (a code point may straddle two fragments, or two TCP reads) and reports the first
 * invalid byte as soon as it arrives, not at the end of the message.
 *
 * Well-formed sequences (Unicode Table 3-7), x = payload bits:
 *
 *   U+0000..U+007F     0xxxxxxx
 *   U+0080..U+07FF     110xxxxx 10xxxxxx                     lead C2..DF (C0, C1 = overlong)
 *   U+0800..U+FFFF     1110xxxx 10xxxxxx 10xxxxxx            E0 needs A0..BF next (else overlong)
 *                                                            ED needs 80..9F next (else D800-DFFF:
 *                                                            surrogates are not characters)
 *   U+10000..U+10FFFF  11110xxx 10xxxxxx 10xxxxxx 10xxxxxx   F0 needs 90..BF next (else overlong)
 *                                                            F4 needs 80..8F next (else > U+10FFFF)
 *                                                            F5..FF never appear
 */

export class Utf8Validator {
  /** Continuation bytes still expected in the current sequence. */
  #need = 0;
  /** Allowed range of the next continuation byte (narrowed after E0, ED, F0, F4). */
  #lo = 0x80;
  #hi = 0xbf;
  #lead = 0;
  #error: string | undefined;

  /**
   * Feeds `bytes[start..end)`. Returns -1 while everything is valid so far (a sequence may be
   * left open for the next chunk), else the index of the first invalid byte. Once failed, the
   * validator stays failed and returns `start` for every later chunk.
   */
  push(bytes: Uint8Array, start = 0, end = bytes.length): number {
    if (this.#error !== undefined) return start;
    let need = this.#need;
    let lo = this.#lo;
    let hi = this.#hi;
    let i = start;
    while (i < end) {
      const b = bytes[i]!;
      if (need === 0) {
        if (b < 0x80) {
          // 0xxxxxxx: ASCII. Fast path: skip the run.
          i++;
          while (i < end && bytes[i]! < 0x80) i++;
          continue;
        }
        this.#lead = b;
        lo = 0x80;
        hi = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) {
          need = 1; // 110xxxxx
        } else if (b >= 0xe0 && b <= 0xef) {
          need = 2; // 1110xxxx
          if (b === 0xe0)
            lo = 0xa0; // E0 80..9F would be overlong (< U+0800)
          else if (b === 0xed) hi = 0x9f; // ED A0..BF would be a surrogate D800-DFFF
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3; // 11110xxx
          if (b === 0xf0)
            lo = 0x90; // F0 80..8F would be overlong (< U+10000)
          else if (b === 0xf4) hi = 0x8f; // F4 90..BF would be above U+10FFFF
        } else {
          return this.#fail(i, leadProblem(b));
        }
        i++;
        continue;
      }
      // 10xxxxxx, within the range the lead byte allows.
      if (b < lo || b > hi) {
        this.#need = need;
        return this.#fail(i, continuationProblem(this.#lead, b));
      }
      lo = 0x80;
      hi = 0xbf;
      need--;
      i++;
    }
    this.#need = need;
    this.#lo = lo;
    this.#hi = hi;
    return -1;
  }

  /** True when no sequence is open: the text so far ends on a character boundary. */
  get complete(): boolean {
    return this.#error === undefined && this.#need === 0;
  }

  get failed(): boolean {
    return this.#error !== undefined;
  }

  /** Why validation failed, in words (for the inspector); undefined while valid. */
  get problem(): string | undefined {
    if (this.#error === undefined && this.#need !== 0) return 'truncated: the last character is incomplete';
    return this.#error;
  }

  reset(): void {
    this.#need = 0;
    this.#lo = 0x80;
    this.#hi = 0xbf;
    this.#lead = 0;
    this.#error = undefined;
  }

  #fail(index: number, problem: string): number {
    this.#error = problem;
    return index;
  }
}

function hex(b: number): string {
  return '0x' + b.toString(16).toUpperCase().padStart(2, '0');
}

function leadProblem(b: number): string {
  if (b >= 0x80 && b <= 0xbf) return `unexpected continuation byte ${hex(b)} (10xxxxxx) with no lead byte`;
  if (b === 0xc0 || b === 0xc1) return `${hex(b)} starts an overlong encoding of U+0000..U+007F`;
  if (b >= 0xf5 && b <= 0xf7) return `${hex(b)} would start a code point above U+10FFFF`;
  return `${hex(b)} never appears in UTF-8`;
}

function continuationProblem(lead: number, b: number): string {
  if ((b & 0xc0) !== 0x80) return `expected a continuation byte 10xxxxxx after ${hex(lead)}, got ${hex(b)}`;
  if (lead === 0xe0 || lead === 0xf0) return `overlong encoding: ${hex(lead)} ${hex(b)}`;
  if (lead === 0xed) return `${hex(lead)} ${hex(b)} encodes a surrogate (U+D800..U+DFFF)`;
  return `${hex(lead)} ${hex(b)} encodes a code point above U+10FFFF`;
}

/** Index of the first invalid byte, `bytes.length` if the text ends mid-character, or -1 if valid. */
export function findInvalidUtf8(bytes: Uint8Array): number {
  const v = new Utf8Validator();
  const at = v.push(bytes);
  if (at !== -1) return at;
  return v.complete ? -1 : bytes.length;
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  return findInvalidUtf8(bytes) === -1;
}

/**
 * Bytes `str` takes in UTF-8, without encoding it. A lone surrogate counts 3 bytes: TextEncoder
 * writes it as U+FFFD (EF BF BD).
 */
export function utf8ByteLength(str: string): number {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4; // a surrogate pair: one code point >= U+10000
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const encoder = new TextEncoder();
// Not `fatal`: validity is decided by Utf8Validator above. `ignoreBOM`: a leading U+FEFF is a
// character of the message like any other (5.6: the payload is the text), so it must reach the
// API; without it TextDecoder drops it and '\uFEFFhello' (8 bytes) arrives as 'hello'.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes bytes already validated (invalid sequences would become U+FFFD); every byte kept, a BOM too. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
