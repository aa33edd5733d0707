/**
 * RFC 6455 §5.5.1: the Close frame payload.
 *
 *   +--------+--------+--------...---------+
 *   | status code     | reason (UTF-8)     |     both optional; a reason needs a code
 *   | 16 bits, network order | 0-123 bytes |     (125-byte control payload limit - 2)
 *   +--------+--------+--------...---------+
 *
 * An empty payload means "no status code": applications are told 1005 (§7.1.5, never sent).
 */
import { describeCloseCode, isSendableCloseCode, MAX_CLOSE_REASON_BYTES } from './close-codes.ts';
import { protocolError, type ProtocolError } from './errors.ts';
import { decodeUtf8, encodeUtf8, findInvalidUtf8 } from './utf8.ts';

export { MAX_CLOSE_REASON_BYTES };

/** §7.1.5: the code reported when a Close frame carried none. */
export const NO_STATUS_RECEIVED = 1005;
/** §7.1.5: the code reported when the connection closed without a Close frame. */
export const ABNORMAL_CLOSURE = 1006;

export type ParsedClose =
  | {
      ok: true;
      code: number;
      reason: string;
      /** false when the payload was empty (1005) */ hasCode: boolean;
    }
  | { ok: false; error: ProtocolError };

export function parseClosePayload(payload: Uint8Array): ParsedClose {
  if (payload.length === 0) return { ok: true, code: NO_STATUS_RECEIVED, reason: '', hasCode: false };
  // 5.5.1: if there is a body, its first two bytes are the status code: 1 byte cannot be.
  if (payload.length === 1) return { ok: false, error: protocolError('INVALID_CLOSE_PAYLOAD', undefined, 0) };
  const code = (payload[0]! << 8) | payload[1]!;
  // 7.4: only codes that may be sent may be received (not 1005/1006/1015, not 0-999 ...).
  if (!isSendableCloseCode(code)) {
    return {
      ok: false,
      error: protocolError('INVALID_CLOSE_CODE', `${code} ${describeCloseCode(code).name}`, 0),
    };
  }
  const reasonBytes = payload.subarray(2);
  // 5.5.1: the reason is UTF-8; invalid UTF-8 fails with 1007 like a text message (8.1).
  const bad = findInvalidUtf8(reasonBytes);
  if (bad !== -1)
    return { ok: false, error: protocolError('INVALID_CLOSE_REASON', `at reason byte ${bad}`, 2 + bad) };
  return { ok: true, code, reason: decodeUtf8(reasonBytes), hasCode: true };
}

/**
 * The payload for close(code, reason). No code: an empty payload (then no reason either).
 * Throws CLOSE_CODE_NOT_SENDABLE for codes that must not be sent (1004-1006, 1015, < 1000,
 * 1016-2999, >= 5000) and CLOSE_REASON_TOO_LONG beyond 123 bytes of UTF-8.
 */
export function buildClosePayload(code?: number, reason = ''): Uint8Array {
  if (code === undefined) {
    if (reason !== '') throw protocolError('CLOSE_CODE_NOT_SENDABLE', 'a reason needs a status code');
    return new Uint8Array(0);
  }
  if (!isSendableCloseCode(code)) throw protocolError('CLOSE_CODE_NOT_SENDABLE', String(code));
  const text = encodeUtf8(reason);
  if (text.length > MAX_CLOSE_REASON_BYTES)
    throw protocolError('CLOSE_REASON_TOO_LONG', `${text.length} bytes`);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}
