import { expect, test } from 'vitest';
import { encodeFrame, encodeUtf8 } from '../../app/ui/lib/engine.ts';
import { hex, targetFrom } from './target.ts';

const key = Uint8Array.of(0x01, 0x80, 0xff, 0x3c);
const masked = (text: string, fin = true) =>
  encodeFrame({
    fin,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    opcode: 0x1,
    maskKey: key,
    payload: encodeUtf8(text),
  });

test('the target keeps the key and the first 3 masked bytes, under a BINARY first-fragment header', () => {
  const t = targetFrom(masked('hello'))!;
  expect(hex(t.bytes)).toBe('02 83 01 80 ff 3c 69 e5 93');
  expect(new TextDecoder().decode(t.plain)).toBe('hel');
});

test('a source with the 16-bit length form gives the same 9-byte target', () => {
  const long = 'hel' + 'x'.repeat(200);
  expect(masked(long)[1]).toBe(0x80 | 126);
  expect(hex(targetFrom(masked(long))!.bytes)).toBe(hex(targetFrom(masked('hello'))!.bytes));
});

test('no target from an unmasked frame or from fewer than 3 payload bytes', () => {
  const unmasked = encodeFrame({
    fin: true,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    opcode: 0x1,
    payload: encodeUtf8('hello'),
  });
  expect(targetFrom(unmasked)).toBeUndefined();
  expect(targetFrom(masked('hi'))).toBeUndefined();
});
