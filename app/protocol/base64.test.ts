/// <reference types="node" />
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64.ts';

describe('base64', () => {
  it('encodes like Node for every length remainder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        const b64 = encodeBase64(data);
        expect(b64).toBe(Buffer.from(data).toString('base64'));
        expect(decodeBase64(b64)).toEqual(data);
      }),
    );
  });

  it('decodes the RFC 6455 sample key to 16 bytes', () => {
    expect(new TextDecoder().decode(decodeBase64('dGhlIHNhbXBsZSBub25jZQ=='))).toBe('the sample nonce');
  });

  it.each(['abc', 'ab=c', '====', 'a===', 'ab!d', 'dGhl\nIHNh', 'é123'])('refuses %j', (s) => {
    expect(decodeBase64(s)).toBeUndefined();
  });

  it('round-trips and agrees with Node for every length 0..300', () => {
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      const s = encodeBase64(b);
      expect(s).toBe(Buffer.from(b).toString('base64'));
      expect([...decodeBase64(s)!]).toEqual([...b]);
    }
  });
});
