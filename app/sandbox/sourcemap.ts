/**
 * Just enough of source maps (v3) to map a line of TypeScript's JavaScript output back to the
 * line the learner wrote: decode the VLQ `mappings` and keep, per generated line, the original
 * line of its first segment.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Map([...B64].map((c, i) => [c, i]));

/** Decodes one segment ("AAAA") into its numbers. Throws on a character outside base64. */
export function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = VALUE.get(ch);
    if (digit === undefined) throw new SyntaxError(`source map: bad VLQ character '${ch}'`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    const negative = value & 1;
    value >>>= 1;
    out.push(negative ? -value : value);
    value = 0;
    shift = 0;
  }
  return out;
}

/**
 * generated line (1-based) -> original line (1-based), as an array indexed by generated line;
 * lines without a mapping get the nearest mapped line above them.
 */
export function lineMapFromSourceMap(mappings: string): number[] {
  const map: number[] = [0];
  let sourceLine = 0;
  const lines = mappings.split(';');
  for (let i = 0; i < lines.length; i++) {
    let first: number | undefined;
    for (const seg of lines[i]!.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      if (v.length >= 4) {
        sourceLine += v[2]!;
        first ??= sourceLine;
      }
    }
    map[i + 1] = first !== undefined ? first + 1 : (map[i] ?? 1) || 1;
  }
  return map;
}
