/** Helpers shared by this folder's tests (not part of the engine's API). */
import fc from 'fast-check';
import { expect } from 'vitest';
import { FrameDecoder, type DecodeResult } from './decoder.ts';
import { encodeFrame } from './frame.ts';
import { applyMask, copyMasked, useMaskKernel, type MaskKernel } from './mask.ts';
import type { Connection } from './connection.ts';
import type { ConnectionEvent, Entropy, Frame, Role } from './types.ts';

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** '81 05 48 65' or '0x81 0x05' or '8105' -> bytes. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/0x/g, '').replace(/[\s,]/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Bytes as a short comparable string: hex up to 64 bytes, else the first 16 bytes, the length
 * and an FNV-1a hash of all of them (fast to compare, still readable in a failure).
 */
export function digest(bytes: Uint8Array): string {
  if (bytes.length <= 64) return hex(bytes);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return `${hex(bytes.subarray(0, 16))}…(${bytes.length} B, fnv ${(h >>> 0).toString(16)})`;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The arrays one after the other, in one new array (frames as they follow on the wire). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

export function frame(opcode: number, payload: Uint8Array | string, extra: Partial<Frame> = {}): Frame {
  return {
    fin: true,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    opcode,
    payload: typeof payload === 'string' ? text(payload) : payload,
    ...extra,
  };
}

/** Entropy that hands out the given bytes in order, then repeats them. */
export function fixedEntropy(bytes: Uint8Array | number[] = [0x37, 0xfa, 0x21, 0x3d]): Entropy {
  const source = Uint8Array.from(bytes);
  let at = 0;
  return {
    randomBytes(n: number): Uint8Array {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = source[at++ % source.length]!;
      return out;
    },
  };
}

/** A frame as plain data, for deep equality (Uint8Array -> hex). */
export function plain(f: Frame): Record<string, unknown> {
  return {
    fin: f.fin,
    rsv1: f.rsv1,
    rsv2: f.rsv2,
    rsv3: f.rsv3,
    opcode: f.opcode,
    maskKey: f.maskKey === undefined ? undefined : hex(f.maskKey),
    payload: digest(f.payload),
  };
}

/** Feeds `chunks` to a fresh decoder and pulls until it needs more or fails. */
export function decodeChunks(
  chunks: Uint8Array[],
  role: Role,
  options: { maxPayload?: number; allowRsv1?: boolean; unmaskInPlace?: boolean } = {},
): DecodeResult[] {
  const d = new FrameDecoder({ role, ...options });
  const out: DecodeResult[] = [];
  for (const c of chunks) {
    d.push(c);
    for (;;) {
      const r = d.next();
      if (r.kind === 'more') break;
      out.push(r);
      if (r.kind === 'error') return out;
    }
  }
  return out;
}

/**
 * Every way of cutting `bytes` in two (for frames over 512 bytes: every cut in the first and
 * last 16 bytes, and every 997th), plus one byte at a time.
 */
export function splits(bytes: Uint8Array): Uint8Array[][] {
  const ways: Uint8Array[][] = [];
  const n = bytes.length;
  for (let i = 1; i < n; i++) {
    if (n > 512 && i > 16 && i < n - 16 && i % 997 !== 0) continue;
    ways.push([bytes.slice(0, i), bytes.slice(i)]);
  }
  ways.push(Array.from(bytes, (b) => Uint8Array.of(b)));
  return ways;
}

/**
 * `websockets`' assertFrameData: decode(hex) == frame and encode(frame) == hex, the decode
 * also fed split at every position and one byte at a time. `role`: the endpoint that reads it.
 */
export function assertFrameData(hexText: string, expected: Frame, role: Role): void {
  const bytes = fromHex(hexText);
  expect(digest(encodeFrame(expected))).toBe(digest(bytes));
  for (const chunks of [[bytes.slice()], ...splits(bytes)]) {
    const results = decodeChunks(chunks, role);
    expect(results).toHaveLength(1);
    const r = results[0]!;
    if (r.kind !== 'frame')
      throw new Error(`expected a frame, got ${r.kind}: ${r.kind === 'error' ? r.error.message : ''}`);
    expect(plain(r.frame)).toEqual(plain(expected));
    expect(digest(r.bytes)).toBe(digest(bytes));
  }
}

/**
 * Every event, calling `events()` until it returns none (a Close read after a message is held
 * until the events before it were taken: connection.ts, §5.5.1).
 */
export function allEvents(conn: Connection): ConnectionEvent[] {
  const all: ConnectionEvent[] = [];
  for (let e = conn.events(); e.length > 0; e = conn.events()) all.push(...e);
  return all;
}

/**
 * Property (§5.3): with `kernel` installed (from `min` bytes), applyMask on any range of an
 * (un)aligned view at any offset, and copyMasked at any output offset, give the bytes the loops
 * alone give, and write nothing outside their range. Leaves no kernel installed.
 */
export function assertKernelMatchesLoops(
  kernel: MaskKernel,
  { maxLength, min, numRuns }: { maxLength: number; min?: number; numRuns: number },
): void {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength, size: 'max' }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.nat({ max: 11 }),
      fc.nat({ max: 7 }),
      fc.nat(),
      fc.nat(),
      (data, key, offset, align, a, b) => {
        const start = data.length === 0 ? 0 : a % data.length;
        const end = start + (b % (data.length - start + 1));
        const at = a % 9;
        const plain = data.slice();
        applyMask(plain, key, offset, start, end);
        const plainCopy = new Uint8Array(data.length + 12);
        copyMasked(data, key, plainCopy, at);

        const buffer = new Uint8Array(data.length + 8);
        const view = buffer.subarray(align, align + data.length);
        view.set(data);
        const copy = new Uint8Array(data.length + 12);
        useMaskKernel(kernel, min);
        try {
          applyMask(view, key, offset, start, end);
          copyMasked(data, key, copy, at);
        } finally {
          useMaskKernel(undefined);
        }
        expect(hex(view)).toBe(hex(plain));
        expect(hex(copy)).toBe(hex(plainCopy));
        expect(buffer.subarray(0, align).every((x) => x === 0)).toBe(true);
        expect(buffer.subarray(align + data.length).every((x) => x === 0)).toBe(true);
      },
    ),
    { numRuns },
  );
}
