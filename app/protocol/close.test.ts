import { describe, expect, it } from 'vitest';
import { buildClosePayload, parseClosePayload } from './close.ts';
import { fromHex, hex } from './test-helpers.ts';

describe('close payload (§5.5.1)', () => {
  it('reads code and reason', () => {
    expect(parseClosePayload(fromHex('03e8627965'))).toEqual({
      ok: true,
      code: 1000,
      reason: 'bye',
      hasCode: true,
    });
  });

  it('reports 1005 for an empty payload', () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({
      ok: true,
      code: 1005,
      reason: '',
      hasCode: false,
    });
  });

  it('fails with 1002 on a 1-byte payload', () => {
    const r = parseClosePayload(fromHex('03'));
    expect(!r.ok && [r.error.code, r.error.closeCode]).toEqual(['INVALID_CLOSE_PAYLOAD', 1002]);
  });

  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535])(
    'fails with 1002 on code %i, which must not be sent',
    (code) => {
      const r = parseClosePayload(Uint8Array.of(code >> 8, code & 0xff));
      expect(!r.ok && [r.error.code, r.error.closeCode]).toEqual(['INVALID_CLOSE_CODE', 1002]);
    },
  );

  it.each([1000, 1003, 1007, 1011, 1014, 3000, 4999])('accepts code %i', (code) => {
    expect(parseClosePayload(Uint8Array.of(code >> 8, code & 0xff)).ok).toBe(true);
  });

  it('fails with 1007 when the reason is not UTF-8, pointing at the bad byte', () => {
    const r = parseClosePayload(fromHex('03e861ff'));
    expect(!r.ok && [r.error.code, r.error.closeCode, r.error.byteOffset]).toEqual([
      'INVALID_CLOSE_REASON',
      1007,
      3,
    ]);
  });

  it('builds code + reason, empty without a code, and refuses misuse', () => {
    expect(hex(buildClosePayload(1000, 'bye'))).toBe('03e8627965');
    expect(hex(buildClosePayload())).toBe('');
    expect(buildClosePayload(1000, 'é'.repeat(61) + 'a').length).toBe(125);
    expect(() => buildClosePayload(1000, 'é'.repeat(62))).toThrow(
      expect.objectContaining({ code: 'CLOSE_REASON_TOO_LONG' }) as Error,
    );
    expect(() => buildClosePayload(1006)).toThrow(
      expect.objectContaining({ code: 'CLOSE_CODE_NOT_SENDABLE' }) as Error,
    );
    expect(() => buildClosePayload(undefined, 'why')).toThrow(
      expect.objectContaining({ code: 'CLOSE_CODE_NOT_SENDABLE' }) as Error,
    );
  });
});
