/**
 * Which frames the inspector lists: by type, direction and a search in payloads. The index is
 * incremental: while the query is unchanged, only frames that arrived since are tested, so a
 * 10,000-frame log filtered at 1,000 new frames a second costs ~16 tests per update.
 */
import { decodeUtf8 } from '../lib/engine-basics.ts';
import { toHex } from '../lib/bytes.ts';
import type { FrameRow } from '../connection/session-log.ts';

export const FRAME_FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'data', label: 'Data' },
  { value: 'control', label: 'Control' },
  { value: 'ping-pong', label: 'Ping/Pong' },
  { value: 'close', label: 'Close' },
  { value: 'fragments', label: 'Fragments' },
  { value: 'errors', label: 'Errors' },
] as const;

export type FrameFilter = (typeof FRAME_FILTERS)[number]['value'];
export type Direction = 'both' | 'client' | 'server';

export interface FrameQuery {
  filter: FrameFilter;
  direction: Direction;
  search: string;
}

/** Lower-case text a search looks in: the payload as text (text/close frames) or hex, and the summary. */
export function searchText(row: FrameRow): string {
  const payload = row.frame?.payload;
  let body = '';
  if (payload) {
    const textual =
      row.kind === 'text' || row.kind === 'close' || (row.kind === 'continuation' && row.group?.opcode === 1);
    body = textual
      ? decodeUtf8(row.kind === 'close' ? payload.subarray(2) : payload)
      : toHex(payload, ' ', 4096);
  }
  return `${row.summary}\n${body}`.toLowerCase();
}

/** Does the row pass the type and direction filters (the search aside)? */
function passes(row: FrameRow, q: FrameQuery): boolean {
  if (q.direction !== 'both' && row.from !== q.direction) return false;
  switch (q.filter) {
    case 'data':
      return row.kind === 'text' || row.kind === 'binary' || row.kind === 'continuation';
    case 'control':
      return (row.opcode & 0x8) !== 0;
    case 'ping-pong':
      return row.kind === 'ping' || row.kind === 'pong';
    case 'close':
      return row.kind === 'close';
    case 'fragments':
      return row.group !== undefined;
    case 'errors':
      return row.error !== undefined && row.error !== '';
    default:
      return true;
  }
}

export function matches(row: FrameRow, q: FrameQuery): boolean {
  const needle = q.search.trim().toLowerCase();
  return passes(row, q) && (needle === '' || searchText(row).includes(needle));
}

/** Rows whose search text is prepared ahead, per update, while frames stream in (a few per update). */
const WARM_PER_UPDATE = 2000;
/** Time slice for preparing the rest in the background (an import of 10,000+ frames). */
const WARM_SLICE_MS = 4;

export class FilterIndex {
  #key = '';
  #source: readonly FrameRow[] | undefined;
  #scanned = 0;
  #ids: number[] = [];
  /**
   * Lower-case search text per row (by position), built once per frame: incrementally as frames
   * arrive, and in the background for a long log, so a search scans prepared strings instead of
   * decoding 10,000 payloads on a keystroke.
   */
  #texts: string[] = [];
  #textsOf: readonly FrameRow[] | undefined;
  #warming = false;

  /** Ids of the matching frames (the same array, grown in place while the query is unchanged). */
  update(rows: readonly FrameRow[], q: FrameQuery): number[] {
    const needle = q.search.trim().toLowerCase();
    const key = `${q.filter}\u0000${q.direction}\u0000${needle}`;
    if (rows !== this.#textsOf || rows.length < this.#texts.length) {
      this.#textsOf = rows;
      this.#texts = [];
    }
    if (key !== this.#key || rows !== this.#source || rows.length < this.#scanned) {
      this.#key = key;
      this.#source = rows;
      this.#scanned = 0;
      this.#ids = [];
    }
    const ids = this.#ids;
    const all = q.filter === 'all' && q.direction === 'both';
    if (needle === '') {
      if (all) for (let i = this.#scanned; i < rows.length; i++) ids.push(i);
      else for (let i = this.#scanned; i < rows.length; i++) if (passes(rows[i]!, q)) ids.push(i);
    } else {
      for (let i = this.#scanned; i < rows.length; i++) {
        const row = rows[i]!;
        if ((all || passes(row, q)) && this.#text(rows, i).includes(needle)) ids.push(i);
      }
    }
    this.#scanned = rows.length;
    this.#warm(rows, WARM_PER_UPDATE);
    return ids;
  }

  #text(rows: readonly FrameRow[], i: number): string {
    const texts = this.#texts;
    let text = texts[i];
    if (text === undefined) {
      // Filled in order (warming); a gap is filled up to i so the array stays dense (fast).
      for (let k = texts.length; k < i; k++) texts.push(searchText(rows[k]!));
      text = searchText(rows[i]!);
      if (texts.length === i) texts.push(text);
      else texts[i] = text;
    }
    return text;
  }

  /** Prepares up to `budget` rows' search text now; the rest a slice at a time in the background. */
  #warm(rows: readonly FrameRow[], budget: number): void {
    const texts = this.#texts;
    const end = Math.min(rows.length, texts.length + budget);
    for (let i = texts.length; i < end; i++) texts.push(searchText(rows[i]!));
    if (texts.length >= rows.length || this.#warming) return;
    this.#warming = true;
    const slice = (): void => {
      this.#warming = false;
      const source = this.#textsOf;
      if (!source) return;
      const t0 = performance.now();
      const t = this.#texts;
      while (t.length < source.length && performance.now() - t0 < WARM_SLICE_MS) {
        const stop = Math.min(source.length, t.length + 64);
        for (let i = t.length; i < stop; i++) t.push(searchText(source[i]!));
      }
      if (t.length < source.length) {
        this.#warming = true;
        setTimeout(slice, 0);
      }
    };
    setTimeout(slice, 0);
  }
}
