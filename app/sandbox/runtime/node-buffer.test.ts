import { describe, expect, test } from 'vitest';
import { NodeBuffer } from './node-buffer.ts';

describe('Buffer (as Node)', () => {
  test('from text in utf8, hex and base64, and back', () => {
    const b = NodeBuffer.from('héllo');
    expect([...b]).toEqual([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
    expect(b.toString()).toBe('héllo');
    expect(b.toString('hex')).toBe('68c3a96c6c6f');
    expect(NodeBuffer.from('68c3a9', 'hex').toString()).toBe('hé');
    expect(NodeBuffer.from('aGk=', 'base64').toString()).toBe('hi');
    expect(NodeBuffer.from('hi').toString('base64')).toBe('aGk=');
    expect(NodeBuffer.from([0xe9]).toString('latin1')).toBe('é');
  });

  test('toString keeps a leading U+FEFF, as Node does', () => {
    expect(NodeBuffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]).toString()).toHaveLength(3);
  });

  test('from a view copies; from an ArrayBuffer shares it', () => {
    const source = new Uint8Array([1, 2, 3]);
    const copy = NodeBuffer.from(source);
    source[0] = 9;
    expect(copy[0]).toBe(1);
    const shared = NodeBuffer.from(source.buffer, 1, 2);
    source[1] = 7;
    expect([...shared]).toEqual([7, 3]);
    expect(() => NodeBuffer.from({} as never)).toThrow(TypeError);
  });

  test('concat, alloc, byteLength, isBuffer, equals, toJSON, and slices stay Buffers', () => {
    const all = NodeBuffer.concat([NodeBuffer.from([1, 2]), new Uint8Array([3])]);
    expect([...all]).toEqual([1, 2, 3]);
    expect([...NodeBuffer.concat([NodeBuffer.from([1, 2, 3])], 2)]).toEqual([1, 2]);
    expect([...NodeBuffer.alloc(2, 5)]).toEqual([5, 5]);
    expect(NodeBuffer.byteLength('é')).toBe(2);
    expect(NodeBuffer.isBuffer(all)).toBe(true);
    expect(NodeBuffer.isBuffer(new Uint8Array(1))).toBe(false);
    expect(all.equals(new Uint8Array([1, 2, 3]))).toBe(true);
    expect(JSON.stringify(NodeBuffer.from([1]))).toBe('{"type":"Buffer","data":[1]}');
    expect(NodeBuffer.isBuffer(all.subarray(1))).toBe(true);
    expect(NodeBuffer.name).toBe('Buffer');
  });
});
