import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrames, FrameDecoder, type DecoderState } from './decoder.ts';
import { ProtocolError } from './errors.ts';
import { encodeFrame } from './frame.ts';
import { useMaskKernel } from './mask.ts';
import { concatBytes, decodeChunks, digest, frame, fromHex, hex, plain } from './test-helpers.ts';
import type { Frame, Role } from './types.ts';

function firstError(hexText: string, role: Role, options: { maxPayload?: number; allowRsv1?: boolean } = {}) {
  const results = decodeChunks([fromHex(hexText)], role, options);
  const last = results.at(-1);
  if (last?.kind !== 'error') throw new Error(`expected an error, got ${last?.kind ?? 'need more'}`);
  return last.error;
}

describe('framing violations (§5.1, §5.2, §5.5) fail with the right code as soon as the header shows them', () => {
  it.each([
    ['fails with 1002 when RSV1 is set without an extension', 'c100', 'client', 'RESERVED_BITS', 0],
    ['fails with 1002 when RSV2 is set', 'a100', 'client', 'RESERVED_BITS', 0],
    ['fails with 1002 when RSV3 is set', '9100', 'client', 'RESERVED_BITS', 0],
    ['fails with 1002 on reserved data opcode 0x3', '8300', 'client', 'INVALID_OPCODE', 0],
    ['fails with 1002 on reserved control opcode 0xB', '8b00', 'client', 'INVALID_OPCODE', 0],
    ['fails with 1002 when a control frame is fragmented', '0900', 'client', 'FRAGMENTED_CONTROL_FRAME', 0],
    ['fails with 1002 when a client frame is not masked', '8100', 'server', 'UNMASKED_CLIENT_FRAME', 1],
    ['fails with 1002 when a server frame is masked', '818000000000', 'client', 'MASKED_SERVER_FRAME', 1],
    [
      'fails with 1002 when a control frame is longer than 125 bytes',
      '897e',
      'client',
      'CONTROL_FRAME_TOO_LONG',
      1,
    ],
    [
      'fails with 1002 when a 16-bit length encodes less than 126',
      '817e007d',
      'client',
      'NON_MINIMAL_LENGTH',
      2,
    ],
    [
      'fails with 1002 when a 64-bit length encodes less than 65536',
      '817f000000000000ffff',
      'client',
      'NON_MINIMAL_LENGTH',
      2,
    ],
    [
      'fails with 1002 when the 64-bit length has its most significant bit set',
      '817f8000000000000000',
      'client',
      'LENGTH_TOO_LARGE',
      2,
    ],
    [
      'fails with 1009 when the 64-bit length is beyond 2^53 - 1',
      '817f0020000000000000',
      'client',
      'MESSAGE_TOO_BIG',
      2,
    ],
  ] as const)('%s', (_name, bytes, role, code, byteOffset) => {
    const error = firstError(bytes, role);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.code).toBe(code);
    expect(error.closeCode).toBe(code === 'MESSAGE_TOO_BIG' ? 1009 : 1002);
    expect(error.byteOffset).toBe(byteOffset);
  });

  it('accepts RSV1 on a first data frame when permessage-deflate was negotiated, never on control or continuation frames', () => {
    expect(decodeChunks([fromHex('c100')], 'client', { allowRsv1: true })[0]?.kind).toBe('frame');
    expect(firstError('c900', 'client', { allowRsv1: true }).code).toBe('RESERVED_BITS');
    expect(firstError('4000', 'client', { allowRsv1: true }).code).toBe('RESERVED_BITS');
  });

  it('accepts the 125-byte control frame maximum', () => {
    const bytes = encodeFrame(frame(0x9, new Uint8Array(125)));
    expect(decodeChunks([bytes], 'client')[0]?.kind).toBe('frame');
  });

  it('fails with 1009 from the header alone when a frame exceeds maxPayload, before its payload arrives', () => {
    const d = new FrameDecoder({ role: 'client', maxPayload: 1000 });
    d.push(fromHex('827e03e9')); // 1001 bytes announced, none sent
    const r = d.next();
    expect(r.kind === 'error' && r.error.code).toBe('MESSAGE_TOO_BIG');
    expect(r.kind === 'error' && r.error.closeCode).toBe(1009);
    expect(
      decodeChunks([fromHex('827e03e8'), new Uint8Array(1000)], 'client', { maxPayload: 1000 })[0]?.kind,
    ).toBe('frame');
  });

  it('stays failed: later calls return the same error and ignore new bytes', () => {
    const d = new FrameDecoder({ role: 'client' });
    d.push(fromHex('8300'));
    const a = d.next();
    d.push(fromHex('810161'));
    const b = d.next();
    expect(a.kind).toBe('error');
    expect(b).toEqual(a);
    expect(d.state).toBe('FAILED');
  });

  it('lets onHeader veto a frame before the payload is buffered', () => {
    const d = new FrameDecoder({
      role: 'client',
      onHeader: (h) =>
        h.opcode === 0x2 ? new ProtocolError('MESSAGE_TOO_BIG', 'no binary here') : undefined,
    });
    d.push(fromHex('827e1000'));
    const r = d.next();
    expect(r.kind === 'error' && r.error.code).toBe('MESSAGE_TOO_BIG');
  });
});

describe('streaming', () => {
  it('names the state it waits in, and "need more" consumes nothing', () => {
    const bytes = encodeFrame(frame(0x2, new Uint8Array(300), { maskKey: fromHex('01020304') }));
    const d = new FrameDecoder({ role: 'server' });
    const seen: DecoderState[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const r = d.next();
      expect(r.kind).toBe('more');
      if (r.kind === 'more') {
        expect(r.needed).toBeGreaterThan(0);
        if (seen.at(-1) !== r.state) seen.push(r.state);
      }
      expect(d.buffered).toBe(i);
      d.push(bytes.subarray(i, i + 1));
    }
    expect(seen).toEqual(['HEADER', 'LENGTH_16', 'MASK_KEY', 'PAYLOAD']);
    const r = d.next();
    expect(r.kind).toBe('frame');
    expect(d.state).toBe('HEADER');
    expect(d.buffered).toBe(0);
  });

  it('goes through LENGTH_64 for 64-bit lengths', () => {
    const d = new FrameDecoder({ role: 'client' });
    d.push(fromHex('827f0000'));
    expect(d.next()).toEqual({ kind: 'more', state: 'LENGTH_64', needed: 6 });
  });

  it('tells how many bytes are still needed in PAYLOAD', () => {
    const d = new FrameDecoder({ role: 'client' });
    d.push(fromHex('8205aabb'));
    expect(d.next()).toEqual({ kind: 'more', state: 'PAYLOAD', needed: 3 });
  });

  it('returns several frames from one chunk, and keeps the bytes of the next partial one', () => {
    const bytes = fromHex('810161' + '810162' + '8103');
    const { frames, rest } = decodeFrames(bytes, { role: 'client' });
    expect(frames.map((f) => hex(f.frame.payload))).toEqual(['61', '62']);
    expect(rest).toBe(2);
  });

  it('does not copy a frame wholly inside one chunk: bytes and the unmasked payload are views of it', () => {
    const chunk = fromHex('00' + '810548656c6c6f');
    const d = new FrameDecoder({ role: 'client' });
    d.push(chunk.subarray(1));
    const r = d.next();
    if (r.kind !== 'frame') throw new Error(r.kind);
    expect(r.bytes.buffer).toBe(chunk.buffer);
    expect(r.frame.payload.buffer).toBe(chunk.buffer);
  });

  it('unmasks into a private copy so the raw bytes keep the masked wire form', () => {
    const chunk = fromHex('818537fa213d7f9f4d5158');
    const d = new FrameDecoder({ role: 'server' });
    d.push(chunk);
    const r = d.next();
    if (r.kind !== 'frame') throw new Error(r.kind);
    expect(hex(r.bytes)).toBe('818537fa213d7f9f4d5158');
    expect(new TextDecoder().decode(r.frame.payload)).toBe('Hello');
    expect(r.frame.payload.buffer).not.toBe(chunk.buffer);
    expect(hex(chunk)).toBe('818537fa213d7f9f4d5158');
  });

  it('with unmaskInPlace, unmasks the payload where it lies in the chunk: no copy', () => {
    const chunk = fromHex('00' + '818537fa213d7f9f4d5158' + '8100');
    const d = new FrameDecoder({ role: 'server', unmaskInPlace: true });
    d.push(chunk.subarray(1));
    const r = d.next();
    if (r.kind !== 'frame') throw new Error(r.kind);
    expect(new TextDecoder().decode(r.frame.payload)).toBe('Hello');
    expect(r.frame.payload.buffer).toBe(chunk.buffer);
    expect(r.frame.payload.byteOffset).toBe(7);
    expect(hex(r.frame.maskKey!)).toBe('37fa213d');
    // The header and key stay; the payload is now plain text in the caller's chunk.
    expect(hex(chunk)).toBe('00' + '818537fa213d' + '48656c6c6f' + '8100');
  });

  it('with unmaskInPlace and a mask kernel, a big payload is unmasked through its own view, in the chunk', () => {
    // §5.3 over 300 bytes: the kernel path (KERNEL_MIN is 256), in place.
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const wire = encodeFrame({ ...frame(0x2, payload), maskKey: fromHex('37fa213d') });
    const chunk = new Uint8Array(wire.length + 1);
    chunk.set(wire, 1);
    const calls: Array<{ source: Uint8Array; output: Uint8Array }> = [];
    useMaskKernel((source, key, output, at, length) => {
      calls.push({ source, output });
      for (let i = 0; i < length; i++) output[at + i] = source[i]! ^ key[i & 3]!;
    });
    try {
      const d = new FrameDecoder({ role: 'server', unmaskInPlace: true });
      d.push(chunk.subarray(1));
      const r = d.next();
      if (r.kind !== 'frame') throw new Error(r.kind);
      expect(r.frame.payload).toEqual(payload);
      expect(r.frame.payload.buffer).toBe(chunk.buffer);
      expect(calls).toHaveLength(1);
      // The kernel was handed the payload's view itself (no second view made per frame).
      expect(calls[0]!.source).toBe(r.frame.payload);
      expect(calls[0]!.output).toBe(r.frame.payload);
    } finally {
      useMaskKernel(undefined);
    }
  });

  it('keeps decoding after every pushed chunk was consumed (the chunk list is reused)', () => {
    const d = new FrameDecoder({ role: 'client' });
    for (const text of ['one', 'two', 'three']) {
      d.push(encodeFrame(frame(0x1, new TextEncoder().encode(text))));
      const r = d.next();
      if (r.kind !== 'frame') throw new Error(r.kind);
      expect(new TextDecoder().decode(r.frame.payload)).toBe(text);
      expect(d.buffered).toBe(0);
      expect(d.next()).toEqual({ kind: 'more', state: 'HEADER', needed: 2 });
    }
  });

  it('gathers a frame split over chunks into one new buffer', () => {
    const chunks = [fromHex('810548'), fromHex('656c'), fromHex('6c6f')];
    const results = decodeChunks(chunks, 'client');
    const r = results[0];
    if (r?.kind !== 'frame') throw new Error(String(r?.kind));
    expect(results).toHaveLength(1);
    expect(new TextDecoder().decode(r.frame.payload)).toBe('Hello');
    expect(hex(r.bytes)).toBe('810548656c6c6f');
    expect(chunks.some((c) => c.buffer === r.bytes.buffer)).toBe(false);
  });
});

describe('masked payloads share slabs without overwriting each other', () => {
  it('keeps every payload intact when many small frames fill several slabs, sizes around the 64 and 4096 byte paths', () => {
    const sizes = [0, 1, 3, 4, 5, 63, 64, 65, 125, 126, 1000, 4095, 4096, 4097, 9000];
    const frames: Frame[] = [];
    for (let round = 0; round < 12; round++) {
      for (const [i, n] of sizes.entries()) {
        const payload = Uint8Array.from({ length: n }, (_, j) => (j * 7 + i * 13 + round) & 0xff);
        frames.push(frame(0x2, payload, { maskKey: Uint8Array.of(round, i, 0xa5, 0x5a) }));
      }
    }
    const wire = frames.map(encodeFrame);
    const all = concatBytes(wire);
    const { frames: decoded, error } = decodeFrames(all, { role: 'server' });
    expect(error).toBeUndefined();
    // Checked only after everything was decoded: a later frame must not have written over an
    // earlier payload, and the wire bytes stay masked.
    expect(decoded.map((d) => digest(d.frame.payload))).toEqual(frames.map((f) => digest(f.payload)));
    expect(decoded.map((d) => digest(d.bytes))).toEqual(wire.map(digest));
    expect(hex(all)).toBe(wire.map(hex).join(''));
  });

  it('decodes frames as plain objects with the keys in wire order', () => {
    const masked = decodeFrames(encodeFrame(frame(0x1, 'hi', { maskKey: fromHex('01020304') })), {
      role: 'server',
    }).frames[0]!.frame;
    const unmasked = decodeFrames(encodeFrame(frame(0x1, 'hi')), { role: 'client' }).frames[0]!.frame;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.keys(masked)).toEqual(['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'payload', 'maskKey']);
    expect(Object.getPrototypeOf(unmasked)).toBe(Object.prototype);
    expect(Object.keys(unmasked)).toEqual(['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'payload']);
  });
});

describe('payload bytes as they arrive (onPayloadBytes)', () => {
  type Seen = { offset: number; bytes: string };
  /** A decoder that records what onPayloadBytes gets; `wants` filters frames. */
  function recording(role: Role, wants?: (opcode: number) => boolean) {
    const seen: Seen[] = [];
    const asked: number[] = [];
    const d = new FrameDecoder({
      role,
      onPayloadBytes: (_h, bytes, offset) => {
        seen.push({ offset, bytes: hex(bytes) });
        return undefined;
      },
      wantsPayloadBytes: wants && ((h) => (asked.push(h.opcode), wants(h.opcode))),
    });
    return { d, seen, asked };
  }

  it('streams a frame that spans chunks: only the newly arrived bytes, unmasked, with their payload offset', () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff);
    const bytes = encodeFrame(frame(0x2, payload, { maskKey: fromHex('37fa213d') })); // 8-byte header
    const { d, seen } = recording('server');
    const cuts = [3, 8, 9, 13, 150, 151, 299, bytes.length];
    let at = 0;
    const results = [];
    for (const c of cuts) {
      d.push(bytes.slice(at, c));
      at = c;
      results.push(d.next().kind);
    }
    expect(results).toEqual(['more', 'more', 'more', 'more', 'more', 'more', 'more', 'frame']);
    // header (8 bytes) then payload: 1 byte, 4 bytes, 137, 1, 148; the last chunk completes the
    // frame and is not streamed.
    expect(seen).toEqual([
      { offset: 0, bytes: hex(payload.subarray(0, 1)) },
      { offset: 1, bytes: hex(payload.subarray(1, 5)) },
      { offset: 5, bytes: hex(payload.subarray(5, 142)) },
      { offset: 142, bytes: hex(payload.subarray(142, 143)) },
      { offset: 143, bytes: hex(payload.subarray(143, 291)) },
    ]);
  });

  it('streams unmasked frames too, and a frame whose new bytes span several chunks pushed before next()', () => {
    const payload = Uint8Array.from({ length: 200 }, (_, i) => i);
    const bytes = encodeFrame(frame(0x1, payload)); // 4-byte header
    const { d, seen } = recording('client');
    d.push(bytes.slice(0, 10));
    expect(d.next().kind).toBe('more');
    d.push(bytes.slice(10, 20));
    d.push(bytes.slice(20, 30));
    expect(d.next().kind).toBe('more');
    expect(seen).toEqual([
      { offset: 0, bytes: hex(payload.subarray(0, 6)) },
      { offset: 6, bytes: hex(payload.subarray(6, 16)) },
      { offset: 16, bytes: hex(payload.subarray(16, 26)) },
    ]);
  });

  it('unmasks long stretches through its scratch buffer with the key offset carried across pieces', () => {
    const payload = Uint8Array.from({ length: 20000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
    const bytes = encodeFrame(frame(0x2, payload, { maskKey: fromHex('a1b2c3d4') }));
    const { d, seen } = recording('server');
    d.push(bytes.slice(0, 9999)); // an odd cut: the key index does not restart at 0
    expect(d.next().kind).toBe('more');
    d.push(bytes.slice(9999, 19999));
    expect(d.next().kind).toBe('more');
    const joined = seen.map((s) => s.bytes).join('');
    expect(joined).toBe(hex(payload.subarray(0, 19999 - 8)));
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.offset).toBe(seen[i - 1]!.offset + seen[i - 1]!.bytes.length / 2);
    d.push(bytes.slice(19999));
    const r = d.next();
    expect(r.kind === 'frame' && digest(r.frame.payload)).toBe(digest(payload));
  });

  it('does not stream a frame that lies wholly inside one chunk (the common path)', () => {
    const { d, seen, asked } = recording('server', () => true);
    d.push(encodeFrame(frame(0x1, 'Hello', { maskKey: fromHex('37fa213d') })));
    expect(d.next().kind).toBe('frame');
    expect(seen).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('asks wantsPayloadBytes once per frame and streams nothing it refuses', () => {
    const { d, seen, asked } = recording('client', (op) => op === 0x1);
    const binary = encodeFrame(frame(0x2, new Uint8Array(100)));
    const textFrame = encodeFrame(frame(0x1, 'x'.repeat(100)));
    for (const f of [binary, textFrame]) {
      d.push(f.slice(0, 10));
      expect(d.next().kind).toBe('more');
      d.push(f.slice(10, 50));
      expect(d.next().kind).toBe('more');
      d.push(f.slice(50));
      expect(d.next().kind).toBe('frame');
    }
    expect(asked).toEqual([0x2, 0x1]);
    expect(seen.map((s) => s.offset)).toEqual([0, 8]);
  });

  it("fails at once with the hook's error, before the frame is complete, and stays failed", () => {
    const d = new FrameDecoder({
      role: 'client',
      onPayloadBytes: (h, bytes, offset) => {
        const bad = bytes.indexOf(0xff);
        return bad === -1
          ? undefined
          : new ProtocolError('INVALID_UTF8', 'test', h.headerLength + offset + bad);
      },
    });
    d.push(fromHex('817f' + '00000000000186a0' + '6162')); // 100 000 bytes announced
    expect(d.next().kind).toBe('more');
    d.push(fromHex('63ff64'));
    const r = d.next();
    expect(r.kind === 'error' && [r.error.code, r.error.byteOffset]).toEqual(['INVALID_UTF8', 10 + 3]);
    expect(d.state).toBe('FAILED');
    d.push(new Uint8Array(100));
    expect(d.next()).toEqual(r);
  });
});

// ---- property tests -----------------------------------------------------------------------

const arbFrame = (role: Role): fc.Arbitrary<Frame> =>
  fc
    .record({
      opcode: fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa),
      fin: fc.boolean(),
      size: fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 125 }), weight: 6 },
        { arbitrary: fc.integer({ min: 126, max: 2000 }), weight: 3 },
        { arbitrary: fc.constantFrom(65535, 65536, 70000), weight: 1 },
      ),
      key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      seed: fc.integer({ min: 0, max: 255 }),
    })
    .map(({ opcode, fin, size, key, seed }) => {
      const control = (opcode & 8) !== 0;
      const n = control ? size % 126 : size;
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);
      const f: Frame = { fin: control ? true : fin, rsv1: false, rsv2: false, rsv3: false, opcode, payload };
      // The decoder reads FOR `role`: frames from the other side.
      if (role === 'server') f.maskKey = key;
      return f;
    });

const arbCuts = fc.array(fc.integer({ min: 0, max: 1 << 30 }), { maxLength: 8 });

function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.slice(at, p));
    at = p;
  }
  out.push(bytes.slice(at));
  return out;
}

describe('properties', () => {
  const readers = [
    ['client', false],
    ['server', false],
    ['server', true],
  ] as const;
  for (const [role, unmaskInPlace] of readers) {
    const how = unmaskInPlace ? ', unmasking in place' : '';
    it(`random valid frames survive encode -> split anywhere -> decode (${role} reading${how})`, () => {
      fc.assert(
        fc.property(fc.array(arbFrame(role), { minLength: 1, maxLength: 4 }), arbCuts, (frames, cuts) => {
          const encoded = frames.map(encodeFrame);
          const results = decodeChunks(cut(concatBytes(encoded), cuts), role, { unmaskInPlace });
          expect(results.map((r) => (r.kind === 'frame' ? plain(r.frame) : r.kind))).toEqual(
            frames.map(plain),
          );
          // Unmasked in place, `bytes` hold the payload in clear; otherwise the wire bytes.
          if (!unmaskInPlace)
            expect(results.map((r) => (r.kind === 'frame' ? digest(r.bytes) : ''))).toEqual(
              encoded.map(digest),
            );
        }),
        { numRuns: 200 },
      );
    }, 30_000);
  }

  it('onPayloadBytes gets each frame payload in order, contiguous, unmasked, never past what arrived (random frames and splits)', () => {
    fc.assert(
      fc.property(fc.array(arbFrame('server'), { minLength: 1, maxLength: 4 }), arbCuts, (frames, cuts) => {
        const encoded = frames.map(encodeFrame);
        const all = concatBytes(encoded);
        let streamed: number[] = [];
        let next = 0;
        let arrived = 0;
        let frameStart = 0;
        const d = new FrameDecoder({
          role: 'server',
          onPayloadBytes: (h, bytes, offset) => {
            expect(offset).toBe(next);
            next += bytes.length;
            // Only bytes that arrived, and never the frame's last byte (that chunk completes it).
            expect(frameStart + h.headerLength + next).toBeLessThanOrEqual(arrived);
            expect(next).toBeLessThan(h.payloadLength);
            streamed.push(...bytes);
            return undefined;
          },
        });
        let index = 0;
        for (const c of cut(all, cuts)) {
          d.push(c);
          arrived += c.length;
          for (let r = d.next(); r.kind === 'frame'; r = d.next()) {
            const payload = frames[index]!.payload;
            expect(hex(Uint8Array.from(streamed))).toBe(hex(payload.subarray(0, streamed.length)));
            expect(digest(r.frame.payload)).toBe(digest(payload));
            frameStart += r.bytes.length;
            index++;
            streamed = [];
            next = 0;
          }
          // Everything that arrived of an incomplete frame's payload has been streamed.
          const h = d.header;
          if (d.state === 'PAYLOAD' && h !== undefined)
            expect(next).toBe(arrived - frameStart - h.headerLength);
        }
        expect(index).toBe(frames.length);
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('random bytes only ever give frames, "need more" or a ProtocolError; nothing else is thrown', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        arbCuts,
        fc.constantFrom<Role>('client', 'server'),
        fc.boolean(),
        (bytes, cuts, role, rsv1) => {
          const d = new FrameDecoder({ role, allowRsv1: rsv1, maxPayload: 100 });
          let consumed = 0;
          let failed = false;
          for (const c of cut(bytes, cuts)) {
            d.push(c);
            for (;;) {
              const r = d.next();
              if (r.kind === 'more') {
                expect(r.needed).toBeGreaterThan(0);
                break;
              }
              if (r.kind === 'error') {
                expect(r.error).toBeInstanceOf(ProtocolError);
                expect([1002, 1009]).toContain(r.error.closeCode);
                failed = true;
                break;
              }
              consumed += r.bytes.length;
              // What was decoded re-encodes to exactly the bytes it came from.
              expect(hex(encodeFrame(r.frame))).toBe(hex(r.bytes));
            }
            if (failed) break;
          }
          if (!failed) expect(consumed + d.buffered).toBe(bytes.length);
        },
      ),
      { numRuns: 3000 },
    );
  }, 30_000);
});

describe('ownership of the bytes pushed', () => {
  it("never writes into the caller's chunk, even a Node Buffer whose slice() is a view", async () => {
    const { Buffer } = await import('node:buffer');
    for (const size of [16, 5_000, 70_000]) {
      const payload = new Uint8Array(size).map((_, i) => i & 0xff);
      const wire = encodeFrame({
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: 0x2,
        maskKey: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]),
        payload,
      });
      const chunk = Buffer.from(wire);
      const decoder = new FrameDecoder({ role: 'server' });
      decoder.push(chunk);
      const r = decoder.next();
      expect(r.kind).toBe('frame');
      if (r.kind !== 'frame') return;
      expect([...r.frame.payload]).toEqual([...payload]);
      expect([...chunk]).toEqual([...wire]); // still the masked bytes the caller read
    }
  });
});
