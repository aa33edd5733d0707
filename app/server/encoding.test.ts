/** Accept-Encoding negotiation (RFC 9110 12.5.3) and If-None-Match matching (13.1.2). */
import { describe, expect, it } from 'vitest';
import { chooseEncoding, etagMatches, parseAcceptEncoding } from './encoding.ts';

const BOTH = ['br', 'gzip'] as const;

describe('chooseEncoding', () => {
  it("prefers br when the client accepts it as much as gzip (Chromium's header)", () => {
    expect(chooseEncoding('gzip, deflate, br, zstd', BOTH)).toBe('br');
  });

  it('sends gzip to a client that does not accept br', () => {
    expect(chooseEncoding('gzip, deflate', BOTH)).toBe('gzip');
  });

  it('honours q-values over the server preference', () => {
    expect(chooseEncoding('br;q=0.5, gzip;q=1', BOTH)).toBe('gzip');
    expect(chooseEncoding('br;q=0.9, gzip;q=0.8', BOTH)).toBe('br');
    expect(chooseEncoding('gzip;q=0.5, identity', BOTH)).toBe('identity');
  });

  it('never picks a coding with q=0', () => {
    expect(chooseEncoding('br;q=0, gzip', BOTH)).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0', BOTH)).toBe('identity');
  });

  it('applies * to the codings the header does not name', () => {
    expect(chooseEncoding('*', BOTH)).toBe('br');
    expect(chooseEncoding('gzip;q=1, *;q=0.5', BOTH)).toBe('gzip');
    expect(chooseEncoding('br;q=0, *', BOTH)).toBe('gzip');
  });

  it('sends identity with no header, an empty one, or nothing acceptable available', () => {
    expect(chooseEncoding(undefined, BOTH)).toBe('identity');
    expect(chooseEncoding('', BOTH)).toBe('identity');
    expect(chooseEncoding('identity', BOTH)).toBe('identity');
    expect(chooseEncoding('deflate, zstd', BOTH)).toBe('identity');
    // 12.5.3 allows identity even when the client excluded it and nothing else fits.
    expect(chooseEncoding('identity;q=0, zstd', BOTH)).toBe('identity');
  });

  it('only offers codings whose file exists', () => {
    expect(chooseEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(chooseEncoding('br', ['gzip'])).toBe('identity');
    expect(chooseEncoding('br, gzip', [])).toBe('identity');
  });

  it('reads names case-insensitively, x-gzip as gzip, and skips malformed members', () => {
    expect(chooseEncoding('GZIP', BOTH)).toBe('gzip');
    expect(chooseEncoding('x-gzip', BOTH)).toBe('gzip');
    expect(chooseEncoding('br;q=2, gzip', BOTH)).toBe('gzip');
    expect(chooseEncoding('br;q=abc, gzip;q=0.1', BOTH)).toBe('gzip');
    expect(chooseEncoding(' , ;q=1,,br ; q=0.3', BOTH)).toBe('br');
  });
});

describe('parseAcceptEncoding', () => {
  it('keeps each coding with its weight, at most three decimals', () => {
    expect([...parseAcceptEncoding('br;q=0.125, gzip;q=1.000, zstd;q=0.1234')]).toEqual([
      ['br', 0.125],
      ['gzip', 1],
    ]);
  });
});

describe('etagMatches', () => {
  const tag = '"abc"';
  it('matches the same tag, a weak form of it, a list containing it, or *', () => {
    expect(etagMatches('"abc"', tag)).toBe(true);
    expect(etagMatches('W/"abc"', tag)).toBe(true);
    expect(etagMatches('"x", "abc"', tag)).toBe(true);
    expect(etagMatches('*', tag)).toBe(true);
  });

  it('does not match another tag, another coding of the file, or no header', () => {
    expect(etagMatches('"abd"', tag)).toBe(false);
    expect(etagMatches('"abc-br"', tag)).toBe(false);
    expect(etagMatches(undefined, tag)).toBe(false);
    expect(etagMatches('', tag)).toBe(false);
  });
});
