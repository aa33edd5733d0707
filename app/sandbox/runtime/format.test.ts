import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { formatArgs } from './format.ts';

describe('formatArgs (the sandbox console)', () => {
  it('prints strings bare at the top level and quoted inside structures', () => {
    expect(formatArgs(['hello', 42, true, null, undefined])).toBe('hello 42 true null undefined');
    expect(formatArgs([{ a: 'x', b: [1, 'y'] }])).toBe("{ a: 'x', b: [ 1, 'y' ] }");
  });

  it('applies printf-style substitutions', () => {
    expect(formatArgs(['%s has %d bytes (%i%%)', 'frame', 12.5, 99.9])).toBe('frame has 12.5 bytes (99%)');
    expect(formatArgs(['%o', { a: 1 }, 'rest'])).toBe('{ a: 1 } rest');
    expect(formatArgs(['%c styled', 'color: red'])).toBe(' styled');
  });

  it('shows binary data with its type and bytes', () => {
    expect(formatArgs([new Uint8Array([1, 2, 255])])).toBe('Uint8Array(3) [ 1, 2, 255 ]');
    expect(formatArgs([new Uint8Array([104, 105]).buffer])).toBe('ArrayBuffer { byteLength: 2 } <68 69>');
    class Buffer extends Uint8Array {}
    expect(formatArgs([new Buffer([104, 105])])).toBe('<Buffer 68 69>');
    expect(formatArgs([new Uint8Array(40).buffer])).toContain('… 8 more');
  });

  it('shows blobs and events by their useful fields', () => {
    expect(formatArgs([new Blob(['abc'], { type: 'text/plain' })])).toBe(
      "Blob { size: 3, type: 'text/plain' }",
    );
    expect(formatArgs([new MessageEvent('message', { data: 'hi' })])).toBe(
      "MessageEvent { type: 'message', data: 'hi' }",
    );
  });

  it('prints errors with their stack at the top level', () => {
    const e = new TypeError('nope');
    expect(formatArgs([e])).toContain('TypeError: nope');
    expect(formatArgs([{ e }])).toBe('{ e: [TypeError: nope] }');
  });

  it('survives cycles, deep nesting, huge arrays and long text', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(formatArgs([a])).toBe("{ name: 'a', self: [Circular] }");
    expect(formatArgs([{ l1: { l2: { l3: { l4: 1 } } } }])).toBe('{ l1: { l2: { l3: [Object] } } }');
    expect(formatArgs([Array.from({ length: 60 }, (_, i) => i)])).toContain('… 10 more items');
    expect(formatArgs(['x'.repeat(50)], 20)).toBe(`${'x'.repeat(20)}… (30 more characters)`);
  });

  it('shows maps, sets, functions, classes and symbols', () => {
    expect(formatArgs([new Map([['k', 1]]), new Set([2])])).toBe("Map(1) { 'k' => 1 } Set(1) { 2 }");
    expect(formatArgs([function named() {}, class Thing {}, Symbol('s'), 10n])).toBe(
      '[Function: named] [class Thing] Symbol(s) 10n',
    );
  });

  it('is self-contained: its source runs alone, as the sandbox injects it', () => {
    const fn = runInNewContext(`(${formatArgs.toString()})`, {
      ArrayBuffer,
      Uint8Array,
      DataView,
      Array,
      Object,
      String,
      Number,
      Math,
      Promise,
      Date,
      RegExp,
      Map,
      Set,
      Error,
      Symbol,
      Function,
      JSON,
      globalThis: {},
    }) as typeof formatArgs;
    expect(fn(['%s=%d', 'n', 3, { ok: true }])).toBe('n=3 { ok: true }');
  });
});
