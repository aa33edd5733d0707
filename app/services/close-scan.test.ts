import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../protocol/frame.ts';
import type { Frame } from '../protocol/types.ts';
import { CloseScanner } from './close-scan.ts';

const frame = (opcode: number, length: number, masked = true): Uint8Array => {
  const f: Frame = {
    fin: true,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    opcode,
    payload: new Uint8Array(length).fill(8),
  };
  if (masked) f.maskKey = new Uint8Array([1, 2, 3, 4]);
  return encodeFrame(f);
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('CloseScanner', () => {
  it('finds where a close frame starts after frames of every length encoding', () => {
    for (const length of [0, 5, 125, 126, 300, 65535, 65536, 70000]) {
      const data = frame(2, length);
      const stream = concat(frame(1, 3), data, frame(9, 4), frame(8, 2), frame(1, 1));
      expect(new CloseScanner().findClose(stream)).toBe(
        frame(1, 3).length + data.length + frame(9, 4).length,
      );
    }
  });

  it('finds it at every split of the stream into two chunks, reporting 0 when it began earlier', () => {
    const before = concat(frame(1, 10), frame(2, 200));
    const stream = concat(before, frame(8, 2));
    for (let cut = 0; cut <= stream.length; cut++) {
      const s = new CloseScanner();
      const first = s.findClose(stream.subarray(0, cut));
      if (cut > before.length) {
        expect(first).toBe(before.length);
        continue;
      }
      expect(first).toBe(-1);
      const second = s.findClose(stream.subarray(cut));
      expect(second).toBe(before.length - cut > 0 ? before.length - cut : 0);
    }
  });

  it('finds one close only, and stops on a length no engine accepts', () => {
    const s = new CloseScanner();
    expect(s.findClose(concat(frame(8, 0), frame(8, 0)))).toBe(0);
    expect(s.findClose(frame(8, 0))).toBe(-1);
    const huge = new Uint8Array([0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]);
    const t = new CloseScanner();
    expect(t.findClose(concat(huge, frame(8, 0)))).toBe(-1);
  });
});
