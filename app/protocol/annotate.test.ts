import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotateFrame, unmaskSteps } from './annotate.ts';
import { encodeFrame } from './frame.ts';
import { digest, frame, fromHex, text } from './test-helpers.ts';
import type { FrameField } from './types.ts';

/**
 * True when the fields tile the `length` bytes: sorted by first bit, each starts where the
 * previous ended, from bit 0 to the last bit: every bit covered exactly once.
 */
function tiles(fields: FrameField[], length: number): boolean {
  const spans = fields
    .map((f) => {
      expect(f.bitOffset).toBeGreaterThanOrEqual(0);
      expect(f.bitOffset).toBeLessThan(8);
      expect(f.bitLength).toBeGreaterThan(0);
      const start = f.byteOffset * 8 + f.bitOffset;
      return [start, start + f.bitLength] as const;
    })
    .sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [start, end] of spans) {
    if (start !== at) return false;
    at = end;
  }
  return at === length * 8;
}

const ids = (fields: FrameField[]) => fields.map((f) => f.id);

describe('annotateFrame', () => {
  it('explains the RFC masked "Hello" field by field', () => {
    const a = annotateFrame(fromHex('818537fa213d7f9f4d5158'));
    expect(a.complete).toBe(true);
    expect(a.error).toBeUndefined();
    expect(ids(a.fields)).toEqual([
      'fin',
      'rsv1',
      'rsv2',
      'rsv3',
      'opcode',
      'mask',
      'len7',
      'maskKey',
      'payload',
    ]);
    expect(a.fields.find((f) => f.id === 'opcode')).toMatchObject({
      byteOffset: 0,
      bitOffset: 4,
      bitLength: 4,
      value: 1,
    });
    expect(a.fields.find((f) => f.id === 'len7')).toMatchObject({
      value: 5,
      meaning: 'the payload is 5 bytes',
    });
    expect(a.fields.find((f) => f.id === 'maskKey')).toMatchObject({
      byteOffset: 2,
      bitLength: 32,
      value: '37 fa 21 3d',
    });
    expect(a.fields.find((f) => f.id === 'payload')?.value).toBe('"Hello"');
    expect(new TextDecoder().decode(a.frame?.payload)).toBe('Hello');
  });

  it('shows the 16- and 64-bit extended lengths', () => {
    const a = annotateFrame(encodeFrame(frame(0x2, new Uint8Array(256))));
    expect(a.fields.find((f) => f.id === 'len16')).toMatchObject({
      byteOffset: 2,
      bitLength: 16,
      value: 256,
    });
    const b = annotateFrame(encodeFrame(frame(0x2, new Uint8Array(65536))));
    expect(b.fields.find((f) => f.id === 'len64')).toMatchObject({
      byteOffset: 2,
      bitLength: 64,
      value: '65536',
    });
  });

  it('splits a close payload into code (with its name) and reason', () => {
    const a = annotateFrame(
      encodeFrame(frame(0x8, Uint8Array.of(0x03, 0xe8, ...text('bye')), { maskKey: fromHex('01020304') })),
    );
    expect(ids(a.fields).slice(-2)).toEqual(['closeCode', 'closeReason']);
    expect(a.fields.find((f) => f.id === 'closeCode')).toMatchObject({ value: 1000, bitLength: 16 });
    expect(a.fields.find((f) => f.id === 'closeCode')?.meaning).toMatch(/^1000 Normal Closure/);
    expect(a.fields.find((f) => f.id === 'closeReason')?.value).toBe('"bye"');
  });

  it('says RSV1 means permessage-deflate (RFC 7692 §6)', () => {
    const f = annotateFrame(fromHex('c100')).fields.find((x) => x.id === 'rsv1');
    expect(f?.meaning).toMatch(/permessage-deflate/);
    expect(f?.rfc).toBe('RFC 7692 §6');
  });

  it('annotates partial input and says it is incomplete', () => {
    const a = annotateFrame(fromHex('827f0000'));
    expect(a.complete).toBe(false);
    expect(a.frame).toBeUndefined();
    expect(a.fields.at(-1)).toMatchObject({
      id: 'len64',
      bitLength: 16,
      meaning: 'incomplete: 2 of 8 bytes',
    });
    const b = annotateFrame(fromHex('8105486565'));
    expect(b.fields.at(-1)?.meaning).toMatch(/^incomplete: 3 of 5 bytes/);
  });

  it.each([
    ['a reserved opcode', '8300', 'INVALID_OPCODE', 'opcode'],
    ['RSV2', 'a100', 'RESERVED_BITS', 'rsv2'],
    ['a fragmented ping', '0900', 'FRAGMENTED_CONTROL_FRAME', 'fin'],
    ['a long ping', '897e', 'CONTROL_FRAME_TOO_LONG', 'len7'],
    ['a non-minimal length', '817e0005', 'NON_MINIMAL_LENGTH', 'len16'],
    ['a 1-byte close', '880103', 'INVALID_CLOSE_PAYLOAD', 'payload'],
    ['close code 1005', '880203ed', 'INVALID_CLOSE_CODE', 'closeCode'],
    ['a bad close reason', '880303e8ff', 'INVALID_CLOSE_REASON', 'closeReason'],
    ['invalid UTF-8 in text', '8103 61 c0 80', 'INVALID_UTF8', 'payload'],
  ])('marks the field that breaks the rule: %s', (_what, h, code, field) => {
    const a = annotateFrame(fromHex(h));
    expect(a.error?.code).toBe(code);
    expect(a.fields.filter((f) => f.problem !== undefined).map((f) => f.id)).toEqual([field]);
  });

  it('points at the exact invalid byte of text', () => {
    expect(annotateFrame(fromHex('8103 61 c0 80')).error?.byteOffset).toBe(3);
  });

  it('checks masking when told who reads the frame', () => {
    expect(annotateFrame(fromHex('8100'), { role: 'server' }).error?.code).toBe('UNMASKED_CLIENT_FRAME');
    expect(annotateFrame(fromHex('8100'), { role: 'client' }).error).toBeUndefined();
  });

  it('accepts a non-final text fragment that stops mid-character', () => {
    expect(annotateFrame(fromHex('0101e2')).error).toBeUndefined();
    expect(annotateFrame(fromHex('8101e2')).error?.code).toBe('INVALID_UTF8');
  });

  it('the tiling check catches a gap and an overlap', () => {
    const base = { name: '', value: 0, meaning: '', rfc: '' };
    expect(tiles([{ ...base, id: 'a', byteOffset: 0, bitOffset: 0, bitLength: 7 }], 1)).toBe(false);
    expect(
      tiles(
        [
          { ...base, id: 'a', byteOffset: 0, bitOffset: 0, bitLength: 8 },
          { ...base, id: 'b', byteOffset: 0, bitOffset: 7, bitLength: 1 },
        ],
        1,
      ),
    ).toBe(false);
    expect(
      tiles(
        [
          { ...base, id: 'a', byteOffset: 0, bitOffset: 0, bitLength: 1 },
          { ...base, id: 'b', byteOffset: 0, bitOffset: 1, bitLength: 7 },
        ],
        1,
      ),
    ).toBe(true);
  });

  it('labels bytes after the frame as the next one', () => {
    const a = annotateFrame(fromHex('8100 8a00'));
    expect(a.fields.at(-1)).toMatchObject({ id: 'trailing', byteOffset: 2, bitLength: 16 });
  });

  it('covers every bit exactly once on thousands of random valid frames', () => {
    fc.assert(
      fc.property(
        fc.record({
          fin: fc.boolean(),
          rsv1: fc.boolean(),
          rsv2: fc.boolean(),
          rsv3: fc.boolean(),
          opcode: fc.integer({ min: 0, max: 15 }),
          masked: fc.boolean(),
          key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
          payload: fc.oneof(
            { arbitrary: fc.uint8Array({ maxLength: 130 }), weight: 8 },
            {
              arbitrary: fc.integer({ min: 126, max: 70000 }).map((n) => new Uint8Array(n).fill(n & 0xff)),
              weight: 1,
            },
          ),
          cutAt: fc.option(fc.nat(), { nil: undefined }),
          extra: fc.uint8Array({ maxLength: 4 }),
        }),
        ({ masked, key, cutAt, extra, ...f }) => {
          const full = encodeFrame(masked ? { ...f, maskKey: key } : f);
          let bytes = full.subarray(0, (cutAt ?? full.length) % (full.length + 1));
          if (cutAt === undefined) {
            bytes = new Uint8Array(full.length + extra.length);
            bytes.set(full);
            bytes.set(extra, full.length);
          }
          const a = annotateFrame(bytes);
          expect(tiles(a.fields, bytes.length)).toBe(true);
          expect(a.complete).toBe(cutAt === undefined || cutAt % (full.length + 1) === full.length);
          if (a.complete) {
            expect(digest(a.frame!.payload)).toBe(digest(f.payload));
            expect(a.frameLength).toBe(full.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  }, 30_000);

  it('covers every bit exactly once on random bytes, and only ever returns typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const a = annotateFrame(bytes);
        expect(tiles(a.fields, bytes.length)).toBe(true);
        if (a.error) expect(a.fields.filter((f) => f.problem !== undefined)).toHaveLength(1);
      }),
      { numRuns: 3000 },
    );
  }, 30_000);
});

describe('unmaskSteps', () => {
  it('gives the XOR table of the RFC masked "Hello"', () => {
    const rows = unmaskSteps(frame(0x1, 'Hello', { maskKey: fromHex('37fa213d') }));
    expect(rows[0]).toEqual({ index: 0, masked: 0x7f, keyByte: 0x37, plain: 0x48 });
    expect(rows[4]).toEqual({ index: 4, masked: 0x58, keyByte: 0x37, plain: 0x6f });
    expect(rows).toHaveLength(5);
    expect(unmaskSteps(frame(0x1, 'Hello', { maskKey: fromHex('37fa213d') }), 2)).toHaveLength(2);
    expect(unmaskSteps(frame(0x1, 'Hello'))).toEqual([]);
  });
});

describe('a compressed frame (RFC 7692)', () => {
  it('with RSV1 the payload is DEFLATE data: not checked as UTF-8, and said so', () => {
    // FIN + RSV1 + text, 6 bytes of "hello" deflated (with the tail removed): invalid as UTF-8.
    const bytes = Uint8Array.of(0xc1, 0x07, 0xca, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00);
    const a = annotateFrame(bytes, { role: 'client', allowRsv1: true });
    expect(a.error).toBeUndefined();
    expect(a.fields.find((f) => f.id === 'payload')?.meaning).toContain('DEFLATE data');
  });
});
