import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { installMemoryMeter } from './memory.ts';

const MiB = 1024 * 1024;

/** A fresh realm's Array (so the test's own Array is left alone), with the meter installed. */
function realm(limit: number): {
  run: (code: string) => unknown;
  meter: ReturnType<typeof installMemoryMeter>;
  overs: number[];
} {
  const context: Record<string, unknown> = {};
  runInNewContext('this.Array = Array;', context);
  const overs: number[] = [];
  const meter = installMemoryMeter(context as { Array: ArrayConstructor }, limit, (bytes) =>
    overs.push(bytes),
  );
  return { run: (code) => runInNewContext(code, context), meter, overs };
}

describe('installMemoryMeter', () => {
  it('is self-contained: its source runs with nothing from outside', () => {
    const fn = runInNewContext(`(${installMemoryMeter.toString()})`) as typeof installMemoryMeter;
    const meter = fn({ Array: runInNewContext('Array') as ArrayConstructor }, MiB, () => {});
    expect(meter.bytes).toBe(0);
  });

  it('counts 8 bytes per element of a big filled array, and nothing for small ones', () => {
    const r = realm(64 * MiB);
    r.run('globalThis.small = new Array(1000).fill(1.5)');
    expect(r.meter.bytes).toBe(0);
    r.run('globalThis.big = new Array(1 << 20).fill(1.5)');
    expect(r.meter.bytes).toBe(8 * MiB);
    r.run('big.fill(2.5)'); // the same array again: not counted twice
    expect(r.meter.bytes).toBe(8 * MiB);
  });

  it('stops issue 17\'s bomb with a RangeError "Out of memory" and tells the page once', () => {
    const r = realm(64 * MiB);
    const thrown = r.run(`
      const a = [];
      let error;
      try { for (let i = 0; i < 100; i++) a.push(new Array(1 << 20).fill(1.5)); } catch (e) { error = e; }
      try { new Array(1 << 20).fill(1); } catch {}
      ({ name: error && error.name, message: error && error.message, held: a.length });
    `) as { name: string; message: string; held: number };
    expect(thrown.name).toBe('RangeError');
    expect(thrown.message).toMatch(
      /^Out of memory: your code holds about 72 MiB in arrays, over the playground's 64 MiB/,
    );
    expect(thrown.held).toBe(8);
    expect(r.overs).toEqual([72 * MiB]);
  });

  it('follows an array grown by push at each doubling, and the arrays that map/from/concat make', () => {
    const r = realm(512 * MiB);
    r.run('globalThis.grown = []; for (let i = 0; i < (1 << 17); i++) grown.push(i);');
    expect(r.meter.bytes).toBe((1 << 17) * 8);
    r.run('globalThis.mapped = grown.map((x) => x * 2)');
    expect(r.meter.bytes).toBe((1 << 18) * 8);
    r.run('globalThis.made = Array.from({ length: 1 << 16 }, () => 0)');
    expect(r.meter.bytes).toBe((1 << 18) * 8 + (1 << 16) * 8);
    r.run('globalThis.joined = made.concat(made)');
    expect(r.meter.bytes).toBe((1 << 18) * 8 + (1 << 16) * 8 * 3);
  });

  it('keeps the methods working as before', () => {
    const r = realm(MiB);
    expect(r.run('[1, 2, 3].map((x) => x * 2).filter((x) => x > 2).concat([7]).slice(1)')).toEqual([6, 7]);
    expect(r.run('const x = [1]; [x.push(2, 3), x.unshift(0), x.splice(1, 1), x]')).toEqual([
      3,
      4,
      [1],
      [0, 2, 3],
    ]);
    expect(r.run('Array.from("ab").concat(Array.of(1))')).toEqual(['a', 'b', 1]);
    expect(r.run('[].push.length')).toBe(1);
  });
});
