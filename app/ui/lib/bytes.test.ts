import { describe, expect, it } from 'vitest';
import { lineColumn, parsePastedBytes, toHex } from './bytes.ts';

const hex = (r: ReturnType<typeof parsePastedBytes>) => (r.ok ? toHex(r.bytes) : `error: ${r.message}`);

describe('parsePastedBytes', () => {
  it('reads hex with spaces, without spaces, with colons and commas', () => {
    expect(hex(parsePastedBytes('81 05 48 65 6c 6c 6f'))).toBe('81 05 48 65 6c 6c 6f');
    expect(hex(parsePastedBytes('810548656C6C6F'))).toBe('81 05 48 65 6c 6c 6f');
    expect(hex(parsePastedBytes('81:05:48'))).toBe('81 05 48');
    expect(hex(parsePastedBytes('[0x81, 0x05, 0x48]'))).toBe('81 05 48');
  });

  it('reads RFC 6455 §5.7 notation with 0x prefixes, across lines', () => {
    const r = parsePastedBytes('0x01 0x03 0x48 0x65 0x6c\n0x80 0x02 0x6c 0x6f');
    expect(hex(r)).toBe('01 03 48 65 6c 80 02 6c 6f');
    expect(r.ok && r.format).toBe('hex');
  });

  it('reads \\x escapes', () => {
    expect(hex(parsePastedBytes('\\x81\\x05'))).toBe('81 05');
  });

  it('reads a Wireshark hex dump, dropping offsets and the ASCII column (even when it looks like hex)', () => {
    const dump = [
      '0000   81 85 37 fa 21 3d 7f 9f 4d 51 58 61 62 63 64 65   ..7.!=..MQXabcde',
      '0010   ab cd                                             ..',
    ].join('\n');
    const r = parsePastedBytes(dump);
    expect(r.ok && r.format).toBe('hexdump');
    expect(hex(r)).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58 61 62 63 64 65 ab cd');
  });

  it('reads base64, standard or URL-safe, padded or not', () => {
    expect(hex(parsePastedBytes('gQVIZWxsbw=='))).toBe('81 05 48 65 6c 6c 6f');
    expect(hex(parsePastedBytes('gQVIZWxsbw'))).toBe('81 05 48 65 6c 6c 6f');
    expect(hex(parsePastedBytes('_-8', 'base64'))).toBe('ff ef');
  });

  it('says which character is not a hex digit, with line and column', () => {
    const r = parsePastedBytes('81 05\n48 6g', 'hex');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toBe("'g' at line 2, column 5 is not a hex digit (0-9, a-f)");
      expect(r.at).toBe(10);
    }
  });

  it('refuses an odd number of digits and says where', () => {
    const r = parsePastedBytes('81 0548 6');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^odd number of hex digits in "6" at character 9/);
  });

  it('names a base64 problem precisely', () => {
    const bad = parsePastedBytes('gQ=VIZ', 'base64');
    expect(!bad.ok && bad.message).toBe("'=' at character 3 is padding and may only end the base64 text");
    const short = parsePastedBytes('gQVIZ', 'base64');
    expect(!short.ok && short.message).toMatch(/5 characters cannot be whole bytes/);
    const char = parsePastedBytes('gQ*V', 'base64');
    expect(!char.ok && char.message).toBe("'*' at character 3 is not a base64 character (A-Z a-z 0-9 + / =)");
  });

  it('asks for input when there is none', () => {
    expect(parsePastedBytes('  \n').ok).toBe(false);
  });

  it('reads space-separated pairs with a typo as hex, and names the typo', () => {
    const r = parsePastedBytes('81 05 48 6g');
    expect(!r.ok && r.message).toBe("'g' at character 11 is not a hex digit (0-9, a-f)");
  });

  it('prefers hex when the text is only hex digits', () => {
    const r = parsePastedBytes('abcd');
    expect(r.ok && r.format).toBe('hex');
  });
});

describe('lineColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
