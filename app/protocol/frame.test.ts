import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeFrameHeader, encodeMessage, fragmentSizes, headerLength } from './frame.ts';
import { assertFrameData, fixedEntropy, frame, fromHex, hex, text } from './test-helpers.ts';

const KEY = fromHex('37fa213d');

describe('RFC 6455 §5.7 examples, byte for byte (decode and encode, split everywhere)', () => {
  it('a single-frame unmasked text message "Hello"', () => {
    assertFrameData('81 05 48 65 6c 6c 6f', frame(0x1, 'Hello'), 'client');
  });

  it('a single-frame masked text message "Hello"', () => {
    assertFrameData('81 85 37 fa 21 3d 7f 9f 4d 51 58', frame(0x1, 'Hello', { maskKey: KEY }), 'server');
  });

  it('a fragmented unmasked text message "Hel" + "lo"', () => {
    assertFrameData('01 03 48 65 6c', frame(0x1, 'Hel', { fin: false }), 'client');
    assertFrameData('80 02 6c 6f', frame(0x0, 'lo'), 'client');
  });

  it('an unmasked Ping "Hello" and a masked Pong "Hello"', () => {
    assertFrameData('89 05 48 65 6c 6c 6f', frame(0x9, 'Hello'), 'client');
    assertFrameData('8a 85 37 fa 21 3d 7f 9f 4d 51 58', frame(0xa, 'Hello', { maskKey: KEY }), 'server');
  });

  it('256 bytes of binary data in one unmasked frame use the 16-bit length 0x0100', () => {
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
    assertFrameData('82 7e 01 00' + hex(payload), frame(0x2, payload), 'client');
  });

  it('64 KiB of binary data in one unmasked frame use the 64-bit length 0x0000000000010000', () => {
    const payload = Uint8Array.from({ length: 65536 }, (_, i) => (i * 31) & 0xff);
    assertFrameData('82 7f 00 00 00 00 00 01 00 00' + hex(payload), frame(0x2, payload), 'client');
  });
});

describe('payload length forms (§5.2: minimal number of bytes)', () => {
  it.each([
    [0, '8100'],
    [125, '817d'],
    [126, '817e007e'],
    [65535, '817effff'],
    [65536, '817f0000000000010000'],
  ])('a %i-byte payload is announced as %s', (n, head) => {
    const bytes = encodeFrame(frame(0x1, new Uint8Array(n)));
    expect(hex(bytes.subarray(0, head.length / 2))).toBe(head);
    expect(bytes.length).toBe(head.length / 2 + n);
    expect(headerLength(n, false)).toBe(head.length / 2);
  });

  it('writes 64-bit lengths above 2^32 in network order (header only, checked by headerLength)', () => {
    expect(headerLength(2 ** 32 + 5, true)).toBe(14);
  });

  it('sets RSV bits exactly as given (weird experiments send them)', () => {
    expect(hex(encodeFrame(frame(0x1, '', { rsv1: true, rsv2: true, rsv3: true })))).toBe('f100');
  });

  it('encodeFrameHeader gives exactly the header encodeFrame writes, for zero-copy writes', () => {
    for (const n of [0, 125, 126, 65535, 65536]) {
      const f = frame(0x2, new Uint8Array(n), { fin: n % 2 === 0 });
      const header = encodeFrameHeader(f);
      expect(hex(header)).toBe(hex(encodeFrame(f).subarray(0, header.length)));
      expect(header.length).toBe(headerLength(n, false));
    }
    expect(() => encodeFrameHeader(frame(0x1, 'x', { maskKey: KEY }))).toThrow(TypeError);
  });

  it('refuses an opcode that does not fit 4 bits and a mask key that is not 4 bytes', () => {
    expect(() => encodeFrame(frame(0x10, ''))).toThrow(RangeError);
    expect(() => encodeFrame(frame(0x1, 'a', { maskKey: new Uint8Array(3) }))).toThrow(RangeError);
  });
});

describe('encodeMessage', () => {
  it('a client masks every frame with a fresh key from the injected entropy (§5.3)', () => {
    const frames = encodeMessage('client', 0x1, 'Hello', {
      entropy: fixedEntropy([1, 2, 3, 4, 5, 6, 7, 8]),
      fragments: 2,
    });
    expect(frames.map((f) => hex(f.frame.maskKey!))).toEqual(['01020304', '05060708']);
    expect(frames.every((f) => (f.bytes[1]! & 0x80) !== 0)).toBe(true);
  });

  it('a server never masks (§5.1)', () => {
    const [only] = encodeMessage('server', 0x1, 'Hello');
    expect(hex(only!.bytes)).toBe('810548656c6c6f');
  });

  it('splits into N frames: first carries the opcode, the rest are continuations, only the last has FIN (§5.4)', () => {
    const frames = encodeMessage('server', 0x1, 'Hello', { fragments: 3 });
    expect(frames.map((f) => hex(f.bytes))).toEqual(['010248 65'.replace(' ', ''), '00026c6c', '80016f']);
  });

  it('accepts explicit fragment sizes, empty fragments included', () => {
    const frames = encodeMessage('server', 0x2, Uint8Array.of(1, 2, 3), { fragments: [0, 3, 0] });
    expect(frames.map((f) => hex(f.bytes))).toEqual(['0200', '0003010203', '8000']);
  });

  it('refuses fragment sizes that do not add up, and a client without entropy', () => {
    expect(() => encodeMessage('server', 0x2, Uint8Array.of(1, 2), { fragments: [1] })).toThrow(RangeError);
    expect(() => encodeMessage('client', 0x2, Uint8Array.of(1, 2))).toThrow(TypeError);
  });

  it('refuses to fragment a control frame (§5.5)', () => {
    expect(() => encodeMessage('server', 0x9, text('ab'), { fragments: 2 })).toThrow(RangeError);
  });

  it('spreads the remainder over the first fragments', () => {
    expect(fragmentSizes(10, 3)).toEqual([4, 3, 3]);
    expect(fragmentSizes(2, 3)).toEqual([1, 1, 0]);
  });
});
