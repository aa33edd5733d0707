import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeUtf8,
  encodeUtf8,
  findInvalidUtf8,
  isValidUtf8,
  utf8ByteLength,
  Utf8Validator,
} from './utf8.ts';
import { fromHex } from './test-helpers.ts';

/** The oracle: the platform's fatal decoder, fed a prefix in streaming mode. */
function oracleFirstInvalid(bytes: Uint8Array): number {
  const fatal = (n: number, stream: boolean): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream });
      return true;
    } catch {
      return false;
    }
  };
  if (fatal(bytes.length, false)) return -1;
  // The first prefix that is already hopeless, even with more bytes to come.
  for (let n = 1; n <= bytes.length; n++) if (!fatal(n, true)) return n - 1;
  return bytes.length; // valid so far but truncated
}

describe('UTF-8 validation (§8.1)', () => {
  it.each([
    ['ASCII', '48656c6c6f'],
    ['2-byte é (110xxxxx 10xxxxxx)', 'c3a9'],
    ['3-byte € (1110xxxx 10xxxxxx 10xxxxxx)', 'e282ac'],
    ['4-byte 😀 (11110xxx + 3 continuation bytes)', 'f09f9880'],
    ['the smallest 2-byte (U+0080)', 'c280'],
    ['the smallest 3-byte (U+0800)', 'e0a080'],
    ['the last before the surrogates (U+D7FF)', 'ed9fbf'],
    ['the first after the surrogates (U+E000)', 'ee8080'],
    ['U+FFFF', 'efbfbf'],
    ['the smallest 4-byte (U+10000)', 'f0908080'],
    ['the largest code point U+10FFFF', 'f48fbfbf'],
    ['empty', ''],
  ])('accepts %s', (_name, h) => {
    expect(isValidUtf8(fromHex(h))).toBe(true);
  });

  it.each([
    ['a lone continuation byte', '80', 0],
    ['overlong 2-byte C0 80 (U+0000)', 'c080', 0],
    ['overlong 2-byte C1 BF', 'c1bf', 0],
    ['overlong 3-byte E0 80 80', 'e08080', 1],
    ['overlong 3-byte E0 9F BF', 'e09fbf', 1],
    ['overlong 4-byte F0 8F BF BF', 'f08fbfbf', 1],
    ['a high surrogate ED A0 80 (U+D800)', 'eda080', 1],
    ['a low surrogate ED BF BF (U+DFFF)', 'edbfbf', 1],
    ['above U+10FFFF: F4 90 80 80', 'f4908080', 1],
    ['F5 (would be above U+10FFFF)', 'f5808080', 0],
    ['FE and FF', 'fe', 0],
    ['a missing continuation byte', 'c341', 1],
    ['a truncated 3-byte sequence', 'e282', 2],
    ['valid text then a bad byte', '48656c6cff', 4],
  ])('rejects %s at byte %i', (_name, h, index) => {
    expect(findInvalidUtf8(fromHex(h))).toBe(index);
  });

  it('fails as soon as the first invalid byte arrives, across chunk boundaries', () => {
    const v = new Utf8Validator();
    expect(v.push(fromHex('48e2'))).toBe(-1); // 'H' and the start of €
    expect(v.complete).toBe(false);
    expect(v.push(fromHex('82'))).toBe(-1);
    expect(v.push(fromHex('41'))).toBe(0); // 'A' where the last continuation byte belongs
    expect(v.failed).toBe(true);
    expect(v.problem).toMatch(/continuation/);
    expect(v.push(fromHex('41'))).toBe(0); // stays failed
  });

  it('detects a surrogate whose lead byte came in the previous chunk', () => {
    const v = new Utf8Validator();
    expect(v.push(fromHex('ed'))).toBe(-1);
    expect(v.push(fromHex('a0'))).toBe(0);
    expect(v.problem).toMatch(/surrogate/);
  });

  it('agrees with the platform decoder on random bytes, whole and split at any point', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 24 }),
          fc.string({ unit: 'binary', maxLength: 12 }).map((s) => new TextEncoder().encode(s)),
          fc
            .array(
              fc.constantFrom(
                0x41,
                0x80,
                0xbf,
                0xc0,
                0xc2,
                0xdf,
                0xe0,
                0xa0,
                0xed,
                0x9f,
                0xef,
                0xf0,
                0x90,
                0xf4,
                0x8f,
                0xf5,
                0xff,
              ),
              { maxLength: 12 },
            )
            .map((a) => Uint8Array.from(a)),
        ),
        fc.nat(),
        (bytes, cutSeed) => {
          const expected = oracleFirstInvalid(bytes);
          expect(findInvalidUtf8(bytes)).toBe(expected);
          const cut = cutSeed % (bytes.length + 1);
          const v = new Utf8Validator();
          const a = v.push(bytes.subarray(0, cut));
          const b = a === -1 ? v.push(bytes.subarray(cut)) : -1;
          const got = a !== -1 ? a : b !== -1 ? cut + b : v.complete ? -1 : bytes.length;
          expect(got).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  }, 30_000);

  it('utf8ByteLength matches TextEncoder, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 }),
        fc.string({ unit: 'binary' }),
        (units, s) => {
          const str = String.fromCharCode(...units) + s;
          expect(utf8ByteLength(str)).toBe(new TextEncoder().encode(str).length);
        },
      ),
    );
  });

  it('decodeUtf8 keeps a leading U+FEFF: a BOM is part of the message, not a header to strip', () => {
    expect(decodeUtf8(fromHex('efbbbf68656c6c6f'))).toBe('\uFEFFhello');
    expect(decodeUtf8(fromHex('efbbbfefbbbf'))).toBe('\uFEFF\uFEFF');
    expect(encodeUtf8(decodeUtf8(fromHex('efbbbf68656c6c6f'))).length).toBe(8);
  });

  it('decodeUtf8 then encodeUtf8 gives back every valid byte sequence unchanged', () => {
    fc.assert(
      fc.property(fc.constantFrom('', '\uFEFF', '\uFEFF\uFEFF'), fc.string({ unit: 'binary' }), (bom, s) => {
        const bytes = encodeUtf8(bom + s);
        expect(encodeUtf8(decodeUtf8(bytes))).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
