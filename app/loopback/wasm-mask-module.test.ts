import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeBody, MASK_BODY, MASK_LOCALS, maskModuleBytes, type Instruction } from './wasm-mask-module.ts';

/** The function body of wasm-mask.wat: its instruction lines, comments dropped, split into words. */
function watBody(): Instruction[] {
  const text = readFileSync(new URL('./wasm-mask.wat', import.meta.url), 'utf8');
  const lines = text
    .split('\n')
    .map((line) => line.replace(/;;.*$/, '').trim())
    .filter((line) => line !== '');
  const first = lines.findIndex((line) => line.startsWith('(local '));
  const last = lines.lastIndexOf(')', lines.length - 2); // the func's ")", before the module's
  return lines.slice(first + 1, last).map((line) => line.split(/\s+/) as unknown as Instruction);
}

describe('the mask module (wasm-mask.wat, built from named opcodes)', () => {
  it('builds exactly the instructions the .wat lists, in its order', () => {
    const body = watBody();
    expect(body.length).toBe(92); // every instruction line, not a slice of them
    expect(MASK_BODY).toEqual(body);
  });

  it("declares the .wat's parameters and locals", () => {
    const text = readFileSync(new URL('./wasm-mask.wat', import.meta.url), 'utf8');
    const declared = [...text.matchAll(/\((?:param|local) (\$\w+) (i32|v128)\)/g)].map((m) => [m[1], m[2]]);
    expect(MASK_LOCALS).toEqual(declared);
  });

  it('is a valid WebAssembly module exporting its memory and mask(len, key)', async () => {
    const bytes = maskModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const module = await WebAssembly.compile(bytes);
    expect(WebAssembly.Module.exports(module)).toEqual([
      { name: 'memory', kind: 'memory' },
      { name: 'mask', kind: 'function' },
    ]);
  });

  it('XORs memory[0 .. len) with the key repeating (§5.3), whole blocks and the tail', async () => {
    const { instance } = await WebAssembly.instantiate(maskModuleBytes());
    const memory = instance.exports.memory as WebAssembly.Memory;
    const mask = instance.exports.mask as (len: number, key: number) => void;
    const heap = new Uint8Array(memory.buffer);
    for (let i = 0; i < 200; i++) heap[i] = i;
    mask(64 + 16 + 7, 0x3d21fa37); // key 37 fa 21 3d, key[0] in the low byte
    const key = [0x37, 0xfa, 0x21, 0x3d];
    for (let i = 0; i < 87; i++) expect(heap[i], `byte ${i}`).toBe(i ^ key[i % 4]!);
    for (let i = 87; i < 200; i++) expect(heap[i], `byte ${i} is past len`).toBe(i);
  });

  it('encodes branch depths, signed constants and memory arguments', () => {
    const locals = [['$p', 'i32']] as const;
    expect(
      encodeBody(
        [
          ['block', '$out'],
          ['loop', '$in'],
          ['br_if', '$out'],
          ['br', '$in'],
          ['end'],
          ['end'],
          ['i32.const', '-64'],
          ['i32.const', '200'],
          ['local.get', '$p'],
          ['v128.load', 'offset=48', 'align=16'],
        ],
        locals,
      ),
    ).toEqual([
      0x02, 0x40, 0x03, 0x40, 0x0d, 1, 0x0c, 0, 0x0b, 0x0b, 0x41, 0x40, 0x41, 0xc8, 0x01, 0x20, 0, 0xfd, 0x00,
      4, 48, 0x0b,
    ]);
  });

  it('refuses an unknown instruction, local or label', () => {
    expect(() => encodeBody([['i64.add']], MASK_LOCALS)).toThrow('unknown instruction i64.add');
    expect(() => encodeBody([['local.get', '$nope']], MASK_LOCALS)).toThrow('unknown local $nope');
    expect(() => encodeBody([['br', '$nowhere']], MASK_LOCALS)).toThrow('unknown label $nowhere');
  });
});
