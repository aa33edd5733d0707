/**
 * The node:zlib codec drives zlib's native handle synchronously (see zlib-codec.ts): these fail
 * if a Node version changes what that relies on.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zlibCodec } from './zlib-codec.ts';

const codec = zlibCodec();
const TAIL = [0x00, 0x00, 0xff, 0xff];

describe('zlib codec', () => {
  it('deflate ends with a sync flush and keeps its window: zlib inflates the stream of messages', () => {
    const c = codec({ deflateWindowBits: 15 });
    const a = c.deflate(Buffer.from('hello hello hello'));
    const b = c.deflate(Buffer.from('hello hello hello'));
    expect([...a.subarray(-4)]).toEqual(TAIL);
    expect([...b.subarray(-4)]).toEqual(TAIL);
    // The second copy refers back to the first (context takeover): much shorter.
    expect(b.length).toBeLessThan(a.length);
    const back = inflateRawSync(Buffer.concat([a, b]), { finishFlush: constants.Z_SYNC_FLUSH });
    expect(back.toString()).toBe('hello hello hellohello hello hello');
    c.resetDeflate();
    expect(c.deflate(Buffer.from('hello hello hello')).length).toBe(a.length);
    c.close();
  });

  it('inflate continues the stream, returns plain Uint8Arrays, and stops past the limit', () => {
    const c = codec({ deflateWindowBits: 15 });
    const z = deflateRawSync(Buffer.from('x'.repeat(100_000)), { finishFlush: constants.Z_SYNC_FLUSH });
    const out = c.inflate(z, 100_000)!;
    expect(out.length).toBe(100_000);
    expect(Buffer.isBuffer(out)).toBe(false);
    expect(codec({ deflateWindowBits: 15 }).inflate(z, 99_999)).toBeUndefined();
  });

  it('results share slabs but never bytes: earlier results are unchanged by later calls', () => {
    const c = codec({ deflateWindowBits: 15 });
    const d = codec({ deflateWindowBits: 15 });
    const kept: Array<{ out: Uint8Array; copy: Buffer; text: string }> = [];
    // Enough calls to fill several 64 KiB slabs, in sizes that leave odd room at each slab's end.
    for (let i = 0; i < 300; i++) {
      const text = `message ${i} `.repeat(1 + ((i * 37) % 400));
      const z = c.deflate(Buffer.from(text));
      const out = d.inflate(z, Infinity)!;
      kept.push({ out, copy: Buffer.from(out), text });
    }
    expect(new Set(kept.map((k) => k.out.buffer)).size).toBeGreaterThan(1);
    expect(new Set(kept.map((k) => k.out.buffer)).size).toBeLessThan(kept.length / 4);
    for (const k of kept) {
      expect(Buffer.from(k.out).equals(k.copy)).toBe(true);
      expect(Buffer.from(k.out).toString()).toBe(k.text);
    }
  });

  it('throws on data that is not DEFLATE', () => {
    expect(() => codec({ deflateWindowBits: 15 }).inflate(Uint8Array.of(0xff, 0xff, 0xff), 100)).toThrow(
      /invalid DEFLATE/,
    );
  });

  it('honours the window bits it was made with (9: back-references within 512 bytes)', () => {
    const c = codec({ deflateWindowBits: 9 });
    // A 200-byte pattern repeated: reachable within a 512-byte window (zlib reaches 512 - 262).
    const chunk = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 31) & 0xff));
    const out = c.deflate(Buffer.concat([chunk, chunk, chunk]));
    expect(out.length).toBeLessThan(400);
    expect(inflateRawSync(out, { windowBits: 9, finishFlush: constants.Z_SYNC_FLUSH }).length).toBe(600);
  });
});
