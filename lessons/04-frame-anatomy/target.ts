/**
 * The frame lesson 4 asks the learner to build, derived from their own first text frame so that
 * no two learners are asked for the same bytes (the masking key is random per frame, §5.3):
 *
 *   the first fragment (FIN 0, §5.4) of a BINARY message (opcode 0x2), RSV 000, from a client
 *   (MASK 1), length 3, masked with the key of their own frame, carrying the first 3 bytes of
 *   their text: the first 3 masked payload bytes of their own frame, as they crossed the wire
 *   (byte i is masked with key byte i mod 4, so a prefix of a masked payload stays masked).
 *
 * Shared by checks.ts and play.ts (which builds it from its own frame, as a learner would).
 */

/** How many bytes of the learner's text the built frame carries. */
export const TARGET_LENGTH = 3;

export interface Target {
  fin: 0;
  opcode: 0x2;
  mask: 1;
  length: typeof TARGET_LENGTH;
  key: Uint8Array;
  /** The payload as it crosses the wire: masked with `key`. */
  masked: Uint8Array;
  /** The same payload unmasked: the first bytes of the learner's text. */
  plain: Uint8Array;
  /** The whole frame. */
  bytes: Uint8Array;
}

/**
 * The target from the exact bytes of a masked client frame (header, key, masked payload), or
 * undefined when that frame is not masked or carries fewer than TARGET_LENGTH payload bytes.
 */
export function targetFrom(frameBytes: Uint8Array): Target | undefined {
  const b1 = frameBytes[1] ?? 0;
  if ((b1 & 0x80) === 0) return undefined;
  const len7 = b1 & 0x7f;
  const keyAt = len7 === 127 ? 10 : len7 === 126 ? 4 : 2;
  const payloadAt = keyAt + 4;
  if (frameBytes.length < payloadAt + TARGET_LENGTH) return undefined;
  const key = frameBytes.slice(keyAt, payloadAt);
  const masked = frameBytes.slice(payloadAt, payloadAt + TARGET_LENGTH);
  const plain = masked.map((b, i) => b ^ key[i % 4]!);
  const bytes = Uint8Array.of(0x02, 0x80 | TARGET_LENGTH, ...key, ...masked);
  return { fin: 0, opcode: 0x2, mask: 1, length: TARGET_LENGTH, key, masked, plain, bytes };
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
