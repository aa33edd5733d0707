import { describe, expect, it } from 'vitest';
import { formatExtensions, parseExtensions } from './extensions.ts';

describe('Sec-WebSocket-Extensions (§9.1)', () => {
  it('parses names, bare params, token and quoted values', () => {
    expect(
      parseExtensions('permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-foo; a="b"'),
    ).toEqual([
      { name: 'permessage-deflate', params: { client_max_window_bits: true, server_max_window_bits: '10' } },
      { name: 'x-foo', params: { a: 'b' } },
    ]);
  });

  it('reads an absent or empty header as no offers', () => {
    expect(parseExtensions(undefined)).toEqual([]);
    expect(parseExtensions('  ')).toEqual([]);
  });

  it.each(['a;', 'a,,b', 'a; =1', 'a; b="c d"', 'a; b="x', '"a"', 'a b'])('refuses %j', (value) => {
    expect(parseExtensions(value)).toBeUndefined();
  });

  it('formats offers back to header text', () => {
    const text = 'permessage-deflate; client_max_window_bits; server_max_window_bits=10';
    expect(formatExtensions(parseExtensions(text)!)).toBe(text);
  });
});
