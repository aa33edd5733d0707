import { describe, expect, it } from 'vitest';
import { decodeVlq, lineMapFromSourceMap } from './sourcemap.ts';

describe('source maps', () => {
  it('decodes VLQ segments (the spec examples)', () => {
    expect(decodeVlq('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeVlq('AACA')).toEqual([0, 0, 1, 0]);
    expect(decodeVlq('D')).toEqual([-1]);
    expect(decodeVlq('gB')).toEqual([16]);
    expect(decodeVlq('2HwcqxB')).toEqual([123, 456, 789]);
    expect(() => decodeVlq('A!')).toThrow(SyntaxError);
  });

  it('maps generated lines to source lines, filling gaps from above', () => {
    // line 1 -> src 1; line 2 -> src 3 (a type declaration on 2 was erased); line 3 unmapped; line 4 -> src 5
    const mappings = ['AAAA', 'AAEA', '', 'AAEA'].join(';');
    expect(lineMapFromSourceMap(mappings)).toEqual([0, 1, 3, 3, 5]);
  });
});
