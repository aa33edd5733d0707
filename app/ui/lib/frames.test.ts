/** The frame list decodes each frame as its receiver would, and names the rule it breaks. */
import { describe, expect, it } from 'vitest';
import { encodeFrame, type Frame } from './engine.ts';
import { decodeFrameBytes } from './frames.ts';

const server = (bits: Partial<Frame> & { payload: Uint8Array }): Uint8Array =>
  encodeFrame({ fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, ...bits });
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeFrameBytes', () => {
  it('flags RSV1 with no extension negotiated (5.2), and accepts it when deflate was (RFC 7692)', () => {
    const bytes = server({ rsv1: true, payload: utf8('hello') });
    expect(decodeFrameBytes(bytes, 'server').error).toMatch(/RSV1 without permessage-deflate/);
    expect(decodeFrameBytes(bytes, 'server', { allowRsv1: true }).error).toBeUndefined();
  });

  it('flags a whole text frame that is not UTF-8 (8.1), naming the bad bytes', () => {
    const bad = Uint8Array.of(0xce, 0xba, 0xed, 0xa0, 0x80);
    const row = decodeFrameBytes(server({ payload: bad }), 'server');
    expect(row.error).toMatch(/not valid UTF-8.*surrogate/);
    expect(row.frame).toBeDefined();
  });

  it('flags a final text frame that stops inside a character, but not a first fragment that does', () => {
    const cut = utf8('é').subarray(0, 1);
    expect(decodeFrameBytes(server({ payload: cut }), 'server').error).toMatch(/inside a character/);
    expect(decodeFrameBytes(server({ fin: false, payload: cut }), 'server').error).toBeUndefined();
  });

  it('accepts valid text and leaves binary payloads alone', () => {
    expect(decodeFrameBytes(server({ payload: utf8('κόσμε') }), 'server').error).toBeUndefined();
    const binary = server({ opcode: 2, payload: Uint8Array.of(0xed, 0xa0, 0x80) });
    expect(decodeFrameBytes(binary, 'server').error).toBeUndefined();
  });

  it('flags a masked server frame (5.1), as the client reading it must', () => {
    const masked = server({ payload: utf8('hello'), maskKey: Uint8Array.of(0x37, 0xfa, 0x21, 0x3d) });
    expect(decodeFrameBytes(masked, 'server').error).toMatch(/server frame arrived masked/);
  });
});
