import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageAssembler } from './message.ts';
import { frame, text } from './test-helpers.ts';
import { findInvalidUtf8, Utf8Validator } from './utf8.ts';

/** Bytes that are mostly UTF-8 pieces (so both valid text and near misses come up), some raw. */
const utf8ish = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => Array.from(text(s))),
      fc.constantFrom(
        [0xc0, 0x80],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xe2, 0x82],
        [0xef, 0xbb, 0xbf],
      ),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 2 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

/** Splits `bytes` at the given cut points into fragments (empty ones included). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

describe('MessageAssembler (§5.4)', () => {
  it('passes a single-frame message through without copying', () => {
    const a = new MessageAssembler();
    const f = frame(0x2, Uint8Array.of(1, 2));
    const r = a.push(f);
    expect(r.kind === 'message' && r.data).toBe(f.payload);
  });

  it('joins fragments and lets control frames in between', () => {
    const a = new MessageAssembler();
    expect(a.push(frame(0x1, 'Hel', { fin: false }))).toEqual({ kind: 'partial', opcode: 0x1, received: 3 });
    expect(a.inProgress).toBe(true);
    expect(a.push(frame(0x9, 'ping'))).toEqual({ kind: 'control' });
    expect(a.push(frame(0x0, 'l', { fin: false }))).toMatchObject({ kind: 'partial', received: 4 });
    expect(a.push(frame(0x0, 'o'))).toMatchObject({ kind: 'message', opcode: 0x1, data: 'Hello' });
    expect(a.inProgress).toBe(false);
  });

  it('fails with 1002 on a continuation frame when no message is in progress', () => {
    const r = new MessageAssembler().push(frame(0x0, 'x'));
    expect(r.kind === 'error' && [r.error.code, r.error.closeCode]).toEqual([
      'UNEXPECTED_CONTINUATION',
      1002,
    ]);
  });

  it('fails with 1002 when a new message starts before the fragmented one ends', () => {
    const a = new MessageAssembler();
    a.push(frame(0x2, 'x', { fin: false }));
    const r = a.push(frame(0x1, 'y'));
    expect(r.kind === 'error' && [r.error.code, r.error.closeCode]).toEqual(['EXPECTED_CONTINUATION', 1002]);
  });

  it('fails with 1007 on the fragment holding the first invalid byte, not at the end', () => {
    const a = new MessageAssembler();
    expect(a.push(frame(0x1, 'ok', { fin: false })).kind).toBe('partial');
    const r = a.push(frame(0x0, Uint8Array.of(0xff), { fin: false }));
    expect(r.kind === 'error' && [r.error.code, r.error.closeCode]).toEqual(['INVALID_UTF8', 1007]);
    expect(r.kind === 'error' && r.error.message).toMatch(/byte 2 of the message/);
  });

  it('validates a character split across fragments', () => {
    const a = new MessageAssembler();
    const smile = text('😀');
    a.push(frame(0x1, smile.subarray(0, 1), { fin: false }));
    a.push(frame(0x0, smile.subarray(1, 3), { fin: false }));
    expect(a.push(frame(0x0, smile.subarray(3)))).toMatchObject({ kind: 'message', data: '😀' });
  });

  it('fails with 1007 when the text ends inside a character', () => {
    const r = new MessageAssembler().push(frame(0x1, text('😀').subarray(0, 3)));
    expect(r.kind === 'error' && r.error.code).toBe('INVALID_UTF8');
  });

  it('does not validate binary messages as UTF-8', () => {
    expect(new MessageAssembler().push(frame(0x2, Uint8Array.of(0xff))).kind).toBe('message');
  });

  it('fails with 1009 from the header when the fragments add up to more than the limit', () => {
    const a = new MessageAssembler({ maxMessageSize: 5 });
    a.push(frame(0x2, new Uint8Array(3), { fin: false }));
    expect(a.check({ fin: true, opcode: 0x0, payloadLength: 2 })).toBeUndefined();
    expect(a.check({ fin: true, opcode: 0x0, payloadLength: 3 })?.closeCode).toBe(1009);
    // a control frame does not count toward the message
    expect(a.check({ fin: true, opcode: 0x9, payloadLength: 100 })).toBeUndefined();
  });

  it('starts fresh after a message and after an error', () => {
    const a = new MessageAssembler();
    a.push(frame(0x1, 'a', { fin: false }));
    a.push(frame(0x2, 'b')); // error
    expect(a.push(frame(0x1, 'c'))).toMatchObject({ kind: 'message', data: 'c' });
  });

  describe('streamPayload (§8.1 within a frame, before it is complete)', () => {
    const h = (opcode: number, headerLength = 2) => ({ opcode, headerLength });

    it('fails with 1007 at the bad byte, its byteOffset the offset in the frame', () => {
      const a = new MessageAssembler();
      expect(a.streamPayload(h(0x1, 8), text('hello'), 0)).toBeUndefined();
      const e = a.streamPayload(h(0x1, 8), Uint8Array.of(0x61, 0xc0, 0x80), 5);
      expect([e?.code, e?.closeCode, e?.byteOffset]).toEqual(['INVALID_UTF8', 1007, 8 + 6]);
      expect(e?.message).toMatch(/byte 6 of the message/);
    });

    it('push then validates only the bytes not streamed, continuing the open character', () => {
      const a = new MessageAssembler();
      const euro = text('a€b'); // 61 e2 82 ac 62
      expect(a.streamPayload(h(0x1), euro.subarray(0, 2), 0)).toBeUndefined();
      expect(a.push(frame(0x1, euro))).toMatchObject({ kind: 'message', data: 'a€b' });
      // Proof that the streamed prefix is not validated twice: the validator is mid-character
      // after e2, so re-reading 61 e2 from the start would fail.
      const b = new MessageAssembler();
      b.streamPayload(h(0x1), Uint8Array.of(0x61, 0xe2), 0);
      expect(b.push(frame(0x1, Uint8Array.of(0x61, 0xe2, 0x82, 0xac)))).toMatchObject({
        kind: 'message',
        data: 'a€',
      });
    });

    it('carries the validator across fragments: a continuation frame continues the character', () => {
      const a = new MessageAssembler();
      expect(a.push(frame(0x1, Uint8Array.of(0x61, 0xf0), { fin: false })).kind).toBe('partial');
      expect(a.isText({ opcode: 0x0 })).toBe(true);
      expect(a.streamPayload(h(0x0), Uint8Array.of(0x9f), 0)).toBeUndefined();
      const e = a.streamPayload(h(0x0), Uint8Array.of(0x41), 1); // 'A' where 10xxxxxx belongs
      expect([e?.code, e?.byteOffset]).toEqual(['INVALID_UTF8', 2 + 1]);
      expect(e?.message).toMatch(/byte 3 of the message/);
    });

    it('ignores binary frames and binary continuations', () => {
      const a = new MessageAssembler();
      expect(a.isText({ opcode: 0x2 })).toBe(false);
      expect(a.streamPayload(h(0x2), Uint8Array.of(0xff), 0)).toBeUndefined();
      expect(a.push(frame(0x2, Uint8Array.of(0xff, 0xfe), { fin: false })).kind).toBe('partial');
      expect(a.isText({ opcode: 0x0 })).toBe(false);
      expect(a.streamPayload(h(0x0), Uint8Array.of(0xff), 0)).toBeUndefined();
      expect(a.push(frame(0x0, Uint8Array.of(0xff)))).toMatchObject({ kind: 'message', opcode: 0x2 });
    });

    it('push reports the byteOffset of the bad byte in its frame (unmasked and masked headers)', () => {
      const r = new MessageAssembler().push(frame(0x1, Uint8Array.of(0x61, 0x62, 0xff)));
      expect(r.kind === 'error' && r.error.byteOffset).toBe(2 + 2);
      const payload = new Uint8Array(200).fill(0x61);
      payload[150] = 0x80;
      const m = new MessageAssembler().push(frame(0x1, payload, { maskKey: Uint8Array.of(1, 2, 3, 4) }));
      expect(m.kind === 'error' && m.error.byteOffset).toBe(8 + 150);
    });
  });

  describe('8.1 with the native decoder: the same verdict as Utf8Validator alone', () => {
    it('gives the same text or fails on the same fragment at the same byte, for any fragmentation', () => {
      fc.assert(
        fc.property(utf8ish, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
          const fragments = split(bytes, cuts);
          const bad = findInvalidUtf8(bytes); // -1, the bad byte, or bytes.length (ends inside a character)
          const a = new MessageAssembler();
          let at = 0;
          for (let i = 0; i < fragments.length; i++) {
            const f = fragments[i]!;
            const last = i === fragments.length - 1;
            const r = a.push(frame(i === 0 ? 0x1 : 0x0, f, { fin: last }));
            // The fragment holding the first bad byte fails (an empty last one for a truncation).
            const failsHere = bad !== -1 && (bad < at + f.length || (last && bad === bytes.length));
            if (!failsHere) {
              expect(r.kind).toBe(last ? 'message' : 'partial');
              if (r.kind === 'message')
                expect(r.data).toBe(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
              at += f.length;
              continue;
            }
            expect(r.kind === 'error' && r.error.code).toBe('INVALID_UTF8');
            if (r.kind === 'error' && bad < bytes.length) {
              expect(r.error.byteOffset).toBe(2 + bad - at);
              const v = new Utf8Validator();
              v.push(bytes);
              expect(r.error.message).toContain(`${v.problem} at byte ${bad} of the message`);
            }
            return;
          }
          expect(bad).toBe(-1);
        }),
        { numRuns: 2000 },
      );
    });

    it('keeps a leading U+FEFF (BOM) in the text, in one frame and split across two', () => {
      const bom = text('\uFEFFhi');
      expect(new MessageAssembler().push(frame(0x1, bom))).toMatchObject({ data: '\uFEFFhi' });
      const a = new MessageAssembler();
      a.push(frame(0x1, bom.subarray(0, 2), { fin: false }));
      expect(a.push(frame(0x0, bom.subarray(2)))).toMatchObject({ data: '\uFEFFhi' });
    });

    it('hands the message to the validator when a later fragment streams, mid-character included', () => {
      const h = (opcode: number) => ({ opcode, headerLength: 2 });
      const euro = text('a€b€'); // 61 e2 82 ac 62 e2 82 ac
      const a = new MessageAssembler();
      expect(a.push(frame(0x1, euro.subarray(0, 2), { fin: false })).kind).toBe('partial'); // 61 e2
      // The next fragment spans reads: its first bytes are streamed, continuing the open e2.
      expect(a.streamPayload(h(0x0), euro.subarray(2, 4), 0)).toBeUndefined(); // 82 ac
      expect(a.push(frame(0x0, euro.subarray(2)))).toMatchObject({ kind: 'message', data: 'a€b€' });
      // The same, with a bad byte in the streamed part: found, at its offset in the frame.
      const b = new MessageAssembler();
      b.push(frame(0x1, euro.subarray(0, 2), { fin: false }));
      const e = b.streamPayload(h(0x0), Uint8Array.of(0x82, 0x41), 0); // 'A' where 10xxxxxx belongs
      expect([e?.code, e?.byteOffset]).toEqual(['INVALID_UTF8', 2 + 1]);
      expect(e?.message).toMatch(/byte 3 of the message/);
    });

    it('starts the next message afresh after a refused one', () => {
      const a = new MessageAssembler();
      a.push(frame(0x1, Uint8Array.of(0x61, 0xe2), { fin: false }));
      expect(a.push(frame(0x0, Uint8Array.of(0xff))).kind).toBe('error');
      expect(a.push(frame(0x1, 'ok'))).toMatchObject({ kind: 'message', data: 'ok' });
    });
  });
});
