import { describe, expect, it } from 'vitest';
import { decodePaste } from './paste.ts';

const fieldsOf = (text: string, frame = 0) => {
  const r = decodePaste(text);
  if (!r.ok) throw new Error(r.message);
  return Object.fromEntries(r.frames[frame]!.annotation.fields.map((f) => [f.id, f.value]));
};

describe('paste-and-decode on the RFC 6455 §5.7 examples', () => {
  it('a single-frame unmasked text message: "Hello"', () => {
    expect(fieldsOf('0x81 0x05 0x48 0x65 0x6c 0x6c 0x6f')).toMatchObject({
      fin: 1,
      rsv1: 0,
      opcode: 1,
      mask: 0,
      len7: 5,
      payload: '"Hello"',
    });
  });

  it('a single-frame masked text message: key 37 fa 21 3d, "Hello"', () => {
    const f = fieldsOf('0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58');
    expect(f).toMatchObject({
      fin: 1,
      opcode: 1,
      mask: 1,
      len7: 5,
      maskKey: '37 fa 21 3d',
      payload: '"Hello"',
    });
  });

  it('a fragmented text message: two frames, "Hel" then "lo"', () => {
    const r = decodePaste('0x01 0x03 0x48 0x65 0x6c 0x80 0x02 0x6c 0x6f');
    expect(r.ok && r.frames.map((f) => f.offset)).toEqual([0, 5]);
    expect(fieldsOf('0x01 0x03 0x48 0x65 0x6c 0x80 0x02 0x6c 0x6f', 0)).toMatchObject({
      fin: 0,
      opcode: 1,
      payload: '"Hel"',
    });
    expect(fieldsOf('0x01 0x03 0x48 0x65 0x6c 0x80 0x02 0x6c 0x6f', 1)).toMatchObject({
      fin: 1,
      opcode: 0,
      len7: 2,
    });
  });

  it('a 256-byte binary message uses the 16-bit length', () => {
    const body = Array.from({ length: 256 }, () => '00').join('');
    expect(fieldsOf(`82 7e 01 00 ${body}`)).toMatchObject({ opcode: 2, len7: 126, len16: 256 });
  });
});

describe('paste-and-decode problems', () => {
  it('names the frame, the byte and the rule', () => {
    const r = decodePaste('83 00');
    expect(r.ok && r.problem).toBe(
      'Frame 1, byte 0 (0x83): Reserved opcode: opcodes 0x3-0x7 and 0xB-0xF are not defined (opcode 0x3). RFC 6455 §5.2, INVALID_OPCODE.',
    );
  });

  it('says how many payload bytes are missing', () => {
    const r = decodePaste('81 05 48 65');
    expect(r.ok && r.problem).toBe(
      'Frame 1 at byte 0: the header says 5 payload bytes, but only 2 follow: 3 missing.',
    );
  });

  it('says when the header itself is cut short', () => {
    const r = decodePaste('81 fe 01');
    expect(r.ok && r.problem).toMatch(
      /^Frame 1 at byte 0: the header is cut short: 8 header bytes needed \(16-bit length \+ masking key\), 3 present/,
    );
  });

  it('reports unreadable input from the byte parser', () => {
    const r = decodePaste('81 z!');
    expect(!r.ok && r.message).toBe("'z' at character 4 is not a hex digit (0-9, a-f)");
  });
});

describe('paste-and-decode says exactly what it read', () => {
  it('prints a 64-bit length exactly (BigInt), not as a rounded float', () => {
    const r = decodePaste('82 7f ff ff ff ff ff ff ff ff 00');
    expect(fieldsOf('82 7f ff ff ff ff ff ff ff ff 00').len64).toBe('18446744073709551615');
    expect(r.ok && r.problem).toContain(
      'the header says 18446744073709551615 payload bytes, but only 1 follows',
    );
    expect(r.ok && r.problem).toContain(': 18446744073709551614 missing.');
  });

  it('does not read a word such as "zzzz" as base64 in auto mode, and says why', () => {
    const r = decodePaste('zzzz');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(
      /read as base64 it gives cf 3c f3.*does not start a frame.*Choose base64/,
    );
    expect(decodePaste('zzzz', 'base64').ok).toBe(true);
  });

  it('still reads base64 of a frame in auto mode', () => {
    const r = decodePaste('gQVIZWxsbw==');
    expect(r.ok && r.format).toBe('base64');
  });
});
