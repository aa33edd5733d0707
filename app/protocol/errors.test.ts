import { describe, expect, it } from 'vitest';
import { isSendableCloseCode } from './close-codes.ts';
import {
  closeCodeFor,
  ERRORS,
  isProtocolError,
  protocolError,
  ProtocolError,
  toProtocolError,
  type ProtocolErrorCode,
} from './errors.ts';

describe('errors', () => {
  it('the factory fills close code, message, rfc and lesson from the table', () => {
    const e = protocolError('UNMASKED_CLIENT_FRAME', undefined, 1);
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      code: 'UNMASKED_CLIENT_FRAME',
      closeCode: 1002,
      lesson: 'masking',
      rfc: 'RFC 6455 §5.1',
      byteOffset: 1,
    });
    expect(protocolError('INVALID_OPCODE', 'opcode 0x3').message).toMatch(/\(opcode 0x3\)$/);
  });

  it.each([
    ['INVALID_OPCODE', 1002],
    ['RESERVED_BITS', 1002],
    ['UNMASKED_CLIENT_FRAME', 1002],
    ['MASKED_SERVER_FRAME', 1002],
    ['CONTROL_FRAME_TOO_LONG', 1002],
    ['FRAGMENTED_CONTROL_FRAME', 1002],
    ['UNEXPECTED_CONTINUATION', 1002],
    ['EXPECTED_CONTINUATION', 1002],
    ['INVALID_CLOSE_PAYLOAD', 1002],
    ['INVALID_CLOSE_CODE', 1002],
    ['NON_MINIMAL_LENGTH', 1002],
    ['LENGTH_TOO_LARGE', 1002],
    ['INVALID_UTF8', 1007],
    ['INVALID_CLOSE_REASON', 1007],
    ['MESSAGE_TOO_BIG', 1009],
    ['POLICY_VIOLATION', 1008],
    ['INTERNAL', 1011],
  ] as const)('%s fails the connection with %i', (code, closeCode) => {
    expect(protocolError(code).closeCode).toBe(closeCode);
    expect(closeCodeFor(protocolError(code))).toBe(closeCode);
  });

  it('every connection-level error has a sendable close code; handshake errors report 1006 and carry an HTTP status or are client-side', () => {
    for (const [code, spec] of Object.entries(ERRORS) as Array<
      [ProtocolErrorCode, (typeof ERRORS)[ProtocolErrorCode]]
    >) {
      if (code.startsWith('HANDSHAKE_')) expect(spec.closeCode).toBe(1006);
      else expect(isSendableCloseCode(spec.closeCode)).toBe(true);
    }
    expect(protocolError('HANDSHAKE_VERSION').status).toBe(426);
  });

  it('maps anything else to 1011, and INTERNAL never carries the detail', () => {
    expect(closeCodeFor(new TypeError('x'))).toBe(1011);
    expect(closeCodeFor('boom')).toBe(1011);
    expect(closeCodeFor({ closeCode: 1006 })).toBe(1011); // 1006 cannot be sent
    expect(closeCodeFor({ closeCode: 4001 })).toBe(4001);
    expect(protocolError('INTERNAL', 'secret path /srv/x').message).toBe('Internal error');
    const wrapped = toProtocolError(new Error('secret'));
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.message).not.toMatch(/secret/);
    expect(isProtocolError(wrapped)).toBe(true);
  });
});
