/** How the inspector draws the engine's frame fields: colours, short labels, where they sit. */
import type { FrameField } from '../lib/engine.ts';

const COLOURS: Record<string, string> = {
  fin: 'var(--f-fin)',
  rsv1: 'var(--f-rsv)',
  rsv2: 'var(--f-rsv)',
  rsv3: 'var(--f-rsv)',
  opcode: 'var(--f-opcode)',
  mask: 'var(--f-mask)',
  len7: 'var(--f-len)',
  len16: 'var(--f-len)',
  len64: 'var(--f-len)',
  maskKey: 'var(--f-key)',
  payload: 'var(--f-payload)',
  closeCode: 'var(--teal)',
  closeReason: 'var(--f-payload)',
  trailing: 'var(--text-3)',
};

export function fieldColour(id: string): string {
  return COLOURS[id] ?? 'var(--text-2)';
}

/** Labels that fit the bit view: one bit is narrow. */
const SHORT: Record<string, [narrow: string, wide: string]> = {
  fin: ['F', 'FIN'],
  rsv1: ['R1', 'RSV1'],
  rsv2: ['R2', 'RSV2'],
  rsv3: ['R3', 'RSV3'],
  opcode: ['op', 'opcode'],
  mask: ['M', 'MASK'],
  len7: ['len', 'payload len'],
  len16: ['len', 'extended payload length (16)'],
  len64: ['len', 'extended payload length (64)'],
  maskKey: ['key', 'masking key'],
  payload: ['data', 'payload'],
  closeCode: ['code', 'close code'],
  closeReason: ['reason', 'close reason'],
  trailing: ['next', 'next frame'],
};

export function shortLabel(id: string, bits: number): string {
  const s = SHORT[id];
  if (!s) return id;
  return bits >= 6 ? s[1] : s[0];
}

/** First and one-past-last absolute bit of a field. */
export function bitRange(f: FrameField): [number, number] {
  const start = f.byteOffset * 8 + f.bitOffset;
  return [start, start + f.bitLength];
}

/** Where a field sits, in words: "byte 0, bit 0", "byte 0, bits 4-7", "bytes 2-3". */
export function place(f: FrameField): string {
  if (f.bitLength % 8 === 0 && f.bitOffset === 0) {
    const n = f.bitLength / 8;
    return n === 1 ? `byte ${f.byteOffset}` : `bytes ${f.byteOffset}-${f.byteOffset + n - 1}`;
  }
  return f.bitLength === 1
    ? `byte ${f.byteOffset}, bit ${f.bitOffset}`
    : `byte ${f.byteOffset}, bits ${f.bitOffset}-${f.bitOffset + f.bitLength - 1}`;
}

/**
 * For each byte index, the fields it holds (index into `fields`) with the bits of the byte each
 * covers, for the hex view's colours. Only bytes < limit.
 */
export function byteOwners(
  fields: readonly FrameField[],
  limit: number,
): { field: number; from: number; to: number }[][] {
  const owners: { field: number; from: number; to: number }[][] = Array.from({ length: limit }, () => []);
  fields.forEach((f, i) => {
    const [start, end] = bitRange(f);
    const firstByte = Math.floor(start / 8);
    const lastByte = Math.min(limit - 1, Math.floor((end - 1) / 8));
    for (let b = firstByte; b <= lastByte; b++) {
      const from = Math.max(start, b * 8) - b * 8;
      const to = Math.min(end, b * 8 + 8) - b * 8;
      owners[b]!.push({ field: i, from, to });
    }
  });
  return owners;
}

/** The field index owning each bit (for bits < limitBits). */
export function bitOwners(fields: readonly FrameField[], limitBits: number): number[] {
  const owners = new Array<number>(limitBits).fill(-1);
  fields.forEach((f, i) => {
    const [start, end] = bitRange(f);
    for (let b = start; b < Math.min(end, limitBits); b++) owners[b] = i;
  });
  return owners;
}
