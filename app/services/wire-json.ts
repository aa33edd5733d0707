/**
 * The byte tap's JSON: one WireEvent per WebSocket text message, with the id of the
 * connection it belongs to, and bytes as standard base64 (with padding). The Node server
 * writes it (app/server/tap.ts); the page reads it with `decodeTapMessage`. Format in
 * app/server/README.md.
 */
import type { WireEvent } from '../protocol/types.ts';

export interface TapMessage {
  conn: string;
  event: WireEvent;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? (LOOKUP[c] as number) : 255;
    if (v === 255) throw new Error(`not base64 at ${i}`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, at);
}

/** One tap message as JSON text. `base64` lets a host plug in a faster encoder (Node's Buffer). */
export function encodeTapMessage(
  conn: string,
  event: WireEvent,
  base64: (b: Uint8Array) => string = toBase64,
): string {
  if (event.kind === 'frame' || event.kind === 'bytes') {
    return JSON.stringify({ conn, ...event, bytes: base64(event.bytes) });
  }
  return JSON.stringify({ conn, ...event });
}

/** Parses one tap message; throws on anything that is not one. */
export function decodeTapMessage(text: string): TapMessage {
  const raw = JSON.parse(text) as Record<string, unknown> & { conn?: unknown; kind?: unknown };
  if (typeof raw.conn !== 'string' || typeof raw.kind !== 'string') throw new Error('not a tap message');
  const { conn, ...rest } = raw;
  if (rest.kind === 'frame' || rest.kind === 'bytes') {
    if (typeof rest.bytes !== 'string') throw new Error('tap frame without bytes');
    return { conn, event: { ...rest, bytes: fromBase64(rest.bytes) } as unknown as WireEvent };
  }
  return { conn, event: rest as unknown as WireEvent };
}
