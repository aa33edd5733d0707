/**
 * The timing loop of bench/mask.ts, free of Node so the same code runs in Node and in a
 * Chromium page (bench/mask-page.ts). Each kernel masks one payload in place with the engine's
 * `applyMask`, installed with no size floor (`useMaskKernel(kernel, 1)`), so the figures are
 * what the engine gets at that size through that kernel, call overhead included.
 */
import { applyMask, useMaskKernel, type MaskKernel } from '../app/protocol/mask.ts';

export const MASK_SIZES = [64, 128, 256, 512, 1024, 2048, 4096, 16 * 1024, 64 * 1024, 1024 * 1024];

export interface MaskRow {
  size: number;
  /** GB/s (1e9 bytes a second) per kernel name, median of the rounds. */
  gbps: Record<string, number>;
}

export interface MaskBenchOptions {
  /** name -> kernel; undefined is the engine's own TypeScript loops. */
  kernels: Record<string, MaskKernel | undefined>;
  /** Milliseconds of the clock used (CPU time in Node, wall time in a page). */
  now: () => number;
  sizes?: readonly number[];
  rounds?: number;
  sliceMs?: number;
}

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** Kernels run in alternating slices per size, so load from other processes hits each alike. */
export function runMaskTimings(options: MaskBenchOptions): MaskRow[] {
  const { kernels, now, sizes = MASK_SIZES, rounds = 5, sliceMs = 60 } = options;
  const rows: MaskRow[] = [];
  for (const size of sizes) {
    // Off by one byte from an aligned start, as a payload behind a 2-byte header often is.
    const data = new Uint8Array(size + 8).subarray(2, 2 + size);
    for (let i = 0; i < size; i++) data[i] = i * 31;
    const samples: Record<string, number[]> = {};
    const slice = (name: string, ms: number): number => {
      useMaskKernel(kernels[name], 1);
      let bytes = 0;
      const start = now();
      let elapsed: number;
      do {
        for (let i = 0; i < 16; i++) applyMask(data, KEY);
        bytes += 16 * size;
        elapsed = now() - start;
      } while (elapsed < ms);
      useMaskKernel(undefined);
      return bytes / (elapsed * 1e6);
    };
    for (const name of Object.keys(kernels)) slice(name, sliceMs); // warm-up
    for (let r = 0; r < rounds; r++)
      for (const name of Object.keys(kernels)) (samples[name] ??= []).push(slice(name, sliceMs));
    const gbps: Record<string, number> = {};
    for (const [name, s] of Object.entries(samples)) gbps[name] = s.sort((a, b) => a - b)[s.length >> 1]!;
    rows.push({ size, gbps });
  }
  return rows;
}

function sizeLabel(n: number): string {
  if (n >= 1024 * 1024) return `${n / (1024 * 1024)} MiB`;
  return n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}

/** A table: one line per size, GB/s per kernel, then each kernel's ratio to the first. */
export function formatMaskRows(rows: readonly MaskRow[]): string {
  const names = Object.keys(rows[0]?.gbps ?? {});
  const base = names[0]!;
  const header = ['size', ...names.map((n) => `${n} GB/s`), ...names.slice(1).map((n) => `${n}/${base}`)];
  const lines = rows.map((r) => [
    sizeLabel(r.size),
    ...names.map((n) => r.gbps[n]!.toFixed(2)),
    ...names.slice(1).map((n) => `${(r.gbps[n]! / r.gbps[base]!).toFixed(2)}x`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}
