/** How times and sizes read in the lab and the inspector. */

/** 14:03:07.215 (local time, milliseconds). */
export function clock(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Time since connect: +0 ms, +12 ms, +1.204 s, +2 min 05 s. */
export function since(t: number, t0: number | undefined): string {
  if (t0 === undefined) return '';
  const ms = Math.max(0, t - t0);
  if (ms < 1000) return `+${Math.round(ms)} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(3)} s`;
  const m = Math.floor(ms / 60_000);
  return `+${m} min ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')} s`;
}

/** 5 B, 1.5 KiB, 2.0 MiB */
export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KiB`;
  return `${(n / 1048576).toFixed(1)} MiB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}
