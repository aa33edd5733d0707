import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyMask, useMaskKernel, type MaskKernel } from '../protocol/mask.ts';
import { assertKernelMatchesLoops } from '../protocol/test-helpers.ts';
import { CHUNK, createWasmMask, WASM_MASK_MIN, type WasmPlatform } from './wasm-mask.ts';

let wasm: MaskKernel;

beforeAll(async () => {
  const kernel = await createWasmMask();
  if (kernel === undefined) throw new Error('Node 20 has WebAssembly SIMD: the kernel must load here');
  wasm = kernel;
});

afterEach(() => useMaskKernel(undefined));

/** §5.3 byte by byte: the rule itself. */
function reference(data: Uint8Array, key: Uint8Array, offset = 0): Uint8Array {
  return data.map((b, i) => b ^ key[(offset + i) & 3]!);
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('the WebAssembly SIMD mask kernel (§5.3)', () => {
  it('called directly, XORs source into output at any offset, for any length, key and alignment', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 700, size: 'max' }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat({ max: 15 }),
        fc.nat({ max: 15 }),
        fc.boolean(),
        (data, key, align, at, inPlace) => {
          const source = new Uint8Array(data.length + 16).subarray(align, align + data.length);
          source.set(data);
          const outer = inPlace ? source : new Uint8Array(data.length + 32);
          const outputOffset = inPlace ? 0 : at;
          wasm(source, key, outer, outputOffset, data.length);
          expect(same(outer.subarray(outputOffset, outputOffset + data.length), reference(data, key))).toBe(
            true,
          );
          if (!inPlace) {
            // nothing written around the output's range
            expect(outer.subarray(0, at).every((b) => b === 0)).toBe(true);
            expect(outer.subarray(at + data.length).every((b) => b === 0)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('masks only `length` bytes of a longer source', () => {
    const source = Uint8Array.from({ length: 1000 }, (_, i) => i);
    const output = new Uint8Array(1000);
    wasm(source, Uint8Array.of(1, 2, 3, 4), output, 0, 600);
    expect(same(output.subarray(0, 600), reference(source.subarray(0, 600), Uint8Array.of(1, 2, 3, 4)))).toBe(
      true,
    );
    expect(output.subarray(600).every((b) => b === 0)).toBe(true);
  });

  it('masks payloads longer than its memory in chunks, the key running on across them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: CHUNK - 3, max: 3 * CHUNK + 5 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat({ max: 3 }),
        (length, key, align) => {
          const data = new Uint8Array(length + 4).subarray(align, align + length);
          for (let i = 0; i < length; i++) data[i] = (i * 131) >>> 3;
          const expected = reference(data, key);
          wasm(data, key, data, 0, length);
          expect(same(data, expected)).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('installed in the engine, applyMask and copyMasked equal the TypeScript loops for any length, offset, range and alignment', () => {
    let calls = 0;
    const counted: MaskKernel = (...args) => {
      calls++;
      wasm(...args);
    };
    assertKernelMatchesLoops(counted, { maxLength: 4 * WASM_MASK_MIN, min: WASM_MASK_MIN, numRuns: 500 });
    expect(calls).toBeGreaterThan(0);
  });

  it('is used by the engine from WASM_MASK_MIN bytes, not below', () => {
    let calls = 0;
    useMaskKernel((...args) => {
      calls++;
      wasm(...args);
    }, WASM_MASK_MIN);
    const key = Uint8Array.of(9, 8, 7, 6);
    applyMask(new Uint8Array(WASM_MASK_MIN - 1), key);
    expect(calls).toBe(0);
    applyMask(new Uint8Array(WASM_MASK_MIN), key);
    expect(calls).toBe(1);
  });
});

describe('where the kernel cannot run, there is none (the TypeScript loops stay)', () => {
  const working: WasmPlatform = WebAssembly;

  it('no WebAssembly at all', async () => {
    expect(await createWasmMask({})).toBeUndefined();
  });

  it('WebAssembly without SIMD: the module does not validate', async () => {
    let instantiated = false;
    const noSimd: WasmPlatform = {
      validate: () => false,
      instantiate: (b) => {
        instantiated = true;
        return working.instantiate(b);
      },
    };
    expect(await createWasmMask({ WebAssembly: noSimd })).toBeUndefined();
    expect(instantiated).toBe(false);
  });

  it("compiling refused, as under a CSP without 'wasm-unsafe-eval'", async () => {
    const csp: WasmPlatform = {
      validate: (b) => working.validate(b),
      instantiate: () => Promise.reject(new WebAssembly.CompileError('Refused to compile: CSP')),
    };
    expect(await createWasmMask({ WebAssembly: csp })).toBeUndefined();
  });

  it('an instance without the expected exports', async () => {
    const empty: WasmPlatform = {
      validate: () => true,
      instantiate: () => working.instantiate(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)),
    };
    expect(await createWasmMask({ WebAssembly: empty })).toBeUndefined();
  });
});
