/**
 * The byte tap's JSON: one WireEvent per WebSocket text message, with the id of the
 * connection it belongs to, and bytes as standard base64 (with padding). The Node server
 * writes it (app/server/tap.ts); the page reads it with `decodeTapMessage`. Format in
 * app/server/README.md.
 */
import { decodeBase64, encodeBase64 } from '../protocol/base64.ts';
import type { WireEvent } from '../protocol/types.ts';

export interface TapMessage {
  conn: string;
  event: WireEvent;
}

/** One tap message as JSON text. `base64` lets a host plug in a faster encoder (Node's Buffer). */
export function encodeTapMessage(
  conn: string,
  event: WireEvent,
  base64: (b: Uint8Array) => string = encodeBase64,
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
    const bytes = typeof rest.bytes === 'string' ? decodeBase64(rest.bytes) : undefined;
    if (!bytes) throw new Error('tap frame without base64 bytes');
    return { conn, event: { ...rest, bytes } as unknown as WireEvent };
  }
  return { conn, event: rest as unknown as WireEvent };
}
